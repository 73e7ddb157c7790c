export { classifyAddress } from './classify-address.ts';
export {
  createSafeDispatcher,
  createSafeFetch,
  refusalOfUrl,
  type SafeDispatcherOptions,
  type TargetPolicy,
} from './safe-dispatcher.ts';
export { ALLOW_PRIVATE_SETTING, findTargetRefusal, TargetRefusedError } from './target-refused-error.ts';
