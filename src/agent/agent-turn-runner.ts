import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { CUSTOMER_SERVICE_WINDOW_MS, enqueueMessage } from '../dispatch/index.ts';
import { AppError } from '../http/app-error.ts';
import type { Database } from '../store/schema.ts';
import type { GraphClient, OutboundMessage } from '../whatsapp/graph/index.ts';
import type { AgentModel, KnowledgePassage, TurnInput } from './agent-model.ts';
import type { AgentProfiles } from './agent-profiles.ts';
import { addSpend, isOverSpendLimit } from './agent-spend.ts';
import { insertTurnRecord, type TurnStatus } from './agent-turns.ts';
import { handOff } from './conversation-control.ts';
import {
  loadLinesBetween,
  loadNewCustomerMessages,
  loadRecentLines,
  type StoredLine,
} from './conversation-memory.ts';
import { customerTimeZone } from './customer-time-zone.ts';
import { hasCustomerStopped } from './has-customer-stopped.ts';
import type { KnowledgeBase } from './knowledge-base.ts';
import { parseLeadFields } from './lead-state.ts';
import { createLiveToolEnvironment, type LiveToolEnvironment } from './live-tool-environment.ts';
import type { ModelFactory, ModelSettings } from './model-settings.ts';
import { ModelError } from './models/model-error.ts';
import { PlaybookModel } from './playbook/playbook-model.ts';
import { type AgentLogger, redactPersonalData } from './redact-personal-data.ts';
import { type ModelLoopResult, type OutgoingItem, runModelLoop } from './run-model-loop.ts';
import { extendSummary } from './running-summary.ts';
import { sanitizeCustomerName } from './sanitize-customer-name.ts';
import { type AgentConversationState, saveAgentState } from './save-agent-state.ts';
import { screenReply } from './screen-reply.ts';
import { toolSpecs } from './tools/index.ts';
import { noEffects, type TurnEffects } from './turn-effects.ts';

/** The job kind of an agent turn; its dedupe key is the conversation id (one turn at a time, debounced). */
export const AGENT_TURN_JOB = 'agent-turn';

export interface AgentTurnRunnerOptions {
  db: Kysely<Database>;
  profiles: AgentProfiles;
  knowledge: KnowledgeBase;
  modelFor: ModelFactory;
  graph: GraphClient;
  accessTokenFor: (tenantId: string, wabaId: string | null) => Promise<string | null>;
  logger: AgentLogger;
  defaultGraphApiUrl: string;
  defaultGraphApiVersion: string;
  /** Called after replies are queued, so the dispatcher looks at once. */
  onQueued?: () => void;
  /** Between the bubbles of one reply: a person types, and Meta's pair rate wants pacing. */
  replySpacingMs?: number;
  /** Lines of recent history the model sees; older ones are folded into the running summary. */
  historyLimit?: number;
  /** Knowledge passages per turn. */
  knowledgeLimit?: number;
  maxSteps?: number;
  stepTimeoutMs?: number;
  /**
   * The model's whole share of a turn, retries and tool steps included: past it, or on any model failure,
   * the offline playbook answers instead and the conversation is flagged. Default 20 s.
   */
  modelDeadlineMs?: number;
  /** Most messages (bubbles and media) one turn sends; a model that writes more is cut here. Default 3. */
  maxMessagesPerTurn?: number;
  /** Answers when the configured model fails: the offline playbook. */
  fallbackModel?: AgentModel;
  /** The deadline's signal (tests pass one they abort themselves). */
  deadlineSignal?: (ms: number) => AbortSignal;
  now?: () => number;
}

export interface TurnOutcome {
  status: TurnStatus | 'nothing-new';
  reason: string | null;
  turnId: string | null;
  /** Messages queued for the customer. */
  queued: number;
}

interface TurnContext {
  conversationId: string;
  tenantId: string;
  phoneNumberId: string;
  contactId: string;
  waId: string | null;
  state: AgentConversationState;
  newMessages: StoredLine[];
  startedAt: number;
  started: number;
}

