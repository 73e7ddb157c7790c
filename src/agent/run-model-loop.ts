import type { AgentModel, ToolResult, TurnInput, TurnStep } from './agent-model.ts';
import type { MediaAsset } from './knowledge-base.ts';
import { executeToolCall, type ToolEnvironment } from './tools/index.ts';

/** What a turn sends, in order: reply bubbles and media assets. */
export type OutgoingItem =
  | { kind: 'text'; text: string }
  | { kind: 'media'; asset: MediaAsset; caption: string | null };

export interface RecordedToolCall {
  name: string;
  arguments: unknown;
  result: unknown;
  isError: boolean;
}

export interface ModelLoopResult {
  steps: Array<{ step: TurnStep; results: ToolResult[] }>;
  toolCalls: RecordedToolCall[];
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  model: string;
  /** Time spent waiting for the model, to tell it apart from our own overhead. */
  modelLatencyMs: number;
  /** True when the model still wanted tools at the step limit. */
  hitStepLimit: boolean;
}

export interface ModelLoopOptions {
  /** Model calls per turn at most: a model that keeps calling tools is cut off here. */
  maxSteps: number;
  /** Each model call is abandoned after this long. */
  stepTimeoutMs: number;
  /** Where reply bubbles go; tools add media to the same list. */
  outgoing: OutgoingItem[];
}

/** Reply bubbles are WhatsApp text messages: Meta's limit is 4,096 characters a body. */
const MAX_BUBBLE_CHARS = 4096;

/**
 * Calls the model, runs the tools it asks for, and calls it again with their results, until it answers
 * without tool calls or the step limit is reached. The same loop serves live turns and the playground;
 * only the tool environment differs.
 */
export async function runModelLoop(
  model: AgentModel,
  input: TurnInput,
  environment: ToolEnvironment,
  options: ModelLoopOptions,
): Promise<ModelLoopResult> {
  const steps: ModelLoopResult['steps'] = [];
  const toolCalls: RecordedToolCall[] = [];
  const usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  let modelLatencyMs = 0;
  let modelName = model.name;
  const allowed = input.profile.allowedTools;
  for (let index = 0; index < options.maxSteps; index += 1) {
    const started = performance.now();
    const step = await model.step(input, steps, AbortSignal.timeout(options.stepTimeoutMs));
    modelLatencyMs += performance.now() - started;
    modelName = step.model || modelName;
    usage.inputTokens += step.usage.inputTokens;
    usage.outputTokens += step.usage.outputTokens;
    usage.costUsd += step.usage.costUsd;
    for (const reply of step.replies) {
      const text = reply.trim();
      if (text !== '') options.outgoing.push({ kind: 'text', text: text.slice(0, MAX_BUBBLE_CHARS) });
    }
    const results: ToolResult[] = [];
    for (const call of step.toolCalls) {
      const result = await executeToolCall(environment, call, allowed);
      results.push(result);
      toolCalls.push({
        name: call.name,
        arguments: call.arguments,
        result: result.result,
        isError: result.isError,
      });
    }
    steps.push({ step, results });
    if (step.toolCalls.length === 0) {
      return { steps, toolCalls, usage, model: modelName, modelLatencyMs, hitStepLimit: false };
    }
  }
  return { steps, toolCalls, usage, model: modelName, modelLatencyMs, hitStepLimit: true };
}
