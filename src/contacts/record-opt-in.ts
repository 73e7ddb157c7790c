import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import { type ContactRef, resolveContactId } from './record-opt-out.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface OptInInput {
  tenantId: string;
  contact: ContactRef;
  /**
   * `all` lifts a stop request. `marketing` lifts a marketing-only stop: Meta's own `resume`, since Meta
   * keeps refusing marketing templates (131050) until the customer resumes in WhatsApp.
   */
  scope: 'all' | 'marketing';
  /** web_form, checkout, api, user_preferences … */
  source: string;
  proof?: string | null;
  occurredAt?: number;
}

/**
 * Records a consent given (or given back) in the ledger and lifts the matching opt-out. Imports write
 * their rows' opt-ins directly and never lift an opt-out: a list the tenant uploads cannot re-subscribe
 * someone who said stop; only the customer's own act, recorded here, can.
 */
export async function recordOptIn(
  db: Db,
  input: OptInInput,
  now: number = Date.now(),
): Promise<string | null> {
  const contactId = await resolveContactId(db, input.tenantId, input.contact, now);
  if (!contactId) return null;
  const occurredAt = input.occurredAt ?? now;
  await db
    .insertInto('consent_events')
    .values({
      tenant_id: input.tenantId,
      contact_id: contactId,
      kind: 'opt_in',
      scope: input.scope,
      source: input.source,
      proof: input.proof?.slice(0, 2000) ?? null,
      occurred_at: occurredAt,
      created_at: now,
    })
    .execute();
  await db
    .updateTable('contacts')
    .set(
      input.scope === 'all'
        ? { opted_out_at: null, updated_at: now }
        : { marketing_opted_out_at: null, updated_at: now },
    )
    .where('id', '=', contactId)
    .execute();
  return contactId;
}
