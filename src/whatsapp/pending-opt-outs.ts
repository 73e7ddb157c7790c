import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The opt-out keywords written by these recipients to one number whose delivery still waits in the inbox
 * (stored, not yet applied). One probe of the table's key per recipient, then the delivery by its id.
 */
export async function pendingOptOutsOf(
  db: Db,
  phoneNumberId: string,
  recipients: string[],
): Promise<Array<{ waId: string; text: string }>> {
  if (recipients.length === 0) return [];
  const rows = await db
    .selectFrom('pending_opt_outs')
    .innerJoin('webhook_deliveries', 'webhook_deliveries.id', 'pending_opt_outs.delivery_id')
    .select(['pending_opt_outs.wa_id', 'pending_opt_outs.text'])
    .where('pending_opt_outs.phone_number_id', '=', phoneNumberId)
    .where('pending_opt_outs.wa_id', 'in', recipients)
    .where('webhook_deliveries.state', '=', 'pending')
    .execute();
  return rows.map((row) => ({ waId: row.wa_id, text: row.text }));
}

/**
 * Forgets the pending opt-outs whose delivery the inbox has applied (the opt-out is then recorded on the
 * contact, or was not one for that tenant), given up on, or that retention removed. Walks the few pending
 * rows, each with a lookup of its delivery by id.
 */
export async function forgetSettledOptOuts(db: Db): Promise<void> {
  await db
    .deleteFrom('pending_opt_outs')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('webhook_deliveries')
            .select(eb.lit(1).as('one'))
            .whereRef('webhook_deliveries.id', '=', 'pending_opt_outs.delivery_id')
            .where('webhook_deliveries.state', '=', 'pending'),
        ),
      ),
    )
    .execute();
}
