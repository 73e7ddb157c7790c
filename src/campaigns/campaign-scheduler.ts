import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DialectFlags } from '../store/dialect-flags.ts';
import type { Database } from '../store/schema.ts';
import { isTransientConflict, withDeadlockRetry } from '../store/transient-errors.ts';
import './campaign-schema.ts';
import { shapeOf } from '../templates/index.ts';
import { emitTenantEvent } from '../tenant-webhooks/index.ts';
import { type Campaign, campaignTemplateIds, readCampaign } from './campaign-definition.ts';
import { campaignFunnel } from './campaign-funnel.ts';
import { pauseCampaign } from './pause-campaign.ts';
import { planCampaign } from './plan-campaign.ts';
import { type LoadedTemplate, type ReleaseLimits, releaseDueContacts } from './release-due-contacts.ts';
import { syncCampaign } from './sync-campaign.ts';

export interface CampaignSchedulerOptions {
  db: Kysely<Database>;
  flags: DialectFlags;
  logger: Logger;
  now: () => number;
  /** Called after contacts were released into the outbox, so the dispatcher looks at once. */
  onReleased: () => void;
  limits: ReleaseLimits;
  /** How soon a campaign with messages in flight is looked at again (to sync outcomes, set follow-up times). */
  activeTickMs: number;
  /** The longest a running campaign goes unlooked-at (agent outcomes have no event of their own). */
  idleTickMs: number;
  /** A tick not finished by then is presumed lost (a crash) and another instance may take the campaign. */
  tickLockMs: number;
  /** Campaigns ticked per `runDue`. */
  batchSize: number;
}

/**
 * The campaign scheduler. Each planning or running campaign carries its own next look (`next_tick_at`);
 * `runDue` claims the due ones (a lock column, so several instances share them without ticking one twice)
 * and ticks each: plan it if it was just launched, sync its states, pause it if its number or tier or
 * templates say so, release what is due, complete it when nothing is left, and set its next look.
 */
export class CampaignScheduler {
  private readonly options: CampaignSchedulerOptions;

  constructor(options: CampaignSchedulerOptions) {
    this.options = options;
  }

