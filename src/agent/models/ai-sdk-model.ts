import { generateText, jsonSchema, type LanguageModel, type Tool, tool } from 'ai';
import { z } from 'zod';
import type { AgentModel, ToolCall, ToolResult, ToolSpec, TurnInput, TurnStep } from '../agent-model.ts';
import { buildMessages } from './build-messages.ts';
import { buildSystemPrompt } from './build-system-prompt.ts';
import { ModelError, toModelError } from './model-error.ts';
import { costUsd, type PriceTable } from './model-prices.ts';

export interface AiSdkModelOptions {
  /** A provider's model object (never a gateway id string: calls go straight to the configured endpoint). */
  languageModel: Exclude<LanguageModel, string>;
  /** 'openai-compatible' or 'anthropic': names the model in turn records, e.g. 'anthropic:claude-haiku-4-5'. */
  provider: string;
  modelId: string;
  /** Where the calls go, for error messages ("https://api.openai.com/v1 answered HTTP 401 …"). */
  endpoint: string;
  prices?: PriceTable;
  /** Strings never to repeat in an error message: the API key. */
  secrets?: readonly string[];
  /** Retries of 429 and 5xx answers inside one step, with the SDK's backoff (2 s, then 4 s). Default 2. */
  maxRetries?: number;
  /** Longest a step may take, retries included. Default 60 s. */
  timeoutMs?: number;
  /**
   * A cap on the answer's tokens. Not sent unless set: OpenAI's reasoning models refuse `max_tokens` on
   * chat completions, and the per-conversation spend limit bounds cost anyway.
   */
  maxOutputTokens?: number;
}

const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_TIMEOUT_MS = 60_000; // 60 s

/** The part of generateText's result this adapter reads, checked before it is trusted. */
const resultSchema = z.object({
  text: z.string(),
  toolCalls: z.array(
    z.object({ toolCallId: z.string().min(1), toolName: z.string().min(1), input: z.unknown() }),
  ),
  usage: z.object({
    inputTokens: z.number().int().nonnegative().optional(),
    outputTokens: z.number().int().nonnegative().optional(),
  }),
});

/** Tools are declared without `execute`: the model only proposes calls, and the turn runner executes them. */
function toAiSdkTools(specs: readonly ToolSpec[]): Record<string, Tool> {
  return Object.fromEntries(
    specs.map((spec) => [
      spec.name,
      tool({ description: spec.description, inputSchema: jsonSchema(spec.parameters) }),
    ]),
  );
}

/** Bubbles are separated by blank lines (the system prompt asks for it). */
function toReplies(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((bubble) => bubble.trim())
    .filter((bubble) => bubble.length > 0);
}

/**
 * An AgentModel over the Vercel AI SDK, for any provider object (OpenAI-compatible endpoints, Anthropic).
 * One `step` is one model call: it converts the turn to a system prompt, messages and tool declarations,
 * posts it, validates the answer and maps it to replies, tool calls and usage. It decides nothing itself.
 */
export class AiSdkModel implements AgentModel {
  readonly name: string;
  readonly #options: AiSdkModelOptions;

  constructor(options: AiSdkModelOptions) {
    this.#options = options;
    this.name = `${options.provider}:${options.modelId}`;
  }

  async step(
    input: TurnInput,
    previousSteps: Array<{ step: TurnStep; results: ToolResult[] }>,
    signal?: AbortSignal,
  ): Promise<TurnStep> {
    const options = this.#options;
    let raw: unknown;
    try {
      const tools = toAiSdkTools(input.tools);
      raw = await generateText({
        model: options.languageModel,
        instructions: buildSystemPrompt(input),
        messages: buildMessages(input, previousSteps),
        ...(input.tools.length > 0 ? { tools, toolChoice: 'auto' as const } : {}),
        maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
        ...(options.maxOutputTokens !== undefined ? { maxOutputTokens: options.maxOutputTokens } : {}),
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        ...(signal ? { abortSignal: signal } : {}),
      });
    } catch (error) {
      throw toModelError(error, options.endpoint, options.secrets);
    }
    const parsed = resultSchema.safeParse(raw);
    if (!parsed.success) {
      throw new ModelError(
        'invalid_response',
        `${options.endpoint} answered a completion this adapter cannot read: ${z.prettifyError(parsed.error)}`,
      );
    }
    const { text, toolCalls, usage } = parsed.data;
    const tokens = { inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 };
    return {
      replies: toReplies(text),
      // Calls to unknown tools or with unparsable arguments are passed on too: the runner answers them with
      // an error result, and the model corrects itself in the next step.
      toolCalls: toolCalls.map(
        (call): ToolCall => ({ id: call.toolCallId, name: call.toolName, arguments: call.input }),
      ),
      usage: { ...tokens, costUsd: costUsd(options.modelId, tokens, options.prices) },
      model: this.name,
    };
  }
}
