import type { AgentProfile } from '../agent-model.ts';
import type { CallbackView } from '../callbacks.ts';
import { toCallbackView } from '../callbacks.ts';
import { cleanFieldValue } from '../lead-state.ts';
import type { Outcome } from '../tool-names.ts';
import type { ToolEnvironment } from '../tools/index.ts';

/** Everything the agent's tools changed during a scenario, in memory. */
export interface EvalConversationState {
  leadFields: Record<string, string>;
  outcome: Outcome | null;
  outcomeNote: string | null;
  callbacks: CallbackView[];
  handedOff: { reason: string; summary: string } | null;
  optedOut: { scope: 'all' | 'marketing'; reason: string | null } | null;
  endedReason: string | null;
  /** Media the agent sent, by document id. */
  media: Array<{ documentId: string; caption: string | null }>;
}

export function emptyConversationState(leadFields: Record<string, string> = {}): EvalConversationState {
  return {
    leadFields: { ...leadFields },
    outcome: null,
    outcomeNote: null,
    callbacks: [],
    handedOff: null,
    optedOut: null,
    endedReason: null,
    media: [],
  };
}

/**
 * The tools' port for the evaluation: the real tools (their argument validation and answers, through
 * `executeToolCall`) acting on an in-memory conversation, so that later turns see the fields and outcome.
 * The knowledge passages stand in for media assets: sending one by its document id works.
 */
export function createEvalToolEnvironment(context: {
  state: EvalConversationState;
  profile: AgentProfile;
  customerTimeZone: string | null;
  now: number;
  mediaDocumentIds: readonly string[];
}): ToolEnvironment {
  const { state } = context;
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
    async setOutcome(outcome, note) {
      state.outcome = outcome;
      state.outcomeNote = note;
    },
    async scheduleCallback(input) {
      const callback = toCallbackView({
        id: `eval-callback-${state.callbacks.length + 1}`,
        tenant_id: 'eval',
        conversation_id: 'eval',
        contact_id: 'eval',
        scheduled_at: input.scheduledAt,
        time_zone: input.timeZone,
        note: input.note,
        state: 'scheduled',
        created_at: context.now,
      });
      state.callbacks.push(callback);
      return callback;
    },
    async findMedia(documentId) {
      if (!context.mediaDocumentIds.includes(documentId)) return null;
      return {
        id: documentId,
        title: documentId,
        mediaUrl: `https://example.invalid/${documentId}`,
        mediaKind: 'document',
      };
    },
    queueMedia(asset, caption) {
      state.media.push({ documentId: asset.id, caption });
    },
    async handOff(input) {
      state.handedOff = input;
    },
    async optOut(input) {
      state.optedOut = input;
    },
    async endConversation(reason) {
      state.endedReason = reason;
    },
  };
}
