import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import {
  recordCall,
  recordEchoedMessage,
  recordInboundMessage,
  recordStatus,
} from '../conversations/index.ts';
import type { DialectFlags } from '../store/dialect-flags.ts';
import type { Database } from '../store/schema.ts';
import { isTransientConflict, lockInOrder, withDeadlockRetry } from '../store/transient-errors.ts';
import {
  decideEntitlement,
  type Entitlement,
  type RefusalReason,
  type TenantDirectory,
} from '../tenants/index.ts';
import type { Metrics } from './metrics.ts';
import { parseWebhook } from './parse-webhook.ts';
import type { ParseResult, WebhookEvent } from './webhook-events.ts';

/** What the rest of Coxcox hears about, after the transaction that recorded it has committed. */
export interface AppliedEvent {
  tenantId: string;
  deliveryId: number;
  event: WebhookEvent;
  /** False for a duplicate: the same message or status was already recorded. */
  isNew: boolean;
  messageId?: string;
  conversationId?: string | null;
}

/** A hook that runs inside the transaction that records an event (for effects that must commit with it). */
export type EventHook = (trx: Transaction<Database>, applied: AppliedEvent) => Promise<void>;

export interface DeliveryProcessorOptions {
  db: Kysely<Database>;
  flags: DialectFlags;
  directory: TenantDirectory;
  metrics: Metrics;
  logger: Logger;
  batchSize?: number;
  /** Runs inside the recording transaction. */
  hooks?: EventHook[];
  /** Runs after commit, for work that may happen later (agent turns, live updates). */
  onApplied?: (events: AppliedEvent[]) => void;
  now?: () => number;
}

const MAX_ATTEMPTS = 5;

/**
 * What an event's transaction writes around: the customer's contact and conversation on one number
 * (messages and statuses), else the number or WABA. Batches lock these in one order (`lockInOrder`), so
 * that parallel batches, or other instances, sharing customers wait for each other rather than deadlock.
 */
function lockKeyOf(event: WebhookEvent): string {
  const number = event.phoneNumberId ?? `waba:${event.wabaId ?? ''}`;
  if (event.kind === 'message-received')
    return `${number}|${event.contact.waId ?? event.message.from ?? event.contact.userId ?? ''}`;
  if (event.kind === 'message-status-changed')
    return `${number}|${event.status.recipientId ?? event.status.recipientUserId ?? ''}`;
  return number;
}

/** The part of an event that says whose it is: `<phone number id>|<WABA id>`, as `entry[]`/`metadata` give it. */
export function routingKeyOf(event: Pick<WebhookEvent, 'phoneNumberId' | 'wabaId'>): string {
  return `${event.phoneNumberId ?? ''}|${event.wabaId ?? ''}`;
}

/** Whose an event is, and whether the delivery's app may change that tenant; null owner: unrouted. */
type Routing = { owner: string; entitlement: Entitlement } | { owner: null; entitlement: null };

interface ClaimedDelivery {
  id: number;
  app_id: string | null;
  processed_at: number | null;
  body: Buffer;
  attempts: number;
}

/**
 * The inbox worker: turns stored deliveries into normalized events and applies them. Each delivery is
 * applied in the same transaction that marks it processed, and every effect is keyed by a unique
 * constraint, so a crash, a duplicate delivery or a replay never doubles anything.
 */
export class DeliveryProcessor {
  private readonly options: Required<Omit<DeliveryProcessorOptions, 'onApplied'>> &
    Pick<DeliveryProcessorOptions, 'onApplied'>;
  /** The tenant of each app seen: an app never moves to another tenant, nor is removed, so this never goes stale. */
  private readonly appTenants = new Map<string, string>();

  constructor(options: DeliveryProcessorOptions) {
    // Small batches keep each transaction short: on SQLite the one connection is shared with webhook intake,
    // whose commits must not wait behind a long batch (Meta wants answers within 250 ms).
    this.options = { batchSize: 20, hooks: [], now: Date.now, ...options };
  }

