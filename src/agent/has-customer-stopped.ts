import type { Transaction } from 'kysely';
import { consentSettingsFor, matchOptOutKeyword } from '../contacts/index.ts';
import type { Database } from '../store/schema.ts';
import { pendingOptOutsOf } from '../whatsapp/index.ts';

/**
 * Whether the customer has stopped since the turn began: an opt-out recorded on the contact, or an opt-out
 * keyword of this tenant received (stored by webhook intake) and still waiting in the inbox. A turn's
 * replies are queued after the model has answered, seconds later; a stop received meanwhile mutes them.
 */
export async function hasCustomerStopped(
  trx: Transaction<Database>,
  turn: { tenantId: string; phoneNumberId: string; contactId: string; waId: string | null },
): Promise<boolean> {
  const contact = await trx
    .selectFrom('contacts')
    .select(['opted_out_at', 'marketing_opted_out_at'])
    .where('id', '=', turn.contactId)
    .executeTakeFirst();
  if (contact && (contact.opted_out_at !== null || contact.marketing_opted_out_at !== null)) return true;
  if (!turn.waId) return false;
  const pending = await pendingOptOutsOf(trx, turn.phoneNumberId, [turn.waId]);
  if (pending.length === 0) return false;
  const { optOutKeywords } = await consentSettingsFor(trx, turn.tenantId);
  return pending.some((optOut) => matchOptOutKeyword(optOut.text, optOutKeywords) !== null);
}
