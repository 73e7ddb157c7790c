import { parseWebhook } from './parse-webhook.ts';

/** An inbound message whose whole text is an opt-out keyword, seen at intake before the inbox applies it. */
export interface PendingOptOut {
  /** Meta's id of the business number the customer wrote to. */
  phoneNumberId: string;
  /** The customer's wa_id (E.164 digits), as the outbox's `recipient` holds it. */
  waId: string;
  /** The message's text, as typed (each tenant's own keywords decide at the claim). */
  text: string;
}

/**
 * A key whose string value is a customer's typed or tapped text: a text message's `body`, a template
 * quick-reply's `text`, an interactive reply's `title` (Meta's "Webhooks: messages" reference). Matched on
 * the body read as latin1, one character per byte, so that offsets in it are offsets in the bytes.
 */
const TEXT_VALUE = /"(?:body|text|title)"\s*:\s*"/g;

/** Longer values are sentences, never a keyword (matchOptOutKeyword takes 40 characters at most). */
const MAX_VALUE_BYTES = 240;

/** The types whose keyword text the inbox records as an opt-out (the agent's and the campaigns' event hooks). */
const OPT_OUT_TYPES = new Set(['text', 'button', 'interactive']);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The short JSON string that opens at `quoteAt`, decoded; null when it is long or unterminated. */
function shortStringAt(body: Buffer, bytes: string, quoteAt: number): string | null {
  const limit = Math.min(bytes.length, quoteAt + 1 + MAX_VALUE_BYTES + 1);
  let hasEscape = false;
  for (let at = quoteAt + 1; at < limit; at += 1) {
    const byte = bytes.charCodeAt(at);
    if (byte === BACKSLASH) {
      hasEscape = true;
      at += 1;
    } else if (byte === QUOTE) {
      if (!hasEscape) return body.toString('utf8', quoteAt + 1, at);
      try {
        // Meta escapes every non-ASCII character (`\u00e7`): JSON's own decoder reads them.
        return JSON.parse(body.toString('utf8', quoteAt, at + 1)) as string;
      } catch {
        return null;
      }
    }
  }
  return null;
}

/**
 * Whether any customer text in a raw body is an opt-out keyword. One regular-expression pass over the
 * bytes and a decode of the short values it finds, so that intake, which answers Meta within 250 ms at
 * thousands of deliveries a second, parses no JSON for the statuses and sentences that make up its
 * traffic (measured: about a tenth of the signature check's cost, and of a JSON.parse of the body).
 */
export function hasOptOutText(body: Buffer, isOptOutText: (text: string) => boolean): boolean {
  const bytes = body.toString('latin1');
  TEXT_VALUE.lastIndex = 0;
  for (let match = TEXT_VALUE.exec(bytes); match !== null; match = TEXT_VALUE.exec(bytes)) {
    const value = shortStringAt(body, bytes, TEXT_VALUE.lastIndex - 1);
    if (value !== null && isOptOutText(value)) return true;
  }
  return false;
}

/**
 * The inbound messages of a raw delivery whose whole text is an opt-out keyword. Only a body that passes
 * the byte-level check is parsed. Senders without a wa_id (username-only users) are left out: the outbox
 * addresses recipients by wa_id, and their opt-out is recorded when the inbox applies the delivery.
 */
export function findPendingOptOuts(body: Buffer, isOptOutText: (text: string) => boolean): PendingOptOut[] {
  if (!hasOptOutText(body, isOptOutText)) return [];
  const parsed = parseWebhook(body);
  if (!parsed.ok) return [];
  const found: PendingOptOut[] = [];
  for (const event of parsed.events) {
    if (event.kind !== 'message-received') continue;
    const { message } = event;
    const waId = message.from ?? event.contact.waId;
    if (!event.phoneNumberId || !waId || !OPT_OUT_TYPES.has(message.type)) continue;
    if (message.text === null || !isOptOutText(message.text)) continue;
    found.push({ phoneNumberId: event.phoneNumberId, waId, text: message.text.slice(0, MAX_VALUE_BYTES) });
  }
  return found;
}
