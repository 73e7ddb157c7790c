import type { AgentModel, AgentProfile, ConversationLine, TurnInput } from './agent-model.ts';
import type { AgentProfiles } from './agent-profiles.ts';
import type { KnowledgeBase } from './knowledge-base.ts';
import type { ModelSettings } from './model-settings.ts';
import { createPlaygroundToolEnvironment, type PlaygroundState } from './playground-tool-environment.ts';
import { type OutgoingItem, type RecordedToolCall, runModelLoop } from './run-model-loop.ts';
import { sanitizeCustomerName } from './sanitize-customer-name.ts';
import { toolSpecs } from './tools/index.ts';
import { noEffects } from './turn-effects.ts';

export interface PlaygroundRequest {
  campaignId: string | null;
  /** Try a profile before saving it; the stored one (tenant's or campaign's) otherwise. */
  profile: AgentProfile | null;
  /** The conversation so far, oldest first. */
  history: Array<{ speaker: 'customer' | 'agent' | 'human'; text: string }>;
  /** What the customer writes now (a burst of one or more messages). */
  messages: string[];
  leadFields: Record<string, string>;
  summary: string | null;
  customerName: string | null;
  customerTimeZone: string | null;
}

export interface PlaygroundDeps {
  profiles: AgentProfiles;
  knowledge: KnowledgeBase;
  modelFor: (settings: ModelSettings) => AgentModel;
  maxSteps: number;
  stepTimeoutMs: number;
  knowledgeLimit: number;
  now: () => number;
}

/**
 * One agent turn without WhatsApp: the same model, knowledge retrieval, tools and validation as a live
 * turn, with every tool acting in memory. Nothing is stored and nothing is sent.
 */
export async function runPlayground(deps: PlaygroundDeps, tenantId: string, request: PlaygroundRequest) {
  const started = performance.now();
  const now = deps.now();
  const resolved = await deps.profiles.resolve(tenantId, request.campaignId);
  const profile = request.profile ?? resolved.profile;
  const newMessages: ConversationLine[] = request.messages.map((text, index) => ({
    speaker: 'customer',
    text,
    at: now - (request.messages.length - index),
  }));
  const history: ConversationLine[] = [
    ...request.history.map((line, index) => ({
      ...line,
      at: now - 60_000 * (request.history.length - index),
    })),
    ...newMessages,
  ];
  const knowledge = await deps.knowledge.search(tenantId, request.messages.join('\n'), deps.knowledgeLimit);
  const input: TurnInput = {
    profile,
    summary: request.summary,
    history,
    newMessages,
    leadFields: { ...request.leadFields },
    knowledge,
    tools: toolSpecs(profile.allowedTools),
    customerName: sanitizeCustomerName(request.customerName),
    now,
    customerTimeZone: request.customerTimeZone,
  };
  const outgoing: OutgoingItem[] = [];
  const effects = noEffects();
  const state: PlaygroundState = { leadFields: { ...request.leadFields }, outcome: null, callbacks: [] };
  const environment = createPlaygroundToolEnvironment({
    tenantId,
    knowledge: deps.knowledge,
    profile,
    customerTimeZone: request.customerTimeZone,
    now,
    outgoing,
    effects,
    state,
  });
  const loop = await runModelLoop(deps.modelFor(resolved.modelSettings), input, environment, {
    maxSteps: deps.maxSteps,
    stepTimeoutMs: deps.stepTimeoutMs,
    outgoing,
  });
  return {
    replies: outgoing.filter((item) => item.kind === 'text').map((item) => item.text),
    media: outgoing
      .filter((item) => item.kind === 'media')
      .map((item) => ({
        documentId: item.asset.id,
        title: item.asset.title,
        kind: item.asset.mediaKind,
        caption: item.caption,
      })),
    toolCalls: loop.toolCalls satisfies RecordedToolCall[],
    leadFields: state.leadFields,
    outcome: state.outcome,
    callbacks: state.callbacks,
    handedOff: effects.handedOff,
    optedOut: effects.optedOut,
    isEnded: effects.ended,
    knowledge,
    model: loop.model,
    steps: loop.steps.length,
    usage: loop.usage,
    latencyMs: Math.round(performance.now() - started),
    modelLatencyMs: Math.round(loop.modelLatencyMs),
  };
}
