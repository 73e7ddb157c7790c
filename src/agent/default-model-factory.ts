import { AppError } from '../http/app-error.ts';
import type { ModelFactory } from './model-settings.ts';

/**
 * The model factory Coxcox uses unless told otherwise. Until the adapters of `agent/models/` are in place
 * it refuses, so a turn fails visibly (recorded, retried, then handed to a human) rather than guessing.
 */
export const defaultModelFactory: ModelFactory = (settings) => {
  throw new AppError('unavailable', `no model adapter for provider "${settings.provider}" is installed yet`);
};