  /** Processes one batch of pending deliveries; returns how many it handled. */
  async processBatch(): Promise<number> {
    const { db, flags, batchSize } = this.options;
    let outcome: { count: number; applied: AppliedEvent[] };
    try {
      // A deadlock victim or serialization failure is nobody's fault: the same batch again, as a whole.
      outcome = await withDeadlockRetry(() =>
        db.transaction().execute(async (trx) => {
          let query = trx
            .selectFrom('webhook_deliveries')
            .select(['id', 'app_id', 'processed_at', 'body', 'attempts'])
            .where('state', '=', 'pending')
            .orderBy('id')
            .limit(batchSize);
          if (flags.supportsSkipLocked) query = query.forUpdate().skipLocked();
          const deliveries = (await query.execute()).map((delivery) => ({
            delivery,
            parsed: parseWebhook(delivery.body),
          }));
          await lockInOrder(
            trx,
            flags,
            deliveries.flatMap(({ parsed }) => (parsed.ok ? parsed.events.map(lockKeyOf) : [])),
          );
          const applied: AppliedEvent[] = [];
          for (const { delivery, parsed } of deliveries)
            applied.push(...(await this.processOne(trx, delivery, parsed)));
          return { count: deliveries.length, applied };
        }),
      );
    } catch (error) {
      // One bad delivery must not hold back the rest: retry them one by one, each in its own transaction.
      this.options.logger.warn({ err: error }, 'webhook batch failed; processing deliveries one at a time');
      return this.processIndividually();
    }
    this.notify(outcome.applied);
    return outcome.count;
  }

