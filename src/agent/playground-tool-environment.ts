import { randomUUID } from 'node:crypto';
import type { AgentProfile } from './agent-model.ts';
import { type CallbackView, LOST_OUTCOMES, toCallbackView } from './callbacks.ts';
import type { KnowledgeBase } from './knowledge-base.ts';
import { cleanFieldValue } from './lead-state.ts';
import type { OutgoingItem } from './run-model-loop.ts';
import type { Outcome } from './tool-names.ts';
import type { ToolEnvironment } from './tools/index.ts';
import type { TurnEffects } from './turn-effects.ts';

export interface PlaygroundState {
  leadFields: Record<string, string>;
  outcome: Outcome | null;
  callbacks: CallbackView[];
}

/** The tools' port for the playground: the same validation and answers, with every change kept in memory. */
export function createPlaygroundToolEnvironment(context: {
  tenantId: string;
  knowledge: KnowledgeBase;
  profile: AgentProfile;
  customerTimeZone: string | null;
  now: number;
  outgoing: OutgoingItem[];
  effects: TurnEffects;
  state: PlaygroundState;
}): ToolEnvironment {
  const { state, effects } = context;
  return {
    isDryRun: true,
    now: context.now,
    profile: context.profile,
    customerTimeZone: context.customerTimeZone,
    async mergeLeadFields(fields) {
      for (const [name, value] of Object.entries(fields)) {
        const clean = cleanFieldValue(value);
        if (clean === '') delete state.leadFields[name];
        else state.leadFields[name] = clean;
      }
      return { ...state.leadFields };
    },
    // The same rules as a live conversation: a lost sale cancels the calls, a call makes the lead live again.
    async setOutcome(outcome) {
      state.outcome = outcome;
      if (LOST_OUTCOMES.has(outcome)) cancelAll(state.callbacks);
    },
    async scheduleCallback(input) {
      const callback = toCallbackView({
        id: `playground-${randomUUID()}`,
        tenant_id: context.tenantId,
        conversation_id: 'playground',
        contact_id: 'playground',
        scheduled_at: input.scheduledAt,
        time_zone: input.timeZone,
        note: input.note,
        state: 'scheduled',
        created_at: context.now,
      });
      state.callbacks.push(callback);
      if (state.outcome !== null && LOST_OUTCOMES.has(state.outcome)) state.outcome = 'callback';
      return callback;
    },
    findMedia: (documentId) => context.knowledge.mediaAsset(context.tenantId, documentId),
    queueMedia(asset, caption) {
      context.outgoing.push({ kind: 'media', asset, caption });
    },
    async handOff(input) {
      effects.handedOff = input;
    },
    async optOut(input) {
      effects.optedOut = input.scope;
      if (input.scope === 'all') cancelAll(state.callbacks);
    },
    async endConversation() {
      effects.ended = true;
    },
  };
}

function cancelAll(callbacks: CallbackView[]): void {
  for (const callback of callbacks) if (callback.state === 'scheduled') callback.state = 'cancelled';
}