type ConversationRow = NonNullable<Awaited<ReturnType<AgentTurnRunner['loadConversation']>>>;

/** Window margin: replies are paced over a few seconds, and must all be inside the window when they go. */
const WINDOW_MARGIN_MS = 60_000;

/**
 * Runs one agent turn for a conversation: the job queue guarantees one at a time per conversation and
 * debounces a burst into one turn. A turn answers the customer messages recorded since the last one, or
 * skips them (a human owns the conversation, it is closed, the contact opted out), or hands off (spend,
 * turn or cost limits, a failing model). Each turn is recorded, skipped ones too.
 */
export class AgentTurnRunner {
  private readonly options: Required<AgentTurnRunnerOptions>;
  /** Models by settings, so that adapters (HTTP agents, keys) are built once. */
  private readonly models = new Map<string, AgentModel>();
  /** Access tokens by tenant and WABA, for read marks: decrypted once per 30 s, not once per turn. */
  private readonly tokens = new Map<string, { token: string | null; expiresAt: number }>();

  constructor(options: AgentTurnRunnerOptions) {
    this.options = {
      onQueued: () => {},
      replySpacingMs: 1500, // 1.5 s
      historyLimit: 20,
      knowledgeLimit: 3,
      maxSteps: 6,
      // 45 s a model call at most; the turn's deadline (20 s) cuts in first unless it is raised.
      stepTimeoutMs: 45_000,
      // A customer who waits 20 s for a reply has waited long enough: the playbook answers then.
      modelDeadlineMs: 20_000,
      maxMessagesPerTurn: 3,
      fallbackModel: new PlaybookModel(),
      deadlineSignal: (ms) => AbortSignal.timeout(ms),
      now: Date.now,
      ...options,
    };
  }

  /** The model for some settings, cached by a hash of them (the key never becomes a map key itself). */
  modelFor(settings: ModelSettings): AgentModel {
    const key = createHash('sha256').update(JSON.stringify(settings)).digest('base64url');
    let model = this.models.get(key);
    if (!model) {
      if (this.models.size >= 200) this.models.delete(this.models.keys().next().value!);
      model = this.options.modelFor(settings);
      this.models.set(key, model);
    }
    return model;
  }

