export {
  decideEntitlement,
  type Entitlement,
  type EntitlementInput,
  REFUSAL_REASONS,
  type RefusalReason,
} from './app-entitlement.ts';
export { createSecretBox, type SecretBox } from './secret-box.ts';
export {
  type AccessTokenKind,
  type AccessTokenView,
  type AssetOwner,
  hashApiKey,
  type MetaAppView,
  type PhoneNumberView,
  type Tenant,
  TenantDirectory,
  type WebhookApp,
} from './tenant-directory.ts';
export { tenantRoutes } from './tenant-routes.ts';
