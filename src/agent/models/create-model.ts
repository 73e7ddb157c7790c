import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import type { AgentModel } from '../agent-model.ts';
import { PlaybookModel, type PlaybookOptions } from '../playbook/playbook-model.ts';
import { AiSdkModel } from './ai-sdk-model.ts';
import { ModelError } from './model-error.ts';
import type { PriceTable } from './model-prices.ts';

/**
 * Which model to talk to. Either the exact shapes
 *   { provider: 'playbook' }
 *   { provider: 'openai-compatible', baseUrl, apiKey, model }
 *   { provider: 'anthropic', apiKey, model, baseUrl? }
 * or the stored form with nulls for "the default" (agent/model-settings.ts): both are accepted.
 */
export interface ModelConnectionSettings {
  provider: 'playbook' | 'openai-compatible' | 'anthropic';
  /** OpenAI-compatible: the API root, e.g. http://127.0.0.1:11434/v1 for Ollama. Anthropic: a proxy, if any. */
  baseUrl?: string | null;
  /** Optional for OpenAI-compatible servers that need none (Ollama, vLLM, llama.cpp on a private network). */
  apiKey?: string | null;
  model?: string | null;
}

export interface CreateModelOptions {
  /** Per-model prices that replace the built-in list (see model-prices.ts). */
  prices?: PriceTable;
  maxRetries?: number;
  timeoutMs?: number;
  maxOutputTokens?: number;
  playbook?: PlaybookOptions;
  /**
   * The providers' HTTP client. Coxcox passes one that refuses private addresses (net/safe-dispatcher.ts),
   * since a tenant chooses the base URL; the global fetch otherwise (the eval CLI, tests).
   */
  fetch?: typeof globalThis.fetch;
}

/** Defaults when a setting is left empty: OpenAI's own endpoint, and small, cheap models that handle tools well. */
export const MODEL_DEFAULTS = {
  openAiBaseUrl: 'https://api.openai.com/v1',
  openAiModel: 'gpt-4o-mini',
  anthropicBaseUrl: 'https://api.anthropic.com/v1',
  anthropicModel: 'claude-haiku-4-5',
} as const;

const ANTHROPIC_MAX_OUTPUT_TOKENS = 1_024;

export interface LanguageModelConnection {
  languageModel: Exclude<LanguageModel, string>;
  provider: 'openai-compatible' | 'anthropic';
  modelId: string;
  /** The base URL calls go to, for messages. */
  endpoint: string;
  /** What error messages must not repeat (the API key). */
  secrets: string[];
}

function checkedUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ModelError(
      'invalid_settings',
      `baseUrl "${value}" is not a URL; set it like https://api.openai.com/v1`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ModelError(
      'invalid_settings',
      `baseUrl must start with http:// or https://, not ${url.protocol}`,
    );
  }
  return value.replace(/\/+$/, '');
}

function present(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** The AI SDK provider model for paid or self-hosted settings; ModelError invalid_settings names what is missing. */
export function createLanguageModel(
  settings: ModelConnectionSettings,
  transport: Pick<CreateModelOptions, 'fetch'> = {},
): LanguageModelConnection {
  const fetchOption = transport.fetch ? { fetch: transport.fetch } : {};
  const apiKey = present(settings.apiKey);
  if (settings.provider === 'openai-compatible') {
    const endpoint = checkedUrl(present(settings.baseUrl) ?? MODEL_DEFAULTS.openAiBaseUrl);
    const modelId = present(settings.model) ?? MODEL_DEFAULTS.openAiModel;
    if (!apiKey && new URL(endpoint).hostname === 'api.openai.com') {
      throw new ModelError('invalid_settings', 'apiKey is required for api.openai.com');
    }
    const provider = createOpenAICompatible({
      name: 'openai-compatible',
      baseURL: endpoint,
      ...(apiKey ? { apiKey } : {}),
      // Token counts also when the SDK streams, for the turn records and the spend limit.
      includeUsage: true,
      ...fetchOption,
    });
    return {
      languageModel: provider.chatModel(modelId),
      provider: 'openai-compatible',
      modelId,
      endpoint,
      secrets: apiKey ? [apiKey] : [],
    };
  }
  if (settings.provider === 'anthropic') {
    // Without a key the SDK would read ANTHROPIC_API_KEY from the environment: settings are the one source.
    if (!apiKey) throw new ModelError('invalid_settings', 'apiKey is required for Anthropic');
    const endpoint = checkedUrl(present(settings.baseUrl) ?? MODEL_DEFAULTS.anthropicBaseUrl);
    const modelId = present(settings.model) ?? MODEL_DEFAULTS.anthropicModel;
    const provider = createAnthropic({ apiKey, baseURL: endpoint, ...fetchOption });
    return {
      languageModel: provider.messages(modelId),
      provider: 'anthropic',
      modelId,
      endpoint,
      secrets: [apiKey],
    };
  }
  throw new ModelError('invalid_settings', `provider "${settings.provider}" does not use a language model`);
}

/** The AgentModel for a tenant's settings: the offline playbook, or a language model through the AI SDK. */
export function createModel(settings: ModelConnectionSettings, options: CreateModelOptions = {}): AgentModel {
  if (settings.provider === 'playbook') return new PlaybookModel(options.playbook);
  if (settings.provider !== 'openai-compatible' && settings.provider !== 'anthropic') {
    throw new ModelError(
      'invalid_settings',
      `provider must be playbook, openai-compatible or anthropic, not "${String(settings.provider)}"`,
    );
  }
  const connection = createLanguageModel(settings, options);
  // Anthropic requires max_tokens and the SDK sends the model's maximum (64,000 for Haiku 4.5) when none is
  // given: a WhatsApp reply needs a tiny fraction, and the cap bounds what a runaway answer costs.
  const maxOutputTokens =
    options.maxOutputTokens ??
    (connection.provider === 'anthropic' ? ANTHROPIC_MAX_OUTPUT_TOKENS : undefined);
  return new AiSdkModel({
    ...connection,
    ...(options.prices ? { prices: options.prices } : {}),
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
  });
}