  /** Processes until nothing is pending. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.processBatch();
      total += count;
      if (count === 0) return total;
    }
  }

  private notify(applied: AppliedEvent[]): void {
    if (applied.length === 0 || !this.options.onApplied) return;
    try {
      this.options.onApplied(applied);
    } catch (error) {
      this.options.logger.error({ err: error }, 'a webhook event listener failed');
    }
  }

  private async processIndividually(): Promise<number> {
    const { db, flags, batchSize } = this.options;
    const ids = await db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('state', '=', 'pending')
      .orderBy('id')
      .limit(batchSize)
      .execute();
    for (const { id } of ids) {
      try {
        const applied = await withDeadlockRetry(() =>
          db.transaction().execute(async (trx) => {
            let query = trx
              .selectFrom('webhook_deliveries')
              .select(['id', 'app_id', 'processed_at', 'body', 'attempts'])
              .where('id', '=', id)
              .where('state', '=', 'pending');
            if (flags.supportsSkipLocked) query = query.forUpdate().skipLocked();
            const delivery = await query.executeTakeFirst();
            if (!delivery) return [];
            const parsed = parseWebhook(delivery.body);
            if (parsed.ok) await lockInOrder(trx, flags, parsed.events.map(lockKeyOf));
            return this.processOne(trx, delivery, parsed);
          }),
        );
        this.notify(applied);
      } catch (error) {
        // Still losing to other transactions after the retries: not this delivery's fault, so no attempt
        // is counted; the next batch takes it again.
        if (isTransientConflict(error)) {
          this.options.logger.warn({ err: error, deliveryId: id }, 'webhook delivery lost a lock race');
          continue;
        }
        const row = await db
          .selectFrom('webhook_deliveries')
          .select('attempts')
          .where('id', '=', id)
          .executeTakeFirst();
        const attempts = (row?.attempts ?? 0) + 1;
        this.options.logger.error(
          { err: error, deliveryId: id, attempts },
          'could not apply a webhook delivery',
        );
        await db
          .updateTable('webhook_deliveries')
          .set({
            attempts,
            problem: `apply failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 1000),
            ...(attempts >= MAX_ATTEMPTS ? { state: 'failed' } : {}),
          })
          .where('id', '=', id)
          .execute();
      }
    }
    return ids.length;
  }

  private async processOne(
    trx: Transaction<Database>,
    delivery: ClaimedDelivery,
    parsed: ParseResult,
  ): Promise<AppliedEvent[]> {
    const { directory, metrics, logger } = this.options;
    const now = this.options.now();
    if (!parsed.ok) {
      metrics.increment(
        'coxcox_webhook_invalid_total',
        'Signed deliveries whose body is not a WhatsApp notification',
      );
      await trx
        .updateTable('webhook_deliveries')
        .set({
          state: 'invalid',
          problem: parsed.problem.slice(0, 1000),
          processed_at: now,
          attempts: delivery.attempts + 1,
        })
        .where('id', '=', delivery.id)
        .execute();
      logger.warn(
        { deliveryId: delivery.id, problem: parsed.problem },
        'stored a webhook delivery that does not parse',
      );
      return [];
    }

    // Which tenant each event names, and whether the app that carried the delivery may change that tenant
    // (decision 0009): the signature proves only who holds the app's secret, and a tenant picks the
    // secret of an app it registers.
    const appTenantId = delivery.app_id === null ? null : await this.tenantOfApp(trx, delivery.app_id);
    const decisions = new Map<string, Routing>();
    const decide = async (event: WebhookEvent): Promise<Routing> => {
      const key = routingKeyOf(event);
      let routing = decisions.get(key);
      if (!routing) {
        const owner = await directory.ownerOf(event.phoneNumberId, event.wabaId, trx);
        routing = owner
          ? {
              owner: owner.tenantId,
              entitlement: decideEntitlement({
                appId: delivery.app_id,
                appTenantId,
                isPlatformApp: directory.isPlatformApp(delivery.app_id),
                ownerTenantId: owner.tenantId,
                connectedAppId: owner.connectedAppId,
                isConnectedThroughPlatform: directory.isPlatformApp(owner.connectedAppId),
              }),
            }
          : { owner: null, entitlement: null };
        decisions.set(key, routing);
      }
      return routing;
    };

    // A replay decides again from scratch: its earlier parts and refusals give way to the new ones. A
    // delivery never processed has none (a failed attempt rolled back), which spares the hot path two statements.
    if (delivery.processed_at !== null) {
      await trx.deleteFrom('webhook_delivery_tenants').where('delivery_id', '=', delivery.id).execute();
      await trx.deleteFrom('webhook_refusals').where('delivery_id', '=', delivery.id).execute();
    }

    const applied: AppliedEvent[] = [];
    const parts = new Map<string, { eventCount: number; routingKeys: Set<string> }>();
    const refusals: Array<{ event: WebhookEvent; tenantId: string; reason: RefusalReason; detail: string }> =
      [];
    let unrouted = 0;
    let deliveryTenant: string | null = null;
    for (const event of parsed.events) {
      const { owner, entitlement } = await decide(event);
      if (owner === null || entitlement === null) {
        unrouted += 1;
        await this.keepEvent(trx, delivery, null, event, now);
        continue;
      }
      if (!entitlement.isEntitled) {
        refusals.push({ event, tenantId: owner, reason: entitlement.reason, detail: entitlement.detail });
        continue;
      }
      deliveryTenant ??= owner;
      let part = parts.get(owner);
      if (!part) {
        part = { eventCount: 0, routingKeys: new Set() };
        parts.set(owner, part);
      }
      part.eventCount += 1;
      part.routingKeys.add(routingKeyOf(event));
      const result = await this.applyEvent(trx, delivery, owner, event, now);
      for (const hook of this.options.hooks) await hook(trx, result);
      applied.push(result);
    }
    if (parts.size > 0) {
      await trx
        .insertInto('webhook_delivery_tenants')
        .values(
          [...parts].map(([tenantId, part]) => ({
            delivery_id: delivery.id,
            tenant_id: tenantId,
            event_count: part.eventCount,
            routing_keys: JSON.stringify([...part.routingKeys]),
          })),
        )
        .execute();
    }
    if (refusals.length > 0) await this.keepRefusals(trx, delivery, refusals, now);
    if (unrouted > 0) {
      metrics.increment(
        'coxcox_webhook_unrouted_events_total',
        'Events for a number or WABA no tenant owns',
        {},
        unrouted,
      );
      logger.warn(
        { deliveryId: delivery.id, unrouted },
        'webhook events for an unknown phone number or WABA were kept; add the number and replay to apply them',
      );
    }
    await trx
      .updateTable('webhook_deliveries')
      .set({
        state: 'processed',
        problem: parsed.warnings.length > 0 ? parsed.warnings.join('; ').slice(0, 1000) : null,
        tenant_id: deliveryTenant,
        event_count: parsed.events.length,
        unrouted_count: unrouted,
        refused_count: refusals.length,
        refusal: refusals[0] ? `${refusals[0].reason}: ${refusals[0].detail}`.slice(0, 1000) : null,
        processed_at: now,
        attempts: delivery.attempts + 1,
      })
      .where('id', '=', delivery.id)
      .execute();
    return applied;
  }

  private async tenantOfApp(trx: Transaction<Database>, appId: string): Promise<string | null> {
    const known = this.appTenants.get(appId);
    if (known !== undefined) return known;
    const tenantId = await this.options.directory.tenantOfApp(appId, trx);
    if (tenantId !== null) this.appTenants.set(appId, tenantId);
    return tenantId;
  }

  /** Keeps refused events apart from the applied ones (never in `webhook_events`, whose keys dedupe real events). */
  private async keepRefusals(
    trx: Transaction<Database>,
    delivery: ClaimedDelivery,
    refusals: Array<{ event: WebhookEvent; tenantId: string; reason: RefusalReason; detail: string }>,
    now: number,
  ): Promise<void> {
    const { metrics, logger } = this.options;
    await trx
      .insertInto('webhook_refusals')
      .values(
        refusals.map(({ event, tenantId, reason, detail }) => ({
          delivery_id: delivery.id,
          app_id: delivery.app_id,
          tenant_id: tenantId,
          reason,
          detail: detail.slice(0, 1000),
          kind: event.kind,
          dedupe_key: event.dedupeKey,
          waba_id: event.wabaId,
          phone_number_id: event.phoneNumberId,
          payload: JSON.stringify(event),
          created_at: now,
        })),
      )
      .execute();
    const byReason = new Map<RefusalReason, number>();
    for (const { reason } of refusals) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    for (const [reason, count] of byReason) {
      metrics.increment(
        'coxcox_webhook_refused_events_total',
        'Events kept but not applied: the Meta app that carried them is not entitled to their number or WABA',
        { reason },
        count,
      );
    }
    logger.warn(
      {
        deliveryId: delivery.id,
        appId: delivery.app_id,
        refused: refusals.length,
        reason: refusals[0]!.reason,
      },
      'refused webhook events from an app that is not entitled to their number or WABA',
    );
  }

