/**
 * Campaigns: contacts import, the consent and opt-out ledger, templates, audiences, schedules with
 * sending hours and follow-ups, the funnel, and signed webhooks to tenants' own systems.
 */
export { addDoNotContact } from './add-do-not-contact.ts';
export { campaignFunnel, type Funnel, type FunnelRow, funnelCsv } from './campaign-funnel.ts';
export { campaignMigrations } from './campaign-migrations.ts';
export type { CampaignInput, Campaigns, CampaignView } from './campaigns.ts';
export {
  type ConsentSettings,
  consentSettingsFor,
  DEFAULT_CONSENT_SETTINGS,
  matchOptOutKeyword,
  normalizeKeyword,
  saveConsentSettings,
} from './consent-settings.ts';
export type { ContactImports, ImportView, NewImport } from './contact-imports.ts';
export {
  type CampaignsConfig,
  type CampaignsDomain,
  type CreateCampaignsOptions,
  createCampaigns,
  DEFAULT_CAMPAIGNS_CONFIG,
} from './create-campaigns.ts';
export {
  emitTenantEvent,
  TENANT_EVENTS,
  type TenantEvent,
  type TenantEventName,
} from './emit-tenant-event.ts';
export { normalizePhone } from './normalize-phone.ts';
export { createOptOutTextMatcher, type OptOutTextMatcher } from './opt-out-text-matcher.ts';
export { SIGNATURE_HEADER, signWebhook, type WebhookPoster } from './outbound-webhooks.ts';
export { type OptInInput, recordOptIn } from './record-opt-in.ts';
export {
  type ContactRef,
  type OptOutInput,
  type OptOutResult,
  type OptOutSource,
  recordOptOut,
} from './record-opt-out.ts';
export { requireCampaign } from './require-campaign.ts';
