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
 * The keys whose string value is a customer's typed or tapped text: a text message's `body`, a template
 * quick-reply's `text`, an interactive reply's `title` (Meta's "Webhooks: messages" reference).
 */
const TEXT_KEYS = [Buffer.from('"body"'), Buffer.from('"text"'), Buffer.from('"title"')];

/** Longer values are sentences, never a keyword (matchOptOutKeyword takes 40 characters at most). */
const MAX_VALUE_BYTES = 240;

/** The types whose keyword text the inbox records as an opt-out (the agent's and the campaigns' event hooks). */
const OPT_OUT_TYPES = new Set(['text', 'button', 'interactive']);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

function isWhitespace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** The short JSON string that follows a key at `from` (`: "…"`), decoded; null for anything else. */
function shortStringAfter(body: Buffer, from: number): string | null {
  let at = from;
  while (isWhitespace(body[at])) at += 1;
  if (body[at] !== COLON) return null;
  at += 1;
  while (isWhitespace(body[at])) at += 1;
  if (body[at] !== QUOTE) return null;
  const start = at;
  const limit = Math.min(body.length, start + 1 + MAX_VALUE_BYTES + 1);
  let hasEscape = false;
  for (at = start + 1; at < limit; at += 1) {
    const byte = body[at];
    if (byte === BACKSLASH) {
      hasEscape = true;
      at += 1;
    } else if (byte === QUOTE) {
      if (!hasEscape) return body.toString('utf8', start + 1, at);
      try {
        // Meta escapes every non-ASCII character (`\u00e7`): JSON's own decoder reads them.
        return JSON.parse(body.toString('utf8', start, at + 1)) as string;
      } catch {
        return null;
      }
    }
  }
  return null;
}

/**
 * Whether any customer text in a raw body is an opt-out keyword. A byte-level scan (three native
 * `indexOf` searches and a decode of short values), so that intake, which answers Meta within 250 ms at
 * thousands of deliveries a second, parses no JSON for the statuses and sentences that make up its traffic.
 */
export function hasOptOutText(body: Buffer, isOptOutText: (text: string) => boolean): boolean {
  for (const key of TEXT_KEYS) {
    for (let at = body.indexOf(key); at !== -1; at = body.indexOf(key, at + key.length)) {
      const value = shortStringAfter(body, at + key.length);
      if (value !== null && isOptOutText(value)) return true;
    }
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
