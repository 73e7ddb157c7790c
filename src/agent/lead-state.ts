import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { Outcome } from './tool-names.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Most lead fields kept per conversation, and characters per value: customer text, kept short. */
const MAX_FIELDS = 50;
const MAX_VALUE_CHARS = 300;

/**
 * A lead field value as stored: one line, no control characters, bounded. The value is the customer's
 * text and goes back to the model on later turns, so it must not carry line breaks that could pass for
 * a new instruction block.
 */
export function cleanFieldValue(value: string): string {
  return value
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_VALUE_CHARS);
}

export function parseLeadFields(json: string): Record<string, string> {
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** Adds or replaces lead fields (an empty value removes one); returns all the conversation's fields. */
export async function mergeLeadFields(
  db: Db,
  conversationId: string,
  fields: Record<string, string>,
): Promise<Record<string, string>> {
  const row = await db
    .selectFrom('conversations')
    .select('lead_fields')
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  const merged = parseLeadFields(row.lead_fields);
  for (const [name, value] of Object.entries(fields)) {
    const clean = cleanFieldValue(value);
    if (clean === '') delete merged[name];
    else merged[name] = clean;
  }
  const kept = Object.fromEntries(Object.entries(merged).slice(0, MAX_FIELDS));
  await db
    .updateTable('conversations')
    .set({ lead_fields: JSON.stringify(kept) })
    .where('id', '=', conversationId)
    .execute();
  return kept;
}

export async function setOutcome(db: Db, conversationId: string, outcome: Outcome): Promise<void> {
  await db.updateTable('conversations').set({ outcome }).where('id', '=', conversationId).execute();
}
