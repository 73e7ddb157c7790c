import type { AgentModel, ConversationLine, TurnInput } from '../agent-model.ts';
import { type OutgoingItem, type RecordedToolCall, runModelLoop } from '../run-model-loop.ts';
import { toolSpecs } from '../tools/index.ts';
import {
  createEvalToolEnvironment,
  type EvalConversationState,
  emptyConversationState,
} from './eval-tool-environment.ts';
import type { Scenario } from './scenario.ts';
import { type ScenarioCheck, scoreScenario } from './score-scenario.ts';

export interface ScenarioTurn {
  customer: string[];
  /** The agent's reply bubbles (empty when it stayed silent or was muted). */
  replies: string[];
  toolCalls: RecordedToolCall[];
  /** Why the agent did not answer: a human took over, or the customer opted out. */
  mutedBy: 'hand_off' | 'opt_out' | null;
  hitStepLimit: boolean;
}

export interface ScenarioResult {
  name: string;
  language: string;
  category: string | null;
  model: string;
  isPassed: boolean;
  checks: ScenarioCheck[];
  turns: ScenarioTurn[];
  state: EvalConversationState;
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  /** The error that stopped the run (the model failed), if any. */
  error: string | null;
  elapsedMs: number;
}

export interface RunScenarioOptions {
  /** Model calls per turn at most, as in a live turn. */
  maxStepsPerTurn?: number;
  stepTimeoutMs?: number;
}

const DEFAULT_MAX_STEPS = 4;
const DEFAULT_STEP_TIMEOUT_MS = 60_000; // 60 s
/** Simulated time between turns, and between the messages of a burst. */
const TURN_GAP_MS = 2 * 60_000; // 2 min
const BURST_GAP_MS = 5_000; // 5 s

/**
 * Plays a scenario against a model, turn by turn, through the same loop as live turns (`runModelLoop`) and
 * the real tools acting on an in-memory conversation: the fields and outcome a turn records are what the
 * next turn sees. A hand-off or an opt-out mutes the agent for the rest, as in production. Then scores it.
 */
export async function runScenario(
  model: AgentModel,
  scenario: Scenario,
  options: RunScenarioOptions = {},
): Promise<ScenarioResult> {
  const startedAt = performance.now();
  const state = emptyConversationState(scenario.leadFields);
  const history: ConversationLine[] = [];
  const turns: ScenarioTurn[] = [];
  const usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  let modelName = model.name;
  let error: string | null = null;

  for (const [index, messages] of scenario.turns.entries()) {
    const now = scenario.now + index * TURN_GAP_MS;
    const newMessages: ConversationLine[] = messages.map((text, position) => ({
      speaker: 'customer',
      text,
      at: now - (messages.length - 1 - position) * BURST_GAP_MS,
    }));
    history.push(...newMessages);
    const mutedBy = state.optedOut ? 'opt_out' : state.handedOff ? 'hand_off' : null;
    if (mutedBy) {
      turns.push({ customer: messages, replies: [], toolCalls: [], mutedBy, hitStepLimit: false });
      continue;
    }
    const input: TurnInput = {
      profile: scenario.profile,
      summary: null,
      history: [...history],
      newMessages,
      leadFields: { ...state.leadFields },
      knowledge: scenario.knowledge,
      tools: toolSpecs(scenario.profile.allowedTools),
      customerName: scenario.customerName,
      now,
      customerTimeZone: scenario.customerTimeZone,
    };
    const environment = createEvalToolEnvironment({
      state,
      profile: scenario.profile,
      customerTimeZone: scenario.customerTimeZone,
      now,
      mediaDocumentIds: scenario.knowledge.map((passage) => passage.documentId),
    });
    const outgoing: OutgoingItem[] = [];
    try {
      const loop = await runModelLoop(model, input, environment, {
        maxSteps: options.maxStepsPerTurn ?? DEFAULT_MAX_STEPS,
        stepTimeoutMs: options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
        outgoing,
      });
      modelName = loop.model;
      usage.inputTokens += loop.usage.inputTokens;
      usage.outputTokens += loop.usage.outputTokens;
      usage.costUsd += loop.usage.costUsd;
      const replies = outgoing.flatMap((item) => (item.kind === 'text' ? [item.text] : []));
      for (const [position, text] of replies.entries())
        history.push({ speaker: 'agent', text, at: now + position + 1 });
      turns.push({
        customer: messages,
        replies,
        toolCalls: loop.toolCalls,
        mutedBy: null,
        hitStepLimit: loop.hitStepLimit,
      });
    } catch (caught) {
      error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
      turns.push({ customer: messages, replies: [], toolCalls: [], mutedBy: null, hitStepLimit: false });
      break;
    }
  }

  const checks = scoreScenario(scenario, { turns, state, error });
  return {
    name: scenario.name,
    language: scenario.language,
    category: scenario.category,
    model: modelName,
    isPassed: checks.every((check) => check.isPassed),
    checks,
    turns,
    state,
    usage,
    error,
    elapsedMs: Math.round(performance.now() - startedAt),
  };
}
