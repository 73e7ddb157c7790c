import type { Transaction } from 'kysely';
import {
  type ConsentSettings,
  consentSettingsFor,
  matchOptOutKeyword,
  recordOptIn,
  recordOptOut,
} from '../contacts/index.ts';
import { enqueueJob } from '../queue/index.ts';
import type { DialectFlags } from '../store/dialect-flags.ts';
import type { Database } from '../store/schema.ts';
import type { AppliedEvent, EventHook } from '../whatsapp/index.ts';
import { AGENT_TURN_JOB } from './agent-turn-runner.ts';
import { insertTurnRecord } from './agent-turns.ts';
import { cancelOpenCallbacks } from './callbacks.ts';
import { CONVERSATIONAL_TYPES, messageText } from './message-text.ts';
import { detectLanguage } from './playbook/detect-language.ts';

export interface AgentEventHookOptions {
  /** How long after a customer's latest message the turn runs, so a burst gets one reply. */
  debounceMs: number;
  flags: DialectFlags;
  now?: () => number;
  /** How long a tenant's opt-out keywords are cached (they are read for every inbound text). */
  settingsTtlMs?: number;
}

/**
 * Runs inside the transaction that records each webhook event, so what it does commits with the message
 * (a crash between the two cannot lose a turn or an opt-out):
 * - a new customer message enqueues the conversation's `agent-turn` job, keyed by the conversation and
 *   due after the debounce; a later message of the burst pushes it back (enqueueJob's dedupe key);
 * - a message that is an opt-out keyword (the tenant's consent settings: STOP, PARAR, BAJA …) opts the
 *   contact out of everything at once and confirms it once, instead of starting a turn;
 * - Meta's user_preferences stop (or resume) of marketing messages updates the contact and the ledger,
 *   unconfirmed (Meta tells the customer itself).
 * Opt-outs go through the consent ledger's one entry point (campaigns' recordOptOut), which also takes
 * queued campaign messages back. Duplicates (isNew false) do nothing: they were handled the first time.
 */
export function createAgentEventHook(options: AgentEventHookOptions): EventHook {
  const now = options.now ?? Date.now;
  const ttlMs = options.settingsTtlMs ?? 30_000; // 30 s: a keyword change takes effect within this
  const cache = new Map<string, { settings: ConsentSettings; expiresAt: number }>();
  const settingsFor = async (trx: Transaction<Database>, tenantId: string) => {
    const at = Date.now();
    const cached = cache.get(tenantId);
    if (cached && cached.expiresAt > at) return cached.settings;
    const settings = await consentSettingsFor(trx, tenantId);
    if (cache.size >= 10_000) cache.clear();
    cache.set(tenantId, { settings, expiresAt: at + ttlMs });
    return settings;
  };
  // Conversations whose turn this transaction already enqueued: the inbox records deliveries in batches, and
  // a burst in one batch needs one enqueue (the due time moves by the batch's few milliseconds at most).
  const enqueuedIn = new WeakMap<Transaction<Database>, Set<string>>();
  return async (trx, applied) => {
    if (!applied.isNew) return;
    const event = applied.event;
    if (event.kind === 'message-received') {
      if (!applied.conversationId || !CONVERSATIONAL_TYPES.has(event.message.type)) return;
      const at = now();
      if (event.message.type === 'text' && event.message.text && event.message.text.length <= 60) {
        const settings = await settingsFor(trx, applied.tenantId);
        const language = matchOptOutKeyword(event.message.text, settings.optOutKeywords);
        if (language) {
          await stopFromChat(trx, applied, language, at);
          return;
        }
      }
      let enqueued = enqueuedIn.get(trx);
      if (!enqueued) {
        enqueued = new Set();
        enqueuedIn.set(trx, enqueued);
      }
      if (enqueued.has(applied.conversationId)) return;
      enqueued.add(applied.conversationId);
      if (options.flags.supportsConcurrentWriters) {
        // Lock order: the conversation's row, then its job's. Recording a message with a timestamp locks the
        // conversation first too; without this, two inbox batches (PostgreSQL runs several at once) could
        // each hold one of the two and wait for the other: a deadlock, and a batch retried one by one.
        await trx
          .selectFrom('conversations')
          .select('id')
          .where('id', '=', applied.conversationId)
          .forUpdate()
          .execute();
      }
      await enqueueJob(
        trx,
        {
          kind: AGENT_TURN_JOB,
          dedupeKey: applied.conversationId,
          payload: { conversationId: applied.conversationId },
          runAt: at + options.debounceMs,
        },
        at,
      );
      return;
    }
    if (event.kind === 'user-preference-changed') {
      const data = event.data;
      if (data.category !== null && data.category !== 'marketing_messages') return;
      if (data.value !== 'stop' && data.value !== 'resume') return;
      const at = now();
      const change = {
        tenantId: applied.tenantId,
        contact: { waId: data.waId, userId: data.userId },
        scope: 'marketing' as const,
        source: 'user_preferences',
        proof: [event.dedupeKey, data.detail].filter(Boolean).join(': '),
        occurredAt: data.timestamp ?? at,
      };
      if (data.value === 'stop') await recordOptOut(trx, change, at);
      else await recordOptIn(trx, change, at);
    }
  };
}