  async runTurn(conversationId: string): Promise<TurnOutcome> {
    const { db, profiles } = this.options;
    const started = performance.now();
    const startedAt = this.options.now();
    const row = await this.loadConversation(conversationId);
    if (!row) return { status: 'nothing-new', reason: 'no-conversation', turnId: null, queued: 0 };
    const state: AgentConversationState = {
      conversation_id: conversationId,
      tenant_id: row.tenant_id,
      cursor_at: row.cursor_at,
      cursor_ids: row.cursor_ids ?? '[]',
      summarized_until: row.summarized_until,
      handoff_reason: null,
      handoff_summary: null,
      handed_off_at: null,
      updated_at: 0,
    };
    const [newMessages, isOverSpend] = await Promise.all([
      loadNewCustomerMessages(db, conversationId, state, startedAt),
      isOverSpendLimit(db, row.tenant_id, startedAt),
    ]);
    if (newMessages.length === 0) return { status: 'nothing-new', reason: null, turnId: null, queued: 0 };
    const context: TurnContext = {
      conversationId,
      tenantId: row.tenant_id,
      phoneNumberId: row.phone_number_id,
      contactId: row.contact_id,
      waId: row.wa_id,
      state,
      newMessages,
      startedAt,
      started,
    };

    if (row.owner !== 'agent') return this.skip(context, 'human-owner', true);
    if (row.is_closed === 1) return this.skip(context, 'closed', true);
    if (row.opted_out_at !== null || row.marketing_opted_out_at !== null) return this.optedOut(context, row);
    if (!row.wa_id) return this.skip(context, 'no-phone-number', true);
    const resolved = await profiles.resolve(row.tenant_id, row.campaign_id);
    if (!resolved.isEnabled) return this.skip(context, 'agent-disabled', true);
    const profile = resolved.profile;

    const limit = isOverSpend
      ? 'spend-limit'
      : row.agent_turn_count >= profile.maxTurns
        ? 'max-turns'
        : row.agent_cost_usd >= profile.maxCostUsd
          ? 'max-cost'
          : null;
    if (limit) return this.handOffFor(context, limit, null);

    const lastInboundAt = row.last_inbound_at;
    if (
      lastInboundAt === null ||
      lastInboundAt <= startedAt - CUSTOMER_SERVICE_WINDOW_MS + WINDOW_MARGIN_MS
    ) {
      return this.windowClosed(context, resolved.windowClosedTemplate);
    }

    // The typing bubble tells the customer the agent is answering, so it is decided on a fresh look: a
    // colleague may have taken over, or a STOP arrived, since the conversation was loaded (the debounce, the
    // spend and profile reads). Without this, "typing…" showed under a human's conversation or after STOP.
    const control = await this.loadControl(conversationId);
    if (control?.owner !== 'agent') return this.skip(context, 'human-owner', true);
    if (control.is_closed === 1) return this.skip(context, 'closed', true);
    if (control.opted_out_at !== null || control.marketing_opted_out_at !== null)
      return this.optedOut(context, row);

    // The read mark and typing bubble go out while the turn carries on (a Graph call takes 100 ms or more).
    const readMark = this.markRead(row, newMessages[newMessages.length - 1]!.wamid, true);

    const newText = newMessages.map((line) => line.text).join('\n');
    const [knowledge, history] = await Promise.all([
      this.options.knowledge.search(row.tenant_id, newText, this.options.knowledgeLimit),
      loadRecentLines(db, conversationId, this.options.historyLimit),
    ]);
    const summaryUpdate = await this.foldOldLines(conversationId, state, row.summary, history);
    // The contact's own zone when known (imports, the API), else the likeliest for the number's country.
    const timeZone = row.time_zone ?? customerTimeZone(row.wa_id);
    const input: TurnInput = {
      profile,
      summary: summaryUpdate?.summary ?? row.summary,
      history: history.map(({ speaker, text, at }) => ({ speaker, text, at })),
      newMessages: newMessages.map(({ speaker, text, at }) => ({ speaker, text, at })),
      leadFields: parseLeadFields(row.lead_fields),
      knowledge,
      tools: toolSpecs(profile.allowedTools),
      customerName: sanitizeCustomerName(row.contact_name),
      now: startedAt,
      customerTimeZone: timeZone,
    };
    const outgoing: OutgoingItem[] = [];
    const effects = noEffects();
    const leadFields = input.leadFields;
    const environment = createLiveToolEnvironment({
      knowledge: this.options.knowledge,
      conversation: { id: conversationId, tenantId: row.tenant_id, contactId: row.contact_id },
      profile,
      customerTimeZone: timeZone,
      now: startedAt,
      leadFields,
      outcome: row.outcome,
      outgoing,
      effects,
      lastMessageId: newMessages[newMessages.length - 1]!.id,
    });

    const model = this.modelFor(resolved.modelSettings);
    const leadFieldsBefore = { ...leadFields };
    let failedStep: unknown = null;
    // Errors of the model itself (not of our tools or database) are model failures, whatever their class.
    const watched: AgentModel = {
      name: model.name,
      step: (...args) =>
        model.step(...args).catch((error: unknown) => {
          failedStep = error;
          throw error;
        }),
    };
    let loop: ModelLoopResult | null = null;
    let failure: { reason: string; error: string | null } | null = null;
    try {
      loop = await runModelLoop(watched, input, environment, {
        maxSteps: this.options.maxSteps,
        stepTimeoutMs: this.options.stepTimeoutMs,
        outgoing,
        signal: this.options.deadlineSignal(this.options.modelDeadlineMs),
      });
      failure = loopFailure(loop, outgoing, effects);
    } catch (error) {
      if (error !== failedStep && !(error instanceof ModelError)) {
        await readMark;
        throw error;
      }
      failure = {
        reason: failureReason(error),
        error: redactPersonalData(error instanceof Error ? error.message : String(error)),
      };
    }
    await readMark;
    const turn = { input, knowledge, summaryUpdate, failure };
    if (!failure) return this.commit(context, { ...turn, loop: loop!, outgoing, effects, environment });
    this.options.logger.warn(
      { conversationId, reason: failure.reason, err: failure.error },
      'the agent model failed; the playbook answers',
    );
    const fallback = this.options.fallbackModel;
    if (model instanceof PlaybookModel || model === fallback) {
      // The playbook itself answered nothing: nobody else can, so a person must look.
      return this.commit(context, {
        ...turn,
        loop: loop ?? emptyLoop(model.name),
        outgoing,
        effects,
        environment,
      });
    }
    // The failed model's replies and tool calls are dropped as a whole; the playbook answers the same messages.
    const fallbackOutgoing: OutgoingItem[] = [];
    const fallbackEffects = noEffects();
    const fallbackLeadFields = { ...leadFieldsBefore };
    const fallbackEnvironment = createLiveToolEnvironment({
      knowledge: this.options.knowledge,
      conversation: { id: conversationId, tenantId: row.tenant_id, contactId: row.contact_id },
      profile,
      outcome: row.outcome,
      customerTimeZone: timeZone,
      now: startedAt,
      leadFields: fallbackLeadFields,
      outgoing: fallbackOutgoing,
      effects: fallbackEffects,
      lastMessageId: newMessages[newMessages.length - 1]!.id,
    });
    const answered = await runModelLoop(
      fallback,
      { ...input, leadFields: fallbackLeadFields },
      fallbackEnvironment,
      {
        maxSteps: this.options.maxSteps,
        stepTimeoutMs: this.options.stepTimeoutMs,
        outgoing: fallbackOutgoing,
      },
    );
    const spent = loop?.usage ?? { inputTokens: 0, outputTokens: 0, costUsd: 0 };
    return this.commit(context, {
      ...turn,
      loop: {
        ...answered,
        // What the failed model cost still counts against the spend limits.
        usage: spent,
        model: `${model.name}, then ${answered.model}`,
        steps: [...(loop?.steps ?? []), ...answered.steps],
        // Only calls whose writes apply: the failed model's were dropped with its replies.
        toolCalls: answered.toolCalls,
        modelLatencyMs: (loop?.modelLatencyMs ?? 0) + answered.modelLatencyMs,
      },
      outgoing: fallbackOutgoing,
      effects: fallbackEffects,
      environment: fallbackEnvironment,
    });
  }

