import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { recordOptOut } from '../contacts/index.ts';
import type { Database } from '../store/schema.ts';
import type { AgentProfile } from './agent-model.ts';
import { cancelOpenCallbacks, LOST_OUTCOMES, scheduleCallback, toCallbackView } from './callbacks.ts';
import { closeConversation, handOff } from './conversation-control.ts';
import type { KnowledgeBase } from './knowledge-base.ts';
import { cleanFieldValue } from './lead-state.ts';
import type { OutgoingItem } from './run-model-loop.ts';
import type { Outcome } from './tool-names.ts';
import type { ToolEnvironment } from './tools/index.ts';
import type { TurnEffects } from './turn-effects.ts';

/** Most lead fields kept per conversation. */
const MAX_FIELDS = 50;

export interface LiveToolContext {
  knowledge: KnowledgeBase;
  conversation: { id: string; tenantId: string; contactId: string };
  profile: AgentProfile;
  customerTimeZone: string | null;
  now: number;
  /** The conversation's lead fields as the turn found them. */
  leadFields: Record<string, string>;
  /** The conversation's outcome as the turn found it. */
  outcome: string | null;
  outgoing: OutgoingItem[];
  effects: TurnEffects;
  /** The customer message that prompted the turn: the proof of an opt-out. */
  lastMessageId: string | null;
}

/** The tools' port on a real conversation, with the writes it collected, to apply when the turn commits. */
export interface LiveToolEnvironment extends ToolEnvironment {
  /** The conversation columns the tools changed, for the turn's own update of the row. */
  conversationChanges(): { lead_fields?: string; outcome?: string };
  /** Applies the tools' other writes, in the transaction that queues the turn's replies. */
  applyWrites(trx: Transaction<Database>): Promise<void>;
}

/**
 * The tools' port on a real conversation. Tools answer the model at once, from memory, and their changes
 * are written when the turn commits, in the same transaction as its replies and its record: a turn
 * happens entirely or not at all (a failed model call leaves no half-recorded lead), and it costs one
 * durable commit, not one per tool call. The writes use the same domain functions as the API routes.
 */
export function createLiveToolEnvironment(context: LiveToolContext): LiveToolEnvironment {
  const { conversation, effects, now } = context;
  const leadFields = { ...context.leadFields };
  let isLeadChanged = false;
  let outcome: Outcome | null = null;
  const writes: Array<(trx: Transaction<Database>) => Promise<unknown>> = [];
  return {
    isDryRun: false,
    now,
    profile: context.profile,
    customerTimeZone: context.customerTimeZone,
    async mergeLeadFields(fields) {
      for (const [name, value] of Object.entries(fields)) {
        const clean = cleanFieldValue(value);
        if (clean === '') delete leadFields[name];
        else if (name in leadFields || Object.keys(leadFields).length < MAX_FIELDS) leadFields[name] = clean;
      }
      isLeadChanged = true;
      return { ...leadFields };
    },
    async setOutcome(value) {
      outcome = value;
      // A lost sale takes back the calls booked, this turn's too (the writes run in order).
      if (LOST_OUTCOMES.has(value))
        writes.push((trx) => cancelOpenCallbacks(trx, { conversationId: conversation.id }));
    },
    async scheduleCallback(input) {
      const row = {
        id: randomUUID(),
        tenant_id: conversation.tenantId,
        conversation_id: conversation.id,
        contact_id: conversation.contactId,
        scheduled_at: input.scheduledAt,
        time_zone: input.timeZone,
        note: input.note,
        state: 'scheduled',
        created_at: now,
      };
      writes.push((trx) => scheduleCallback(trx, row, now));
      // A customer who asks to be called is interested again: "not interested" would contradict the call.
      const current = outcome ?? context.outcome;
      if (current !== null && LOST_OUTCOMES.has(current)) outcome = 'callback';
      return toCallbackView(row);
    },
    findMedia: (documentId) => context.knowledge.mediaAsset(conversation.tenantId, documentId),
    queueMedia(asset, caption) {
      context.outgoing.push({ kind: 'media', asset, caption });
    },
    async handOff(input) {
      effects.handedOff = input;
      writes.push((trx) => handOff(trx, conversation, input, now));
    },
    async optOut(input) {
      effects.optedOut = input.scope;
      // Nobody calls a customer who stopped everything; a marketing stop leaves a call they asked for.
      if (input.scope === 'all')
        writes.push((trx) => cancelOpenCallbacks(trx, { contactId: conversation.contactId }));
      // The consent ledger's one entry point (campaigns domain): it also withdraws queued campaign messages.
      // No confirmation from there: the model's own reply in this turn is the confirmation.
      writes.push((trx) =>
        recordOptOut(
          trx,
          {
            tenantId: conversation.tenantId,
            contact: { contactId: conversation.contactId },
            scope: input.scope,
            source: 'agent',
            proof: [context.lastMessageId, input.reason].filter(Boolean).join(': ') || null,
            occurredAt: now,
          },
          now,
        ),
      );
    },
    async endConversation() {
      effects.ended = true;
      writes.push((trx) => closeConversation(trx, conversation.id));
    },
    conversationChanges() {
      return {
        ...(isLeadChanged ? { lead_fields: JSON.stringify(leadFields) } : {}),
        ...(outcome !== null ? { outcome } : {}),
      };
    },
    async applyWrites(trx) {
      for (const write of writes) await write(trx);
    },
  };
}
