import type { Kysely } from 'kysely';
import { upsertContact } from '../conversations/index.ts';
import type { Database } from '../store/schema.ts';
import '../campaigns/campaign-schema.ts';
import { recordOptOut } from './record-opt-out.ts';

/**
 * Error 131050 ("the user stopped marketing messages from this business") can come back from the send
 * call itself, not only in a status webhook; the dispatcher then fails the outbox row with that code.
 * This finds such rows updated since `sinceMs` (an index on error_code makes it cheap) and records the
 * marketing opt-out, for sends of any source. Already opted-out contacts are left as they are. Returns
 * how many opt-outs were new.
 */
export async function sweepMarketingOptOuts(
  db: Kysely<Database>,
  sinceMs: number,
  now: number,
): Promise<number> {
  const rows = await db
    .selectFrom('outbox')
    .select(['tenant_id', 'recipient', 'error_title'])
    .distinct()
    .where('error_code', '=', 131050)
    .where('updated_at', '>=', sinceMs)
    .where('state', '=', 'failed')
    .execute();
  let count = 0;
  for (const row of rows) {
    const isNew = await db.transaction().execute(async (trx) => {
      const contactId = await upsertContact(trx, row.tenant_id, { waId: row.recipient, userId: null }, now);
      const contact = contactId
        ? await trx
            .selectFrom('contacts')
            .select('marketing_opted_out_at')
            .where('id', '=', contactId)
            .executeTakeFirst()
        : undefined;
      if (!contactId || contact?.marketing_opted_out_at !== null) return false;
      const result = await recordOptOut(
        trx,
        {
          tenantId: row.tenant_id,
          contact: { contactId },
          scope: 'marketing',
          source: 'error_131050',
          proof: row.error_title ?? 'error 131050 at send',
        },
        now,
      );
      return result.isNew;
    });
    if (isNew) count += 1;
  }
  return count;
}
