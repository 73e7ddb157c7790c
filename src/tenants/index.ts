export { createSecretBox, type SecretBox } from './secret-box.ts';
export {
  type AccessTokenKind,
  type AccessTokenView,
  hashApiKey,
  type MetaAppView,
  type PhoneNumberView,
  type Tenant,
  TenantDirectory,
  type WebhookApp,
} from './tenant-directory.ts';
export { tenantRoutes } from './tenant-routes.ts';
