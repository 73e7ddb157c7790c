import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import '../campaigns/campaign-schema.ts';
import { CONTACT_STATE_RANKS } from '../campaigns/contact-states.ts';
import { withdrawCampaignMessages } from '../campaigns/withdraw-campaign-messages.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface DoNotContactEntry {
  /** E.164 digits. */
  waId: string;
  reason: string | null;
}

/**
 * Adds numbers to the tenant's do-not-contact list (a suppression list: the numbers need not be contacts)
 * and suppresses them at once: their queued campaign messages are withdrawn and their part in every
 * campaign ends. Returns how many numbers were new to the list.
 */
export async function addDoNotContact(
  db: Db,
  tenantId: string,
  entries: DoNotContactEntry[],
  source: { source: string; importId: string | null },
  now: number,
): Promise<number> {
  if (entries.length === 0) return 0;
  const unique: DoNotContactEntry[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.waId)) continue; // the first reason given for a number is kept
    seen.add(entry.waId);
    unique.push(entry);
  }
  const waIds = unique.map((entry) => entry.waId);
  const existing = new Set(
    (
      await db
        .selectFrom('do_not_contact')
        .select('wa_id')
        .where('tenant_id', '=', tenantId)
        .where('wa_id', 'in', waIds)
        .execute()
    ).map((row) => row.wa_id),
  );
  const fresh = unique.filter((entry) => !existing.has(entry.waId));
  if (fresh.length > 0) {
    await db
      .insertInto('do_not_contact')
      .values(
        fresh.map((entry) => ({
          tenant_id: tenantId,
          wa_id: entry.waId,
          reason: entry.reason,
          source: source.source,
          import_id: source.importId,
          created_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['tenant_id', 'wa_id']).doNothing())
      .execute();
    const contactIds = (
      await db
        .selectFrom('contacts')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where(
          'wa_id',
          'in',
          fresh.map((entry) => entry.waId),
        )
        .execute()
    ).map((row) => row.id);
    if (contactIds.length > 0) {
      await withdrawCampaignMessages(db, { tenantId, contactIds, reason: 'do_not_contact' }, now);
      await db
        .updateTable('campaign_contacts')
        .set({
          state: 'suppressed',
          state_rank: CONTACT_STATE_RANKS.suppressed,
          next_step: null,
          due_at: null,
          updated_at: now,
        })
        .where('tenant_id', '=', tenantId)
        .where('contact_id', 'in', contactIds)
        .where('state_rank', '<', CONTACT_STATE_RANKS.suppressed)
        .execute();
    }
  }
  return fresh.length;
}
