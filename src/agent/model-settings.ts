import type { AgentModel } from './agent-model.ts';

export const MODEL_PROVIDERS = ['playbook', 'openai-compatible', 'anthropic'] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

/** Which model a profile talks to. The api key is decrypted only here, on its way to the adapter. */
export interface ModelSettings {
  provider: ModelProvider;
  /** OpenAI-compatible endpoints (OpenAI, Azure, Ollama, vLLM, llama.cpp, OpenRouter); null for the provider's own. */
  baseUrl: string | null;
  /** e.g. gpt-4o-mini, claude-haiku-4-5; null for the adapter's default. */
  model: string | null;
  apiKey: string | null;
}

/** Builds a model from settings: `createModel` of `agent/models/` in production, a double in tests. */
export type ModelFactory = (settings: ModelSettings) => AgentModel;

/** With no settings (or no key for a paid provider) the offline playbook answers. */
export const PLAYBOOK_SETTINGS: ModelSettings = Object.freeze({
  provider: 'playbook',
  baseUrl: null,
  model: null,
  apiKey: null,
});
