export { Dispatcher, type DispatcherOptions, type SendOutcome } from './dispatcher.ts';
export {
  type Enqueued,
  type EnqueueInput,
  enqueueMessage,
  type MessageSource,
  normalizeRecipient,
} from './enqueue-message.ts';
export * from './pacing.ts';
export { reconcileStatus } from './reconcile-status.ts';
export { sendRoutes } from './send-routes.ts';
