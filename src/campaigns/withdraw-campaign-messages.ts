import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import './campaign-schema.ts';
import { MESSAGE_STATE_RANKS } from './contact-states.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface WithdrawFilter {
  tenantId: string;
  campaignId?: string;
  contactIds?: string[];
  /** Only messages of this template category (a marketing-only opt-out leaves utility messages). */
  category?: string;
  /** Only follow-ups (step > 0): a reply stops them but the first message has long gone. */
  isFollowUpOnly?: boolean;
  /** Why, kept on the outbox row as its hold reason. */
  reason: string;
}

const PAGE = 500;

/**
 * Takes campaign messages back out of the outbox before the dispatcher claims them: rows still queued or
 * held become `cancelled`, which the dispatcher never sends. A row already being sent cannot be taken
 * back; it stays as it is and its outcome is recorded like any other. Returns the contact ids (with
 * their step) whose message was withdrawn, so a pause can put them back in line.
 */
export async function withdrawCampaignMessages(
  db: Db,
  filter: WithdrawFilter,
  now: number,
): Promise<Array<{ contactId: string; campaignId: string; step: number }>> {
  const withdrawn: Array<{ contactId: string; campaignId: string; step: number }> = [];
  let afterId = '';
  for (;;) {
    let query = db
      .selectFrom('campaign_messages')
      .select(['id', 'contact_id', 'campaign_id', 'step'])
      .where('tenant_id', '=', filter.tenantId)
      .where('state', '=', 'queued')
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(PAGE);
    if (filter.campaignId !== undefined) query = query.where('campaign_id', '=', filter.campaignId);
    if (filter.contactIds !== undefined) {
      if (filter.contactIds.length === 0) break;
      query = query.where('contact_id', 'in', filter.contactIds);
    }
    if (filter.category !== undefined) query = query.where('category', '=', filter.category);
    if (filter.isFollowUpOnly) query = query.where('step', '>', 0);
    const rows = await query.execute();
    if (rows.length === 0) break;
    afterId = rows[rows.length - 1]!.id;
    const cancelled = await db
      .updateTable('outbox')
      .set({ state: 'cancelled', hold_reason: filter.reason, locked_by: null, updated_at: now })
      .where(
        'id',
        'in',
        rows.map((row) => row.id),
      )
      .where('state', 'in', ['queued', 'held'])
      .returning('id')
      .execute();
    if (cancelled.length > 0) {
      const ids = cancelled.map((row) => row.id);
      await db
        .updateTable('campaign_messages')
        .set({
          state: 'cancelled',
          state_rank: MESSAGE_STATE_RANKS.cancelled,
          error_title: filter.reason,
          updated_at: now,
        })
        .where('id', 'in', ids)
        .where('state', '=', 'queued')
        .execute();
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const id of ids) {
        const row = byId.get(id)!;
        withdrawn.push({ contactId: row.contact_id, campaignId: row.campaign_id, step: row.step });
      }
    }
    if (rows.length < PAGE) break;
  }
  return withdrawn;
}
