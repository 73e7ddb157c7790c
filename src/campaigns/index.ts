/**
 * Campaigns: contacts import, the consent and opt-out ledger, templates, audiences, schedules with quiet
 * hours and follow-ups, the funnel, and signed webhooks to tenants' own systems.
 */
export { campaignMigrations } from './campaign-migrations.ts';
export {
  type ConsentSettings,
  consentSettingsFor,
  DEFAULT_CONSENT_SETTINGS,
  matchOptOutKeyword,
  normalizeKeyword,
} from './consent-settings.ts';
export { emitTenantEvent, TENANT_EVENTS, type TenantEvent, type TenantEventName } from './emit-tenant-event.ts';
export { type OptInInput, recordOptIn } from './record-opt-in.ts';
export {
  type ContactRef,
  type OptOutInput,
  type OptOutResult,
  type OptOutSource,
  recordOptOut,
} from './record-opt-out.ts';
