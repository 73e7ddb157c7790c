import { SimulatedGraphError } from './graph-error.ts';

/** A Postman variable, as in Meta's published examples: `{{Recipient-Phone-Number}}`. */
const POSTMAN_VARIABLE = /^\{\{[^{}]+\}\}$/;
/** Meta accepts `+`, `-`, `(`, `)`, dots and spaces around the digits (cloud-api-details.md §3.1). */
const PHONE_PUNCTUATION = /[\s+\-().]/g;

/**
 * Turns the `to` of a send into the customer's WhatsApp id (digits only, 8 to 15 of them as in E.164).
 * A Postman variable from Meta's examples maps to `placeholderRecipient`, so every example is accepted.
 */
export function normalizeRecipient(to: string, placeholderRecipient: string): string {
  const trimmed = to.trim();
  if (POSTMAN_VARIABLE.test(trimmed)) return placeholderRecipient;
  const digits = trimmed.replace(PHONE_PUNCTUATION, '');
  if (!/^\d{8,15}$/.test(digits)) {
    throw new SimulatedGraphError(
      131009,
      `Recipient phone number "${to}" is not a valid WhatsApp phone number`,
    );
  }
  return digits;
}
