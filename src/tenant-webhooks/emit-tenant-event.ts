import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { enqueueJob } from '../queue/index.ts';
import type { Database } from '../store/schema.ts';
import '../campaigns/campaign-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The events a tenant's own systems can subscribe to. */
export const TENANT_EVENTS = [
  'lead.qualified',
  'conversation.handoff',
  // A callback the agent agreed with a customer is due: time to call (sent by the agent domain).
  'callback.due',
  'contact.opted_out',
  'campaign.completed',
  // A number's health changed (token, quality, limit, webhooks …): sent by the health domain.
  'number.health_changed',
] as const;
export type TenantEventName = (typeof TENANT_EVENTS)[number];

export const OUTBOUND_WEBHOOK_JOB = 'outbound-webhook';

export interface TenantEvent {
  tenantId: string;
  event: TenantEventName;
  data: Record<string, unknown>;
  /** When set, the event goes out once per subject (a conversation, a campaign), however often it is emitted. */
  onceFor?: string;
}

/**
 * Queues a signed webhook to every active endpoint of the tenant that listens to the event. Call it in
 * the transaction of the change it reports: the deliveries and their jobs commit with it, or not at all.
 * Returns the event id, or null when it was already sent for this subject.
 */
export async function emitTenantEvent(
  db: Db,
  input: TenantEvent,
  now: number = Date.now(),
): Promise<string | null> {
  if (input.onceFor !== undefined) {
    const marked = await db
      .insertInto('tenant_event_marks')
      .values({ tenant_id: input.tenantId, event: input.event, subject: input.onceFor, created_at: now })
      .onConflict((oc) => oc.columns(['tenant_id', 'event', 'subject']).doNothing())
      .executeTakeFirst();
    if (Number(marked.numInsertedOrUpdatedRows ?? 0n) === 0) return null;
  }
  const endpoints = await db
    .selectFrom('outbound_webhook_endpoints')
    .select(['id', 'events'])
    .where('tenant_id', '=', input.tenantId)
    .where('is_active', '=', 1)
    .execute();
  const eventId = `evt_${randomUUID()}`;
  const payload = JSON.stringify({
    id: eventId,
    type: input.event,
    tenantId: input.tenantId,
    createdAt: new Date(now).toISOString(),
    data: input.data,
  });
  for (const endpoint of endpoints) {
    const events = JSON.parse(endpoint.events) as string[];
    if (events.length > 0 && !events.includes(input.event)) continue;
    const deliveryId = `whd_${randomUUID()}`;
    await db
      .insertInto('outbound_webhook_deliveries')
      .values({
        id: deliveryId,
        endpoint_id: endpoint.id,
        tenant_id: input.tenantId,
        event: input.event,
        payload,
        state: 'pending',
        attempts: 0,
        response_status: null,
        last_error: null,
        created_at: now,
        updated_at: now,
        delivered_at: null,
      })
      .execute();
    await enqueueJob(db, { kind: OUTBOUND_WEBHOOK_JOB, payload: { deliveryId } }, now);
  }
  return eventId;
}
