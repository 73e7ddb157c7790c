import type { ModelFactory } from './model-settings.ts';
import { createModel } from './models/create-model.ts';

/**
 * The model factory Coxcox uses unless told otherwise: the offline playbook, or an OpenAI-compatible or
 * Anthropic model through the AI SDK (agent/models). Tests and the benchmark pass their own.
 */
export const defaultModelFactory: ModelFactory = (settings) => createModel(settings);