  /** Queues the replies, adds the cost, moves the cursor and records the turn, all in one transaction. */
  private async commit(
    context: TurnContext,
    turn: {
      input: TurnInput;
      knowledge: KnowledgePassage[];
      loop: ModelLoopResult;
      outgoing: OutgoingItem[];
      effects: TurnEffects;
      environment: LiveToolEnvironment;
      summaryUpdate: { summary: string | null; summarizedUntil: number } | null;
      /** Why the configured model's answer was not used (the playbook's went instead), if it was not. */
      failure: { reason: string; error: string | null } | null;
    },
  ): Promise<TurnOutcome> {
    const { db, replySpacingMs } = this.options;
    const { loop, effects } = turn;
    const now = this.options.now();
    let reason: string | null = turn.failure ? `model-failed: ${turn.failure.reason}` : null;
    // The last guard before the outbox: no tool markup, JSON or system prompt, and a few messages at most.
    const outgoing = turn.outgoing
      .filter((item) => item.kind !== 'text' || screenReply(item.text, []).withheld === null)
      .slice(0, this.options.maxMessagesPerTurn);
    let isSilenceDeliberate = false;
    const queuedTexts: string[] = [];
    const turnId = await db.transaction().execute(async (trx) => {
      let isMuted = false;
      let firstAt = now;
      if (outgoing.length > 0) {
        // One look at the conversation: whether a human took over while the model was thinking (then the
        // agent says nothing), and when its last queued bubble goes (this turn's come after, never before).
        const current = await trx
          .selectFrom('conversations')
          .select((eb) => [
            'owner',
            eb
              .selectFrom('outbox')
              .select((inner) => inner.fn.max('next_attempt_at').as('at'))
              .where('conversation_id', '=', context.conversationId)
              .where('state', '=', 'queued')
              .as('last_queued_at'),
          ])
          .where('id', '=', context.conversationId)
          .executeTakeFirst();
        isMuted = !effects.handedOff && current?.owner !== 'agent';
        if (isMuted) reason = 'muted-during-turn';
        // A stop received while the model was thinking: nothing more goes (the agent's own opt-out in this
        // turn is the exception: its reply is the confirmation).
        if (!isMuted && !effects.optedOut && (await hasCustomerStopped(trx, context))) {
          isMuted = true;
          reason = 'opted-out-during-turn';
        }
        isSilenceDeliberate = isMuted;
        const lastQueuedAt = current?.last_queued_at;
        if (lastQueuedAt !== null && lastQueuedAt !== undefined)
          firstAt = Math.max(now, Number(lastQueuedAt) + replySpacingMs);
      }
      if (!isMuted) {
        for (const [index, item] of outgoing.entries()) {
          try {
            await enqueueMessage(
              trx,
              {
                tenantId: context.tenantId,
                phoneNumberId: context.phoneNumberId,
                conversationId: context.conversationId,
                message: toOutboundMessage(`+${context.waId}`, item),
                source: 'agent',
                notBeforeMs: firstAt + index * replySpacingMs,
              },
              // A millisecond apart, so the bubbles keep their order wherever their send times tie (pacing).
              now + index,
            );
            queuedTexts.push(
              item.kind === 'text' ? item.text : `[${item.asset.mediaKind}] ${item.asset.title}`,
            );
          } catch (error) {
            if (error instanceof AppError && error.code === 'window_closed') {
              reason = 'window-closed';
              break;
            }
            throw error;
          }
        }
      }
      await turn.environment.applyWrites(trx);
      // A failed model, or a customer left without a word for no deliberate reason (a human's takeover,
      // a stop, the agent's own hand-off or opt-out), is for a person to look at.
      const isSilent = queuedTexts.length === 0;
      const isDeliberate = isSilenceDeliberate || effects.handedOff !== null || effects.optedOut !== null;
      const needsAttention = turn.failure !== null || (isSilent && !isDeliberate);
      if (isSilent && !isDeliberate && reason === null) reason = 'silent-turn';
      await trx
        .updateTable('conversations')
        .set((eb) => ({
          ...(needsAttention ? { needs_attention: 1 } : {}),
          agent_turn_count: eb('agent_turn_count', '+', 1),
          agent_cost_usd: eb('agent_cost_usd', '+', loop.usage.costUsd),
          last_agent_turn_at: now,
          ...(turn.summaryUpdate ? { summary: turn.summaryUpdate.summary } : {}),
          ...turn.environment.conversationChanges(),
        }))
        .where('id', '=', context.conversationId)
        .execute();
      await addSpend(trx, context.tenantId, loop.usage.costUsd, now);
      await saveAgentState(
        trx,
        context.conversationId,
        context.tenantId,
        {
          ...nextCursor(context.state, context.newMessages),
          ...(turn.summaryUpdate ? { summarized_until: turn.summaryUpdate.summarizedUntil } : {}),
        },
        now,
      );
      const status: TurnStatus = effects.handedOff
        ? 'handed_off'
        : queuedTexts.length > 0
          ? 'replied'
          : 'silent';
      return insertTurnRecord(trx, {
        tenantId: context.tenantId,
        conversationId: context.conversationId,
        status,
        reason: effects.handedOff ? `hand_off: ${effects.handedOff.reason}` : reason,
        messageIds: context.newMessages.map((line) => line.id),
        promptChars: promptChars(turn.input),
        historyLines: turn.input.history.length,
        knowledgePassages: turn.knowledge.length,
        steps: loop.steps.length,
        toolCalls: loop.toolCalls,
        replies: queuedTexts,
        model: loop.model,
        inputTokens: loop.usage.inputTokens,
        outputTokens: loop.usage.outputTokens,
        costUsd: loop.usage.costUsd,
        latencyMs: performance.now() - context.started,
        modelLatencyMs: loop.modelLatencyMs,
        error: turn.failure?.error ?? null,
        startedAt: context.startedAt,
        finishedAt: now,
      });
    });
    if (queuedTexts.length > 0) this.options.onQueued();
    const status: TurnStatus = effects.handedOff
      ? 'handed_off'
      : queuedTexts.length > 0
        ? 'replied'
        : 'silent';
    return { status, reason, turnId, queued: queuedTexts.length };
  }

