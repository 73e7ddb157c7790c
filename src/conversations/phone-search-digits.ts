/** Digits, with the separators people type or paste between them: `+55 (11) 98765-0001`, `11.98765.0001`. */
const PHONE_FRAGMENT = /^\+?[\d\s().\-/]+$/;
const MIN_DIGITS = 3;
/** A national number with its trunk prefix is at least this long ("011 98765-0001", "07700 900123"). */
const MIN_NATIONAL_DIGITS = 8;

/**
 * The digit strings a search looks for inside a contact's wa_id (E.164 digits, no `+`), when the search is
 * part of a phone number: the last digits ("0001"), the start ("+55 11 98765") or the local form
 * ("(11) 98765-0001"). A national number's trunk prefix (the 0 of "011 98765-0001") is not part of the
 * international number, so such a search is also tried without it. Any other search (a name, "Room 101")
 * gives none: it is not a number.
 */
export function phoneSearchDigits(search: string): string[] {
  const trimmed = search.trim();
  if (!PHONE_FRAGMENT.test(trimmed)) return [];
  const digits = trimmed.replace(/\D/g, '');
  if (digits.length < MIN_DIGITS) return [];
  const withoutTrunk = digits.replace(/^0+/, '');
  return digits.length >= MIN_NATIONAL_DIGITS && withoutTrunk !== digits && withoutTrunk.length >= MIN_DIGITS
    ? [digits, withoutTrunk]
    : [digits];
}
