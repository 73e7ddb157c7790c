/** Signed webhooks to tenants' own systems: the events they can subscribe to, their endpoints and delivery. */
export {
  emitTenantEvent,
  OUTBOUND_WEBHOOK_JOB,
  TENANT_EVENTS,
  type TenantEvent,
  type TenantEventName,
} from './emit-tenant-event.ts';
export {
  createWebhookPoster,
  OutboundWebhooks,
  SIGNATURE_HEADER,
  signWebhook,
  type WebhookPoster,
} from './outbound-webhooks.ts';
export { webhookEndpointRoutes } from './webhook-endpoint-routes.ts';