  private async applyEvent(
    trx: Transaction<Database>,
    delivery: ClaimedDelivery,
    tenantId: string,
    event: WebhookEvent,
    now: number,
  ): Promise<AppliedEvent> {
    const deliveryId = delivery.id;
    if (event.kind === 'message-received') {
      const message = event.message;
      const result = await recordInboundMessage(
        trx,
        {
          tenantId,
          phoneNumberId: event.phoneNumberId,
          contact: {
            waId: event.contact.waId ?? message.from,
            userId: event.contact.userId ?? message.fromUserId,
            name: event.contact.name,
            username: event.contact.username,
            parentUserId: event.contact.parentUserId,
          },
          wamid: message.id,
          type: message.type,
          sentAt: message.timestamp,
          contextWamid: message.context?.id ?? null,
          content: message.content,
          targetWamid: message.targetMessageId,
          system: message.system,
        },
        now,
      );
      return { tenantId, deliveryId, event, ...result };
    }
    if (event.kind === 'message-status-changed') {
      const status = event.status;
      const firstError = status.errors[0];
      const result = await recordStatus(
        trx,
        {
          tenantId,
          phoneNumberId: event.phoneNumberId,
          wamid: status.id,
          status: status.status,
          occurredAt: status.timestamp ?? now,
          recipientId: status.recipientId ?? status.recipientUserId,
          errorCode: firstError?.code ?? null,
          errorTitle: firstError ? (firstError.title ?? firstError.message ?? null) : null,
          errorDetails: firstError ? (firstError.details ?? firstError.message ?? null) : null,
          bizOpaqueCallbackData: status.bizOpaqueCallbackData,
          payload: event.raw,
          deliveryId,
        },
        now,
      );
      return { tenantId, deliveryId, event, isNew: result.isNew };
    }
    if (event.kind === 'message-echoed') {
      const echo = event.data;
      const result = await recordEchoedMessage(
        trx,
        {
          tenantId,
          phoneNumberId: event.phoneNumberId,
          to: { waId: echo.to, userId: echo.toUserId },
          wamid: echo.id,
          type: echo.type,
          sentAt: echo.timestamp,
          contextWamid: echo.context?.id ?? null,
          content: echo.content,
        },
        now,
      );
      return { tenantId, deliveryId, event, ...result };
    }
    const isNew = await this.keepEvent(trx, delivery, tenantId, event, now);
    if (event.kind === 'call-event' && event.data.callId) {
      // Kept above for calling; meanwhile the call is an entry in the conversation's timeline.
      const call = event.data;
      // Call statuses (RINGING, ACCEPTED, …) only come for calls the business placed, without a direction.
      const direction = call.direction ?? (call.event === 'status' ? 'BUSINESS_INITIATED' : null);
      const result = await recordCall(
        trx,
        {
          tenantId,
          phoneNumberId: event.phoneNumberId,
          callId: call.callId!,
          direction,
          customerWaId: direction === 'BUSINESS_INITIATED' ? call.to : call.from,
          event: call.event,
          status: call.status,
          at: call.timestamp ?? event.occurredAt,
          startTime: call.startTime,
          endTime: call.endTime,
          durationSeconds: call.durationSeconds,
        },
        now,
      );
      return {
        tenantId,
        deliveryId,
        event,
        isNew,
        messageId: result.messageId,
        conversationId: result.conversationId,
      };
    }
    return { tenantId, deliveryId, event, isNew };
  }

