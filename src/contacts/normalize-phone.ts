import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type NormalizedPhone =
  | {
      ok: true;
      e164: string /** E.164 digits: the contact key, as Meta's wa_id. */;
      waId: string;
      country: string | null;
    }
  | { ok: false; reason: string };

export function isCountryCode(value: string): value is CountryCode {
  return isSupportedCountry(value.toUpperCase());
}

/**
 * A phone number as written in a list ("(11) 98765-4321", "+55 11 98765 4321", "5511987654321") to
 * E.164. A number without `+` is read in the default country, unless it already starts with a country
 * code that makes it valid. The full metadata (`libphonenumber-js/max`) checks the number really exists
 * in its country's plan, so typos are reported, not sent to Meta to fail with 131026.
 */
export function normalizePhone(raw: string, defaultCountry: CountryCode | null): NormalizedPhone {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'missing phone number' };
  if (text.length > 40) return { ok: false, reason: 'phone number is longer than 40 characters' };
  let parsed = parsePhoneNumberFromString(text, defaultCountry ?? undefined);
  if (!parsed?.isValid() && !text.startsWith('+') && /^\d{8,15}$/.test(text.replace(/[\s().-]/g, ''))) {
    // "5511987654321" in a US list: digits that only make sense with their own country code.
    const international = parsePhoneNumberFromString(`+${text.replace(/\D/g, '')}`);
    if (international?.isValid()) parsed = international;
  }
  if (!parsed) {
    return {
      ok: false,
      reason: defaultCountry
        ? `"${text}" is not a phone number`
        : `"${text}" has no country code (+…) and the import has no default country`,
    };
  }
  if (!parsed.isValid()) {
    return {
      ok: false,
      reason: `"${text}" is not a valid number${parsed.country ? ` in ${parsed.country}` : ''}`,
    };
  }
  return { ok: true, e164: parsed.number, waId: parsed.number.slice(1), country: parsed.country ?? null };
}