/** A stop request in the chat: everything stops, the customer is told once, and the turn is recorded. */
async function stopFromChat(
  trx: Transaction<Database>,
  applied: AppliedEvent,
  keywordLanguage: string,
  now: number,
): Promise<void> {
  const conversation = await trx
    .selectFrom('conversations')
    .select(['id', 'phone_number_id', 'contact_id'])
    .where('id', '=', applied.conversationId!)
    .executeTakeFirstOrThrow();
  // A Portuguese or Spanish stop word says the language; an English one ("STOP") is typed everywhere, so
  // the customer's own messages decide then.
  const language =
    keywordLanguage === 'en'
      ? ((await conversationLanguage(trx, conversation.id, applied.messageId)) ?? keywordLanguage)
      : keywordLanguage;
  const message = applied.event.kind === 'message-received' ? applied.event.message : null;
  const result = await recordOptOut(
    trx,
    {
      tenantId: applied.tenantId,
      contact: { contactId: conversation.contact_id },
      scope: 'all',
      source: 'keyword',
      proof: message ? `${message.id}: ${message.text ?? ''}` : null,
      occurredAt: message?.timestamp ?? now,
      confirm: { phoneNumberId: conversation.phone_number_id, language },
    },
    now,
  );
  // Nobody calls a customer who said STOP.
  await cancelOpenCallbacks(trx, { contactId: conversation.contact_id });
  await insertTurnRecord(trx, {
    tenantId: applied.tenantId,
    conversationId: conversation.id,
    status: result.confirmationId ? 'replied' : 'skipped',
    reason: result.isNew
      ? result.confirmationId
        ? 'opt-out-keyword'
        : 'opt-out-keyword; not confirmed (window closed)'
      : 'opt-out-keyword; already opted out, not confirmed again',
    messageIds: applied.messageId ? [applied.messageId] : [],
    promptChars: 0,
    historyLines: 0,
    knowledgePassages: 0,
    steps: 0,
    toolCalls: [],
    replies: result.confirmationId ? [`[opt-out confirmation ${result.confirmationId}]`] : [],
    model: null,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    latencyMs: 0,
    modelLatencyMs: 0,
    error: null,
    startedAt: now,
    finishedAt: now,
  });
}

/**
 * The language the customer has been writing in, from their latest messages: "STOP" is an English word that
 * customers everywhere type, and a Portuguese speaker who types it should be answered in Portuguese.
 */
async function conversationLanguage(
  trx: Transaction<Database>,
  conversationId: string,
  stopMessageId: string | undefined,
): Promise<string | null> {
  let query = trx
    .selectFrom('messages')
    .select('content')
    .where('conversation_id', '=', conversationId)
    .where('direction', '=', 'in')
    .where('type', '=', 'text')
    .orderBy('created_at', 'desc')
    .limit(6);
  // The stop word itself says nothing: "STOP" is English to the detector whoever types it.
  if (stopMessageId) query = query.where('id', '!=', stopMessageId);
  for (const row of await query.execute()) {
    const text = messageText('text', JSON.parse(row.content));
    const language = text ? detectLanguage(text) : null;
    if (language !== null) return language;
  }
  return null;
}