  /** Ticks every due campaign once; returns how many it ticked. */
  async runDue(): Promise<number> {
    const { db } = this.options;
    const now = this.options.now();
    const due = await db
      .selectFrom('campaigns')
      .select('id')
      .where('state', 'in', ['planning', 'running'])
      .where('next_tick_at', '<=', now)
      .where((eb) => eb.or([eb('tick_locked_until', 'is', null), eb('tick_locked_until', '<', now)]))
      .orderBy('next_tick_at')
      .limit(this.options.batchSize)
      .execute();
    let ticked = 0;
    for (const { id } of due) {
      const claimed = await db
        .updateTable('campaigns')
        .set({ tick_locked_until: now + this.options.tickLockMs })
        .where('id', '=', id)
        .where('state', 'in', ['planning', 'running'])
        .where((eb) => eb.or([eb('tick_locked_until', 'is', null), eb('tick_locked_until', '<', now)]))
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) continue;
      try {
        // A tick only moves states forward, so one that lost a lock race (PostgreSQL aborts one side of a
        // deadlock with the inbox's status hooks) is simply run again.
        await withDeadlockRetry(() => this.tick(id));
        ticked += 1;
      } catch (error) {
        const isConflict = isTransientConflict(error);
        this.options.logger.error(
          { err: error, campaignId: id },
          isConflict
            ? 'campaign tick kept losing lock races; retrying in a second'
            : 'campaign tick failed; retrying in a minute',
        );
        await db
          .updateTable('campaigns')
          .set({ tick_locked_until: null, next_tick_at: this.options.now() + (isConflict ? 1000 : 60_000) })
          .where('id', '=', id)
          .execute();
      }
    }
    return ticked;
  }

  /** Runs due ticks until none is due (tests and the CLI; the worker loop calls `runDue`). */
  async drain(maxRounds = 1000): Promise<number> {
    let total = 0;
    for (let round = 0; round < maxRounds; round += 1) {
      const count = await this.runDue();
      total += count;
      if (count === 0) break;
    }
    return total;
  }

  private async tick(campaignId: string): Promise<void> {
    const { db, flags } = this.options;
    let row = await db
      .selectFrom('campaigns')
      .selectAll()
      .where('id', '=', campaignId)
      .executeTakeFirstOrThrow();
    if (row.state === 'planning') {
      const started = this.options.now();
      const plan = await planCampaign(db, flags, readCampaign(row), started);
      await db
        .updateTable('campaigns')
        .set({ state: 'running', updated_at: this.options.now() })
        .where('id', '=', campaignId)
        .where('state', '=', 'planning')
        .execute();
      this.options.logger.info(
        {
          campaignId,
          targeted: plan.targeted,
          suppressed: plan.suppressed,
          planningMs: this.options.now() - started,
        },
        'campaign planned',
      );
      row = await db
        .selectFrom('campaigns')
        .selectAll()
        .where('id', '=', campaignId)
        .executeTakeFirstOrThrow();
    }
    if (row.state !== 'running') return this.release(campaignId, null);
    const campaign = readCampaign(row);
    const now = this.options.now();
    if (row.start_at > now) return this.release(campaignId, row.start_at);

    await syncCampaign(db, campaign, now);
    const pauseReason = await this.pauseReason(campaign);
    const templates = await this.templates(campaign);
    // Meta refuses a template that is not approved (132001), paused (132015) or disabled (132016).
    const unsendable = [...templates.values()].find((template) => template.status !== 'APPROVED');
    const isMissing = campaignTemplateIds(campaign).some((id) => !templates.has(id));
    const reason =
      pauseReason ??
      (isMissing ? 'template_missing' : unsendable ? `template_${unsendable.status.toLowerCase()}` : null);
    if (reason) {
      await db.transaction().execute((trx) => pauseCampaign(trx, campaignId, reason, now));
      this.options.logger.warn({ campaignId, reason }, 'campaign paused');
      return this.release(campaignId, null);
    }

    const outcome = await releaseDueContacts(db, campaign, templates, this.options.limits, now);
    if (outcome.released > 0) this.options.onReleased();

    // Only asked once nothing is in flight: near the end, most contacts are done and this scans them.
    const pending =
      outcome.inFlight > 0 ||
      (await db
        .selectFrom('campaign_contacts')
        .select('contact_id')
        .where('campaign_id', '=', campaignId)
        .where('next_step', 'is not', null)
        .limit(1)
        .executeTakeFirst()) !== undefined;
    if (!pending && outcome.inFlight === 0) {
      await this.complete(campaign, now);
      return this.release(campaignId, null);
    }
    let next = outcome.nextAt ?? now + this.options.idleTickMs;
    if (outcome.inFlight > 0 || pending)
      next = Math.min(
        next,
        now + (outcome.inFlight > 0 ? this.options.activeTickMs : this.options.idleTickMs),
      );
    next = Math.min(
      Math.max(next, now + Math.min(250, this.options.activeTickMs)),
      now + this.options.idleTickMs,
    );
    return this.release(campaignId, next);
  }

  /** Ends the tick: the next look (null: none), and the lock freed. */
  private async release(campaignId: string, nextTickAt: number | null): Promise<void> {
    await this.options.db
      .updateTable('campaigns')
      .set({ next_tick_at: nextTickAt, tick_locked_until: null })
      .where('id', '=', campaignId)
      .execute();
  }

  /** Why the campaign must stop now, if it must: its number cannot send, or reached its tier. */
  private async pauseReason(campaign: Campaign): Promise<string | null> {
    const { db } = this.options;
    const number = await db
      .selectFrom('phone_numbers')
      .select(['is_healthy', 'health_problem'])
      .where('phone_number_id', '=', campaign.row.phone_number_id)
      .executeTakeFirst();
    if (!number) return 'number_removed';
    if (number.is_healthy !== 1) return 'number_unhealthy';
    // The dispatcher defers a business-initiated send past the daily tier with hold_reason 'tier'.
    const heldByTier = await db
      .selectFrom('outbox')
      .select('id')
      .where('campaign_id', '=', campaign.row.id)
      .where('state', '=', 'queued')
      .where('hold_reason', '=', 'tier')
      .limit(1)
      .executeTakeFirst();
    return heldByTier ? 'tier_limit_reached' : null;
  }

  private async templates(campaign: Campaign): Promise<Map<string, LoadedTemplate>> {
    const rows = await this.options.db
      .selectFrom('message_templates')
      .selectAll()
      .where('tenant_id', '=', campaign.row.tenant_id)
      .where('id', 'in', campaignTemplateIds(campaign))
      .execute();
    return new Map(
      rows.map((row) => [
        row.id,
        {
          id: row.id,
          name: row.name,
          language: row.language,
          category: row.category,
          status: row.status,
          shape: shapeOf(row),
        },
      ]),
    );
  }

  private async complete(campaign: Campaign, now: number): Promise<void> {
    const { db } = this.options;
    const funnel = await campaignFunnel(db, campaign.row.id);
    await db.transaction().execute(async (trx) => {
      const completed = await trx
        .updateTable('campaigns')
        .set({ state: 'completed', completed_at: now, updated_at: now })
        .where('id', '=', campaign.row.id)
        .where('state', '=', 'running')
        .executeTakeFirst();
      if (Number(completed.numUpdatedRows) === 0) return;
      await emitTenantEvent(
        trx,
        {
          tenantId: campaign.row.tenant_id,
          event: 'campaign.completed',
          onceFor: campaign.row.id,
          data: { campaignId: campaign.row.id, name: campaign.row.name, funnel: funnel.total },
        },
        now,
      );
    });
    this.options.logger.info({ campaignId: campaign.row.id }, 'campaign completed');
  }
}
