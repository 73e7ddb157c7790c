import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import '../campaigns/campaign-schema.ts';
import type { SendOutcome } from '../dispatch/index.ts';
import type { Database } from '../store/schema.ts';
import type { AppliedEvent } from '../whatsapp/index.ts';
import type { LiveEvents } from './live-events.ts';

/**
 * Turns what the workers commit into live events: webhook events after the inbox worker applied them,
 * and send outcomes after the dispatcher recorded them. Lookups that only serve the live view (which
 * conversation a status belongs to, which campaign a send was part of) run only when someone of the
 * tenant is listening, and after commit, so they never slow the workers down.
 */
export class LiveEventFeed {
  private readonly db: Kysely<Database>;
  private readonly hub: LiveEvents;
  private readonly logger: Logger;

  constructor(db: Kysely<Database>, hub: LiveEvents, logger: Logger) {
    this.db = db;
    this.hub = hub;
    this.logger = logger;
  }

  onApplied(events: AppliedEvent[]): void {
    const statusesByTenant = new Map<
      string,
      Array<{ wamid: string; status: string; outboxId: string | null }>
    >();
    for (const applied of events) {
      const { tenantId, event } = applied;
      if (!applied.isNew || !this.hub.hasListeners(tenantId)) continue;
      if (event.kind === 'message-received') {
        this.hub.publish(tenantId, {
          type: 'message-received',
          conversationId: applied.conversationId ?? null,
          messageId: applied.messageId ?? null,
        });
      } else if (event.kind === 'message-status-changed') {
        const list = statusesByTenant.get(tenantId) ?? [];
        list.push({
          wamid: event.status.id,
          status: event.status.status,
          outboxId: event.status.bizOpaqueCallbackData,
        });
        statusesByTenant.set(tenantId, list);
      } else if (
        event.kind.startsWith('template-') ||
        event.kind.startsWith('phone-number-') ||
        event.kind === 'account-updated'
      ) {
        this.hub.publish(tenantId, { type: 'whatsapp-changed', what: event.kind });
      }
    }
    for (const [tenantId, statuses] of statusesByTenant) {
      void this.publishStatuses(tenantId, statuses).catch((error: unknown) =>
        this.logger.warn({ err: error }, 'live status events failed'),
      );
    }
  }

  onSendOutcomes(outcomes: SendOutcome[]): void {
    const outboxIdsByTenant = new Map<string, string[]>();
    for (const outcome of outcomes) {
      if (!this.hub.hasListeners(outcome.tenantId)) continue;
      if (outcome.kind === 'sent') {
        this.hub.publish(outcome.tenantId, {
          type: 'message-sent',
          conversationId: outcome.conversationId,
          outboxId: outcome.outboxId,
        });
      } else if (outcome.kind === 'failed' || outcome.kind === 'held') {
        this.hub.publish(outcome.tenantId, {
          type: 'message-failed',
          conversationId: outcome.conversationId,
          outboxId: outcome.outboxId,
          reason: outcome.reason,
        });
      }
      const list = outboxIdsByTenant.get(outcome.tenantId) ?? [];
      list.push(outcome.outboxId);
      outboxIdsByTenant.set(outcome.tenantId, list);
    }
    for (const [tenantId, outboxIds] of outboxIdsByTenant) {
      void this.publishCampaigns(tenantId, outboxIds).catch((error: unknown) =>
        this.logger.warn({ err: error }, 'live campaign events failed'),
      );
    }
  }

  private async publishStatuses(
    tenantId: string,
    statuses: Array<{ wamid: string; status: string; outboxId: string | null }>,
  ) {
    const rows = await this.db
      .selectFrom('messages')
      .select(['id', 'wamid', 'conversation_id'])
      .where('tenant_id', '=', tenantId)
      .where(
        'wamid',
        'in',
        statuses.map((status) => status.wamid),
      )
      .execute();
    const byWamid = new Map(rows.map((row) => [row.wamid, row]));
    for (const status of statuses) {
      const row = byWamid.get(status.wamid);
      this.hub.publish(tenantId, {
        type: 'message-status',
        conversationId: row?.conversation_id ?? null,
        messageId: row?.id ?? null,
        status: status.status,
      });
    }
    const outboxIds = statuses.flatMap((status) => (status.outboxId ? [status.outboxId] : []));
    if (outboxIds.length > 0) await this.publishCampaigns(tenantId, outboxIds);
  }

  private async publishCampaigns(tenantId: string, outboxIds: string[]) {
    const rows = await this.db
      .selectFrom('outbox')
      .select('campaign_id')
      .distinct()
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', outboxIds.slice(0, 1000))
      .where('campaign_id', 'is not', null)
      .execute();
    for (const row of rows)
      this.hub.publish(tenantId, { type: 'campaign-progress', campaignId: row.campaign_id! });
  }
}
