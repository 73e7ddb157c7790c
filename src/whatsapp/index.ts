/**
 * WhatsApp intake: the webhook routes, the signature check, the delivery writer (group commit), the inbox
 * worker that parses, routes and applies events, replays, and the webhook metrics. The Graph API client is
 * `whatsapp/graph/`.
 */
export { deliveryRoutes } from './delivery-routes.ts';
export { DeliveryWriter } from './delivery-writer.ts';
export { Metrics } from './metrics.ts';
export { forgetSettledOptOuts, pendingOptOutsOf } from './pending-opt-outs.ts';
export { type AppliedEvent, DeliveryProcessor, type EventHook } from './process-deliveries.ts';
export { replayDeliveries } from './replay-deliveries.ts';
export type {
  AccountUpdateData,
  MessageStatus,
  PhoneNumberNameData,
  PhoneNumberQualityData,
  TemplateCategoryData,
  TemplateComponentsData,
  TemplateQualityData,
  TemplateRef,
  TemplateStatusData,
} from './webhook-events.ts';
export { webhookRoutes } from './webhook-routes.ts';