  /** Records a turn that did not reach the model, and moves past its messages. */
  private async skip(context: TurnContext, reason: string, needsAttention: boolean): Promise<TurnOutcome> {
    const { db } = this.options;
    const now = this.options.now();
    const turnId = await db.transaction().execute(async (trx) => {
      // Someone should look: the customer wrote, and the agent will not answer.
      if (needsAttention) {
        await trx
          .updateTable('conversations')
          .set({ needs_attention: 1 })
          .where('id', '=', context.conversationId)
          .execute();
      }
      await saveAgentState(
        trx,
        context.conversationId,
        context.tenantId,
        nextCursor(context.state, context.newMessages),
        now,
      );
      return insertTurnRecord(trx, this.bareRecord(context, 'skipped', reason, now));
    });
    return { status: 'skipped', reason, turnId, queued: 0 };
  }

  private async handOffFor(context: TurnContext, reason: string, error: string | null): Promise<TurnOutcome> {
    const { db } = this.options;
    const now = this.options.now();
    const turnId = await db.transaction().execute(async (trx) => {
      await handOff(
        trx,
        { id: context.conversationId, tenantId: context.tenantId },
        { reason, summary: null },
        now,
      );
      await saveAgentState(
        trx,
        context.conversationId,
        context.tenantId,
        nextCursor(context.state, context.newMessages),
        now,
      );
      return insertTurnRecord(trx, { ...this.bareRecord(context, 'handed_off', reason, now), error });
    });
    this.options.logger.info(
      { conversationId: context.conversationId, reason },
      'agent handed the conversation to a human',
    );
    return { status: 'handed_off', reason, turnId, queued: 0 };
  }

