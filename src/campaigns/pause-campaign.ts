import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import './campaign-schema.ts';
import { CONTACT_STATE_RANKS } from './contact-states.ts';
import { withdrawCampaignMessages } from './withdraw-campaign-messages.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Why a campaign stopped sending, as shown to the operator: `operator` (the API or CLI), `quality_<event>`
 * (Meta lowered or flagged the number's quality), `tier_limit_reached` (the number reached its daily
 * limit of business-initiated conversations), `template_<status>` (a template was paused, disabled …),
 * `number_unhealthy` (no usable token).
 */
export type PauseReason = string;

/**
 * Pauses a running (or planning) campaign: no more releases, and its messages still waiting in the
 * outbox are taken back, their contacts put back in line so that `resume` sends them. Messages already
 * being sent finish. Returns false when the campaign was not running.
 */
export async function pauseCampaign(
  db: Db,
  campaignId: string,
  reason: PauseReason,
  now: number,
): Promise<boolean> {
  const paused = await db
    .updateTable('campaigns')
    .set({ state: 'paused', pause_reason: reason, paused_at: now, next_tick_at: null, updated_at: now })
    .where('id', '=', campaignId)
    .where('state', 'in', ['running', 'planning'])
    .executeTakeFirst();
  if (Number(paused.numUpdatedRows) === 0) return false;
  const campaign = await db
    .selectFrom('campaigns')
    .select('tenant_id')
    .where('id', '=', campaignId)
    .executeTakeFirstOrThrow();
  await requeueWithdrawn(
    db,
    campaignId,
    await withdrawCampaignMessages(
      db,
      { tenantId: campaign.tenant_id, campaignId, reason: `paused: ${reason}` },
      now,
    ),
    now,
  );
  return true;
}

/** Puts contacts whose message was withdrawn back in line for the same step, due now. */
export async function requeueWithdrawn(
  db: Db,
  campaignId: string,
  withdrawn: Array<{ contactId: string; step: number }>,
  now: number,
): Promise<void> {
  const bySteps = new Map<number, string[]>();
  for (const item of withdrawn) bySteps.set(item.step, [...(bySteps.get(item.step) ?? []), item.contactId]);
  for (const [step, contactIds] of bySteps) {
    for (let index = 0; index < contactIds.length; index += 500) {
      await db
        .updateTable('campaign_contacts')
        .set({ next_step: step, due_at: now, updated_at: now })
        .where('campaign_id', '=', campaignId)
        .where('contact_id', 'in', contactIds.slice(index, index + 500))
        .where('state_rank', '<', CONTACT_STATE_RANKS.suppressed) // not opted out or suppressed meanwhile
        .execute();
    }
  }
}
