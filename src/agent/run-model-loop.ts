import type { AgentModel, ToolResult, TurnInput, TurnStep } from './agent-model.ts';
import type { MediaAsset } from './knowledge-base.ts';
import { ModelError } from './models/model-error.ts';
import { screenReply } from './screen-reply.ts';
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
  /** Why reply texts were kept from the customer (screen-reply.ts), one entry a bubble: 'tool markup' … */
  withheld: string[];
  /** "One moment" bubbles of later tool steps that were not sent: one such bubble a turn is enough. */
  droppedProgress: number;
}

export interface ModelLoopOptions {
  /** Model calls per turn at most: a model that keeps calling tools is cut off here. */
  maxSteps: number;
  /** Each model call is abandoned after this long. */
  stepTimeoutMs: number;
  /** Where reply bubbles go; tools add media to the same list. */
  outgoing: OutgoingItem[];
  /** The whole loop's bound (the turn's deadline): when it aborts, the loop throws ModelError timeout. */
  signal?: AbortSignal;
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
  const offered = input.tools.map((tool) => tool.name);
  const withheld: string[] = [];
  let droppedProgress = 0;
  let hasProgress = false;
  const result = (hitStepLimit: boolean): ModelLoopResult => ({
    steps,
    toolCalls,
    usage,
    model: modelName,
    modelLatencyMs,
    hitStepLimit,
    withheld,
    droppedProgress,
  });
  for (let index = 0; index < options.maxSteps; index += 1) {
    const started = performance.now();
    const signal = options.signal
      ? AbortSignal.any([options.signal, AbortSignal.timeout(options.stepTimeoutMs)])
      : AbortSignal.timeout(options.stepTimeoutMs);
    const answered = await untilAborted(model.step(input, steps, signal), signal, model.name);
    modelLatencyMs += performance.now() - started;
    modelName = answered.model || modelName;
    usage.inputTokens += answered.usage.inputTokens;
    usage.outputTokens += answered.usage.outputTokens;
    usage.costUsd += answered.usage.costUsd;
    // Tool markup written as text becomes the call it meant (when allowed), and never reaches the customer.
    const calls = [...answered.toolCalls];
    let texts: string[] = [];
    let isCompromised = false;
    for (const reply of answered.replies) {
      const screened = screenReply(reply.trim(), offered);
      if (screened.withheld) withheld.push(screened.withheld);
      // A step that quotes its instructions or garbles a call says nothing reliable in its other bubbles.
      if (screened.withheld && screened.withheld !== 'tool markup') isCompromised = true;
      calls.push(...screened.toolCalls);
      if (screened.text) texts.push(screened.text.slice(0, MAX_BUBBLE_CHARS));
    }
    if (isCompromised) texts = [];
    const step: TurnStep = { ...answered, replies: texts, toolCalls: calls };
    // Text beside tool calls is a progress bubble ("one moment"): the first one goes, later ones do not.
    const isProgress = calls.length > 0 && texts.length > 0;
    if (isProgress && hasProgress) droppedProgress += texts.length;
    else for (const text of texts) options.outgoing.push({ kind: 'text', text });
    if (isProgress) hasProgress = true;
    const results: ToolResult[] = [];
    for (const call of calls) {
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
    if (calls.length === 0) return result(false);
  }
  return result(true);
}

/**
 * The step's answer, or a timeout ModelError as soon as the signal aborts: an adapter that ignores its
 * signal (a hung socket, a model double) cannot hold the turn past its bound.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, modelName: string): Promise<T> {
  const timeout = () =>
    new ModelError('timeout', `${modelName} did not answer in time`, { cause: signal.reason });
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(timeout());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => {});
      reject(timeout());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