  /** Outside the 24-hour window only an approved template may go (Meta error 131047): that, or nothing. */
  private async windowClosed(
    context: TurnContext,
    template: { name: string; languageCode: string; category: string } | null,
  ): Promise<TurnOutcome> {
    if (!template || !context.waId) return this.skip(context, 'window-closed', true);
    const { db } = this.options;
    const now = this.options.now();
    const turnId = await db.transaction().execute(async (trx) => {
      await enqueueMessage(
        trx,
        {
          tenantId: context.tenantId,
          phoneNumberId: context.phoneNumberId,
          conversationId: context.conversationId,
          message: {
            to: `+${context.waId}`,
            type: 'template',
            template: { name: template.name, languageCode: template.languageCode },
          },
          category: template.category,
          source: 'agent',
        },
        now,
      );
      await saveAgentState(
        trx,
        context.conversationId,
        context.tenantId,
        nextCursor(context.state, context.newMessages),
        now,
      );
      return insertTurnRecord(trx, {
        ...this.bareRecord(context, 'replied', 'window-closed-template', now),
        replies: [`[template ${template.name}]`],
      });
    });
    this.options.onQueued();
    return { status: 'replied', reason: 'window-closed-template', turnId, queued: 1 };
  }

  private bareRecord(context: TurnContext, status: TurnStatus, reason: string, now: number) {
    return {
      tenantId: context.tenantId,
      conversationId: context.conversationId,
      status,
      reason,
      messageIds: context.newMessages.map((line) => line.id),
      promptChars: 0,
      historyLines: 0,
      knowledgePassages: 0,
      steps: 0,
      toolCalls: [],
      replies: [],
      model: null,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      latencyMs: performance.now() - context.started,
      modelLatencyMs: 0,
      error: null,
      startedAt: context.startedAt,
      finishedAt: now,
    };
  }

