import type { ModelFactory } from './model-settings.ts';
import { createModel } from './models/create-model.ts';

/**
 * The model factory Coxcox uses unless told otherwise: the offline playbook, or an OpenAI-compatible or
 * Anthropic model through the AI SDK (agent/models). A tenant chooses the base URL, so its calls go through
 * `fetch`, which refuses private addresses (net/safe-dispatcher.ts). Tests and the benchmark pass their own.
 */
export function createDefaultModelFactory(options: { fetch: typeof globalThis.fetch }): ModelFactory {
  return (settings) => createModel(settings, { fetch: options.fetch });
}