  /**
   * Keeps an event in the event log, once by its dedupe key; a replay after routing fills in the tenant,
   * but only of an event that came through the same app: another app's unrouted copy under the same key
   * may be forged, and must not become the tenant's.
   */
  private async keepEvent(
    trx: Transaction<Database>,
    delivery: ClaimedDelivery,
    tenantId: string | null,
    event: WebhookEvent,
    now: number,
  ): Promise<boolean> {
    const deliveryId = delivery.id;
    const inserted = await trx
      .insertInto('webhook_events')
      .values({
        delivery_id: deliveryId,
        tenant_id: tenantId,
        kind: event.kind,
        dedupe_key: event.dedupeKey,
        waba_id: event.wabaId,
        phone_number_id: event.phoneNumberId,
        payload: JSON.stringify(event),
        occurred_at: event.occurredAt,
        created_at: now,
      })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .executeTakeFirst();
    const isNew = Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
    if (!isNew && tenantId !== null && delivery.app_id !== null) {
      const appId = delivery.app_id;
      await trx
        .updateTable('webhook_events')
        .set({ tenant_id: tenantId })
        .where('dedupe_key', '=', event.dedupeKey)
        .where('tenant_id', 'is', null)
        .where('delivery_id', 'in', (eb) =>
          eb.selectFrom('webhook_deliveries').select('id').where('app_id', '=', appId),
        )
        .execute();
    }
    return isNew;
  }
}
