/**
 * Contacts and consent: the contact import (streamed, resumable), tags, the do-not-contact list, the
 * consent and opt-out ledger with each tenant's consent settings, and the contacts' time zones.
 */
export { addDoNotContact } from './add-do-not-contact.ts';
export { consentRoutes } from './consent-routes.ts';
export {
  type ConsentSettings,
  consentSettingsFor,
  DEFAULT_CONSENT_SETTINGS,
  matchOptOutKeyword,
  normalizeKeyword,
  saveConsentSettings,
} from './consent-settings.ts';
export { CONTACT_IMPORT_JOB, ContactImports, type ImportView, type NewImport } from './contact-imports.ts';
export { contactRoutes } from './contact-routes.ts';
export { isValidTimeZone } from './country-time-zone.ts';
export { csvField } from './csv-field.ts';
export { fillContactZones } from './fill-contact-zones.ts';
export { importRoutes } from './import-routes.ts';
export { normalizePhone } from './normalize-phone.ts';
export { createOptOutTextMatcher, type OptOutTextMatcher } from './opt-out-text-matcher.ts';
export { type OptInInput, recordOptIn } from './record-opt-in.ts';
export {
  type ContactRef,
  type OptOutInput,
  type OptOutResult,
  type OptOutSource,
  recordOptOut,
} from './record-opt-out.ts';
export { sortableId } from './sortable-id.ts';
export { sweepMarketingOptOuts } from './sweep-marketing-opt-outs.ts';