  /** When history has scrolled past lines the summary does not cover yet, fold them in. */
  private async foldOldLines(
    conversationId: string,
    state: AgentConversationState,
    summary: string | null,
    history: StoredLine[],
  ): Promise<{ summary: string | null; summarizedUntil: number } | null> {
    if (history.length < this.options.historyLimit) return null;
    const oldest = history[0]!.createdAt;
    if (state.summarized_until !== null && state.summarized_until >= oldest - 1) return null;
    const lines = await loadLinesBetween(
      this.options.db,
      conversationId,
      state.summarized_until,
      oldest,
      500,
    );
    if (lines.length === 0) return null;
    return { summary: extendSummary(summary, lines), summarizedUntil: lines[lines.length - 1]!.createdAt };
  }

  /**
   * An opted-out customer gets no answer and no typing bubble, but what they wrote was received: the read
   * receipt still goes, as it would from a person reading the chat.
   */
  private async optedOut(context: TurnContext, row: ConversationRow): Promise<TurnOutcome> {
    await this.markRead(row, context.newMessages[context.newMessages.length - 1]!.wamid, false);
    // A customer who writes again after opting out may want something (to come back, a question): the
    // agent must not answer, so a person should look. What they wrote before their stop needs nobody.
    const optedOutAt = row.opted_out_at ?? row.marketing_opted_out_at ?? Number.POSITIVE_INFINITY;
    const wroteAfterStop = context.newMessages.some((message) => message.createdAt > optedOutAt);
    return this.skip(context, 'opted-out', wroteAfterStop);
  }

  /**
   * Marks the customer's last message read, with a typing bubble when the agent is about to answer (Meta
   * shows it until our next message, 25 s at most).
   */
  private async markRead(row: ConversationRow, wamid: string | null, isTyping: boolean): Promise<void> {
    if (!wamid || row.waba_id === null) return;
    try {
      const accessToken = await this.accessToken(row.tenant_id, row.waba_id);
      if (!accessToken) return;
      await this.options.graph.markRead(
        {
          phoneNumberId: row.phone_number_id,
          accessToken,
          graphApiUrl: row.graph_api_url ?? this.options.defaultGraphApiUrl,
          graphApiVersion: row.graph_api_version ?? this.options.defaultGraphApiVersion,
        },
        wamid,
        { typingIndicator: isTyping, signal: AbortSignal.timeout(5000) },
      );
    } catch (error) {
      // A read mark is a courtesy: the turn goes on without it.
      this.options.logger.warn({ conversationId: row.id, err: error }, 'could not mark the message read');
    }
  }

  private async accessToken(tenantId: string, wabaId: string): Promise<string | null> {
    const key = `${tenantId}|${wabaId}`;
    const now = this.options.now();
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > now) return cached.token;
    const token = await this.options.accessTokenFor(tenantId, wabaId);
    if (this.tokens.size >= 10_000) this.tokens.clear();
    this.tokens.set(key, { token, expiresAt: now + 30_000 }); // 30 s, like the directory's webhook-app cache
    return token;
  }

  /** Who answers the conversation now, and whether its contact still wants messages. */
  private loadControl(conversationId: string) {
    return this.options.db
      .selectFrom('conversations')
      .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
      .select([
        'conversations.owner',
        'conversations.is_closed',
        'contacts.opted_out_at',
        'contacts.marketing_opted_out_at',
      ])
      .where('conversations.id', '=', conversationId)
      .executeTakeFirst();
  }

  private loadConversation(conversationId: string) {
    return this.options.db
      .selectFrom('conversations')
      .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
      .leftJoin('phone_numbers', 'phone_numbers.phone_number_id', 'conversations.phone_number_id')
      .leftJoin('agent_conversation_state', 'agent_conversation_state.conversation_id', 'conversations.id')
      .select([
        'conversations.id',
        'conversations.tenant_id',
        'conversations.phone_number_id',
        'conversations.contact_id',
        'conversations.owner',
        'conversations.is_closed',
        'conversations.last_inbound_at',
        'conversations.lead_fields',
        'conversations.outcome',
        'conversations.summary',
        'conversations.agent_turn_count',
        'conversations.agent_cost_usd',
        'conversations.campaign_id',
        'contacts.wa_id',
        'contacts.name as contact_name',
        'contacts.opted_out_at',
        'contacts.marketing_opted_out_at',
        'contacts.time_zone',
        'phone_numbers.waba_id',
        'phone_numbers.graph_api_url',
        'phone_numbers.graph_api_version',
        'agent_conversation_state.cursor_at',
        'agent_conversation_state.cursor_ids',
        'agent_conversation_state.summarized_until',
      ])
      .where('conversations.id', '=', conversationId)
      .executeTakeFirst();
  }
}

