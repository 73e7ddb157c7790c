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
import type { TenantDirectory } from '../tenants/index.ts';
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

interface ClaimedDelivery {
  id: number;
  app_id: string | null;
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
            .select(['id', 'app_id', 'body', 'attempts'])
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
              .select(['id', 'app_id', 'body', 'attempts'])
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

    const routes = new Map<string, string | null>();
    const route = async (event: WebhookEvent): Promise<string | null> => {
      const key = `${event.phoneNumberId ?? ''}|${event.wabaId ?? ''}`;
      if (!routes.has(key)) routes.set(key, await directory.routeTo(event.phoneNumberId, event.wabaId, trx));
      return routes.get(key) ?? null;
    };

    const applied: AppliedEvent[] = [];
    let unrouted = 0;
    let deliveryTenant: string | null = null;
    for (const event of parsed.events) {
      const tenantId = await route(event);
      if (tenantId === null) {
        unrouted += 1;
        await this.keepEvent(trx, delivery.id, null, event, now);
        continue;
      }
      deliveryTenant ??= tenantId;
      const result = await this.applyEvent(trx, delivery.id, tenantId, event, now);
      for (const hook of this.options.hooks) await hook(trx, result);
      applied.push(result);
    }
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
        processed_at: now,
        attempts: delivery.attempts + 1,
      })
      .where('id', '=', delivery.id)
      .execute();
    return applied;
  }

  private async applyEvent(
    trx: Transaction<Database>,
    deliveryId: number,
    tenantId: string,
    event: WebhookEvent,
    now: number,
  ): Promise<AppliedEvent> {
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
    const isNew = await this.keepEvent(trx, deliveryId, tenantId, event, now);
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

  /** Keeps an event in the event log, once by its dedupe key; a replay after routing fills in the tenant. */
  private async keepEvent(
    trx: Transaction<Database>,
    deliveryId: number,
    tenantId: string | null,
    event: WebhookEvent,
    now: number,
  ): Promise<boolean> {
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
    if (!isNew && tenantId !== null) {
      await trx
        .updateTable('webhook_events')
        .set({ tenant_id: tenantId })
        .where('dedupe_key', '=', event.dedupeKey)
        .where('tenant_id', 'is', null)
        .execute();
    }
    return isNew;
  }
}
