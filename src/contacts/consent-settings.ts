import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import '../campaigns/campaign-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface ConsentSettings {
  /** Opt-out keywords by language (ISO 639-1). A message that is exactly one of them opts the sender out. */
  optOutKeywords: Record<string, string[]>;
  /** What the customer is told once, by language, when a keyword opts them out. */
  confirmationTexts: Record<string, string>;
  /** USD per billable message by Meta pricing category (lowercase), for the funnel's cost estimate. */
  pricesUsd: Record<string, number>;
}

/**
 * Defaults for a tenant with no settings. The keywords are the usual carrier and WhatsApp stop words in
 * English, Portuguese and Spanish, plus the quick-reply texts of the simulator's offer template. The prices
 * are rough per-message list prices (Meta's rate card varies by country; set the tenant's own for real
 * estimates): marketing 0.025 USD, utility and authentication 0.004 USD, service conversations free.
 */
export const DEFAULT_CONSENT_SETTINGS: ConsentSettings = Object.freeze({
  optOutKeywords: {
    en: ['STOP', 'UNSUBSCRIBE', 'STOP ALL', 'OPT OUT', 'STOP PROMOTIONS'],
    pt: ['PARAR', 'PARE', 'SAIR', 'CANCELAR', 'DESCADASTRAR', 'PARAR PROMOÇÕES'],
    es: ['BAJA', 'DARME DE BAJA', 'ALTO', 'DETENER', 'DETENER PROMOCIONES'],
  },
  confirmationTexts: {
    en: 'You will not receive any more messages from us. Thank you.',
    pt: 'Você não receberá mais mensagens nossas. Obrigado.',
    es: 'No recibirás más mensajes nuestros. Gracias.',
  },
  pricesUsd: { marketing: 0.025, utility: 0.004, authentication: 0.004, service: 0 },
});

export async function consentSettingsFor(db: Db, tenantId: string): Promise<ConsentSettings> {
  const row = await db
    .selectFrom('consent_settings')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  if (!row) return DEFAULT_CONSENT_SETTINGS;
  return {
    optOutKeywords: JSON.parse(row.opt_out_keywords) as Record<string, string[]>,
    confirmationTexts: JSON.parse(row.confirmation_texts) as Record<string, string>,
    pricesUsd: JSON.parse(row.prices_usd) as Record<string, number>,
  };
}

export async function saveConsentSettings(
  db: Db,
  tenantId: string,
  patch: Partial<ConsentSettings>,
  now: number,
): Promise<ConsentSettings> {
  const current = await consentSettingsFor(db, tenantId);
  const next: ConsentSettings = {
    optOutKeywords: patch.optOutKeywords ?? current.optOutKeywords,
    confirmationTexts: patch.confirmationTexts ?? current.confirmationTexts,
    pricesUsd: patch.pricesUsd ?? current.pricesUsd,
  };
  const values = {
    opt_out_keywords: JSON.stringify(next.optOutKeywords),
    confirmation_texts: JSON.stringify(next.confirmationTexts),
    prices_usd: JSON.stringify(next.pricesUsd),
    updated_at: now,
  };
  await db
    .insertInto('consent_settings')
    .values({ tenant_id: tenantId, ...values })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet(values))
    .execute();
  return next;
}

/** Upper case, no accents, punctuation or emoji, single spaces: "Parar promoções!" → "PARAR PROMOCOES". */
export function normalizeKeyword(text: string): string {
  const ascii = normalizeAsciiKeyword(text);
  if (ascii !== null) return ascii;
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .toUpperCase();
}

/**
 * normalizeKeyword for ASCII text (most of it), in one pass: Unicode normalization and property classes
 * cost ten times more, and webhook intake runs this on every short customer text. Null for other text.
 */
function normalizeAsciiKeyword(text: string): string | null {
  let normalized = '';
  let isGap = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code > 0x7f) return null;
    const isDigit = code >= 0x30 && code <= 0x39;
    const isUpper = code >= 0x41 && code <= 0x5a;
    const isLower = code >= 0x61 && code <= 0x7a;
    if (!isDigit && !isUpper && !isLower) {
      isGap = normalized !== '';
      continue;
    }
    if (isGap) normalized += ' ';
    isGap = false;
    normalized += isLower ? String.fromCharCode(code - 0x20) : text[index];
  }
  return normalized;
}

/**
 * The language of the opt-out keyword the whole message is, or null. Only an exact match counts, so that
 * "quero cancelar meu pedido" is a sentence for the agent, not an opt-out.
 */
export function matchOptOutKeyword(text: string, keywords: Record<string, string[]>): string | null {
  const normalized = normalizeKeyword(text);
  if (normalized === '' || normalized.length > 40) return null;
  for (const [language, words] of Object.entries(keywords)) {
    if (words.some((word) => normalizeKeyword(word) === normalized)) return language;
  }
  return null;
}
