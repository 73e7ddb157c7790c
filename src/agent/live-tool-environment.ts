import type { Kysely } from 'kysely';
import { recordOptOut } from '../campaigns/index.ts';
import type { Database } from '../store/schema.ts';
import type { AgentProfile } from './agent-model.ts';
import { scheduleCallback } from './callbacks.ts';
import { closeConversation, handOff } from './conversation-control.ts';
import type { KnowledgeBase } from './knowledge-base.ts';
import { mergeLeadFields, setOutcome } from './lead-state.ts';
import type { OutgoingItem } from './run-model-loop.ts';
import type { ToolEnvironment } from './tools/index.ts';
import type { TurnEffects } from './turn-effects.ts';

export interface LiveToolContext {
  db: Kysely<Database>;
  knowledge: KnowledgeBase;
  conversation: { id: string; tenantId: string; contactId: string };
  profile: AgentProfile;
  customerTimeZone: string | null;
  now: number;
  outgoing: OutgoingItem[];
  effects: TurnEffects;
  /** The customer message that prompted the turn: the proof of an opt-out. */
  lastMessageId: string | null;
}

/** The tools' port on a real conversation: the same domain functions the API routes use. */
export function createLiveToolEnvironment(context: LiveToolContext): ToolEnvironment {
  const { db, conversation, effects, now } = context;
  return {
    isDryRun: false,
    now,
    profile: context.profile,
    customerTimeZone: context.customerTimeZone,
    mergeLeadFields: (fields) => mergeLeadFields(db, conversation.id, fields),
    setOutcome: (outcome) => setOutcome(db, conversation.id, outcome),
    scheduleCallback: (input) =>
      scheduleCallback(
        db,
        { tenantId: conversation.tenantId, conversationId: conversation.id, contactId: conversation.contactId, ...input },
        now,
      ),
    findMedia: (documentId) => context.knowledge.mediaAsset(conversation.tenantId, documentId),
    queueMedia: (asset, caption) => {
      context.outgoing.push({ kind: 'media', asset, caption });
    },
    async handOff(input) {
      await handOff(db, conversation, input, now);
      effects.handedOff = input;
    },
    async optOut(input) {
      // The consent ledger's one entry point (campaigns domain): it also withdraws queued campaign messages.
      // No confirmation from there: the model's own reply in this turn is the confirmation.
      await recordOptOut(
        db,
        {
          tenantId: conversation.tenantId,
          contact: { contactId: conversation.contactId },
          scope: input.scope,
          source: 'agent',
          proof: [context.lastMessageId, input.reason].filter(Boolean).join(': ') || null,
          occurredAt: now,
        },
        now,
      );
      effects.optedOut = input.scope;
    },
    async endConversation() {
      await closeConversation(db, conversation.id);
      effects.ended = true;
    },
  };
}