/** The cursor after handling these messages: the newest time, and every id handled at exactly that time. */
function nextCursor(
  state: AgentConversationState,
  handled: StoredLine[],
): { cursor_at: number; cursor_ids: string } {
  const newest = Math.max(...handled.map((line) => line.createdAt));
  const ids = handled.filter((line) => line.createdAt === newest).map((line) => line.id);
  const kept = state.cursor_at === newest ? (JSON.parse(state.cursor_ids) as string[]) : [];
  return { cursor_at: newest, cursor_ids: JSON.stringify([...new Set([...kept, ...ids])]) };
}

/** Characters of the tools' descriptions and schemas, by tool set (the same few sets, every turn). */
const toolChars = new Map<string, number>();

/** The size of what the model is given, in characters: a proxy for prompt size that needs no tokenizer. */
function promptChars(input: TurnInput): number {
  const key = input.tools.map((tool) => tool.name).join(',');
  let tools = toolChars.get(key);
  if (tools === undefined) {
    tools = JSON.stringify(input.tools).length;
    toolChars.set(key, tools);
  }
  return JSON.stringify({ ...input, tools: null }).length + tools;
}

function toOutboundMessage(to: string, item: OutgoingItem): OutboundMessage {
  if (item.kind === 'text') return { to, type: 'text', text: { body: item.text } };
  const { asset } = item;
  const caption = item.caption ?? asset.title;
  switch (asset.mediaKind) {
    case 'image':
      return { to, type: 'image', image: { link: asset.mediaUrl, caption } };
    case 'video':
      return { to, type: 'video', video: { link: asset.mediaUrl, caption } };
    case 'audio':
      return { to, type: 'audio', audio: { link: asset.mediaUrl } };
    default:
      return { to, type: 'document', document: { link: asset.mediaUrl, caption, filename: asset.title } };
  }
}

/** A loop with no steps, for a turn whose model failed before its first answer. */
function emptyLoop(model: string): ModelLoopResult {
  return {
    steps: [],
    toolCalls: [],
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    model,
    modelLatencyMs: 0,
    hitStepLimit: false,
    withheld: [],
    droppedProgress: 0,
  };
}

/**
 * Why a loop that returned is still a failure: it never finished (tools until the step limit), or it left
 * nothing to send and did nothing deliberate (an empty completion, only tool markup that could not run).
 */
function loopFailure(
  loop: ModelLoopResult,
  outgoing: OutgoingItem[],
  effects: TurnEffects,
): { reason: string; error: string | null } | null {
  if (loop.hitStepLimit) {
    return { reason: 'step limit', error: `still calling tools after ${loop.steps.length} steps` };
  }
  const hasEffect = effects.handedOff !== null || effects.optedOut !== null || effects.ended;
  if (outgoing.length > 0 || hasEffect) return null;
  if (loop.withheld.length > 0) {
    return { reason: loop.withheld[0]!, error: `withheld from the customer: ${loop.withheld.join(', ')}` };
  }
  return { reason: 'empty answer', error: 'the model answered no text and called no tool' };
}

/** A short, stable reason for the turn record: `http 500`, `timeout`, `invalid response`. */
function failureReason(error: unknown): string {
  if (!(error instanceof ModelError)) return 'error';
  if (error.httpStatus !== null && error.httpStatus >= 400) return `http ${error.httpStatus}`;
  return error.code.replaceAll('_', ' ');
}
