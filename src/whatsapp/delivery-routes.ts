import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import { notFound } from '../http/app-error.ts';
import { tenantScope } from '../http/auth.ts';
import type { Database, WebhookDeliveryRow, WebhookRefusalRow } from '../store/schema.ts';
import { tenantViewOfBody } from './tenant-view-of-body.ts';

const listQuery = z.object({
  tenantId: z.string().optional().describe('admin only: one tenant'),
  state: z.enum(['pending', 'processed', 'invalid', 'failed']).optional(),
  isUnrouted: z.stringbool().optional().describe('only deliveries with events for an unknown number or WABA'),
  isRefused: z
    .stringbool()
    .optional()
    .describe('admin only: deliveries with events refused because their app is not entitled to the number'),
  isFlagged: z
    .stringbool()
    .optional()
    .describe('only deliveries stored with a problem (unparseable or unknown fields)'),
  beforeId: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe('cursor: the nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A tenant's part of a delivery (`webhook_delivery_tenants`), joined to the delivery for a tenant's view. */
interface TenantPart {
  part_tenant_id: string;
  part_event_count: number;
  part_routing_keys: string | null;
}

/**
 * What an operator needs to see every delivery Meta sent, exactly as received. A tenant sees the
 * deliveries that carried events applied to it, each reduced to its own part: a delivery may batch several
 * tenants' WABAs, and refused or unrouted events are the operator's to look into (decision 0009).
 */
export async function deliveryRoutes(instance: FastifyInstance, db: Kysely<Database>): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const tags = ['webhooks'];

  const adminView = (row: WebhookDeliveryRow) => ({
    id: row.id,
    appId: row.app_id,
    tenantId: row.tenant_id,
    receivedAt: iso(row.received_at),
    state: row.state,
    problem: row.problem,
    eventCount: row.event_count,
    unroutedCount: row.unrouted_count,
    refusedCount: row.refused_count,
    /** Why the first refused event was refused (`reason: detail`); every one is in `refusals` of the single view. */
    refusal: row.refusal,
    processedAt: iso(row.processed_at),
    attempts: row.attempts,
    /** Which part of the body `body` is: the whole delivery (the operator) or the caller's own entries. */
    bodyScope: 'full' as const,
    /** The body as received, byte for byte (UTF-8 as Meta sends it). */
    body: row.body.toString('utf8'),
  });

  const tenantView = (row: WebhookDeliveryRow & TenantPart) => {
    const isWhole = row.part_event_count === row.event_count;
    return {
      id: row.id,
      appId: row.app_id,
      tenantId: row.part_tenant_id,
      receivedAt: iso(row.received_at),
      state: row.state,
      // Parse warnings quote the body's paths and values, so they are shown only for a delivery wholly the tenant's.
      problem: isWhole ? row.problem : null,
      eventCount: row.part_event_count,
      unroutedCount: 0,
      refusedCount: 0,
      refusal: null,
      processedAt: iso(row.processed_at),
      attempts: row.attempts,
      bodyScope: 'tenant' as const,
      /**
       * The entries and changes that carried this tenant's events, re-serialized; null for a delivery
       * processed before tenants' parts were recorded (a replay records them).
       */
      body: tenantViewOfBody(
        row.body,
        row.part_routing_keys === null ? null : new Set(JSON.parse(row.part_routing_keys) as string[]),
      ),
    };
  };

  const tenantDeliveries = (tenantId: string) =>
    db
      .selectFrom('webhook_deliveries')
      .innerJoin('webhook_delivery_tenants as part', 'part.delivery_id', 'webhook_deliveries.id')
      .selectAll('webhook_deliveries')
      .select([
        'part.tenant_id as part_tenant_id',
        'part.event_count as part_event_count',
        'part.routing_keys as part_routing_keys',
      ])
      .where('part.tenant_id', '=', tenantId);

  app.get(
    '/webhook-deliveries',
    {
      schema: {
        tags,
        summary:
          'Raw webhook deliveries, newest first. Tenant keys see the deliveries that carried their events, each body reduced to their own entries; the admin token sees whole bodies and refused events.',
        querystring: listQuery,
      },
    },
    async (request) => {
      const query = request.query;
      const tenantId = tenantScope(request.principal, query.tenantId);
      const isAdmin = request.principal.kind === 'admin';
      let select = isAdmin
        ? db
            .selectFrom('webhook_deliveries')
            .selectAll('webhook_deliveries')
            .select([
              sql<string>`''`.as('part_tenant_id'),
              sql<number>`0`.as('part_event_count'),
              sql<string | null>`null`.as('part_routing_keys'),
            ])
        : tenantDeliveries(tenantId!);
      if (isAdmin && tenantId !== undefined) {
        select = select.where((eb) =>
          eb.exists(
            eb
              .selectFrom('webhook_delivery_tenants as part')
              .select('part.delivery_id')
              .whereRef('part.delivery_id', '=', 'webhook_deliveries.id')
              .where('part.tenant_id', '=', tenantId),
          ),
        );
      }
      select = select.orderBy('webhook_deliveries.id', 'desc').limit(query.limit);
      if (query.state) select = select.where('webhook_deliveries.state', '=', query.state);
      if (query.isUnrouted) select = select.where('webhook_deliveries.unrouted_count', '>', 0);
      if (query.isRefused) select = select.where('webhook_deliveries.refused_count', '>', 0);
      if (query.isFlagged) select = select.where('webhook_deliveries.problem', 'is not', null);
      if (query.beforeId) select = select.where('webhook_deliveries.id', '<', query.beforeId);
      const rows = await select.execute();
      return {
        data: rows.map((row) => (isAdmin ? adminView(row) : tenantView(row))),
        nextCursor: rows.length === query.limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  app.get(
    '/webhook-deliveries/:id',
    {
      schema: {
        tags,
        summary:
          'One raw delivery: whole, with its refused events, for the admin token; reduced to the caller’s own entries for a tenant.',
        params: z.object({ id: z.coerce.number().int().positive() }),
      },
    },
    async (request) => {
      const tenantId = tenantScope(request.principal, undefined);
      if (tenantId !== undefined) {
        const row = await tenantDeliveries(tenantId)
          .where('webhook_deliveries.id', '=', request.params.id)
          .executeTakeFirst();
        if (!row) throw notFound(`webhook delivery ${request.params.id}`);
        return tenantView(row);
      }
      const row = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (!row) throw notFound(`webhook delivery ${request.params.id}`);
      const parts = await db
        .selectFrom('webhook_delivery_tenants')
        .select(['tenant_id', 'event_count'])
        .where('delivery_id', '=', row.id)
        .orderBy('tenant_id')
        .execute();
      const refusals = await db
        .selectFrom('webhook_refusals')
        .selectAll()
        .where('delivery_id', '=', row.id)
        .orderBy('id')
        .execute();
      return {
        ...adminView(row),
        parts: parts.map((part) => ({ tenantId: part.tenant_id, eventCount: part.event_count })),
        refusals: refusals.map(refusalView),
      };
    },
  );

  app.get(
    '/webhook-events',
    {
      schema: {
        tags,
        summary:
          'Normalized non-message events (template, quality, account, user preference, unknown fields), and events for unknown numbers (admin, isUnrouted=true).',
        querystring: z.object({
          tenantId: z.string().optional(),
          kind: z.string().optional(),
          isUnrouted: z.stringbool().optional(),
          beforeId: z.coerce.number().int().positive().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
      },
    },
    async (request) => {
      const query = request.query;
      const tenantId = tenantScope(request.principal, query.tenantId);
      let select = db.selectFrom('webhook_events').selectAll().orderBy('id', 'desc').limit(query.limit);
      if (query.isUnrouted && request.principal.kind === 'admin')
        select = select.where('tenant_id', 'is', null);
      else if (tenantId !== undefined) select = select.where('tenant_id', '=', tenantId);
      if (query.kind) select = select.where('kind', '=', query.kind);
      if (query.beforeId) select = select.where('id', '<', query.beforeId);
      const rows = await select.execute();
      return {
        data: rows.map((row) => ({
          id: row.id,
          deliveryId: row.delivery_id,
          tenantId: row.tenant_id,
          kind: row.kind,
          wabaId: row.waba_id,
          phoneNumberId: row.phone_number_id,
          occurredAt: iso(row.occurred_at),
          event: JSON.parse(row.payload) as unknown,
        })),
        nextCursor: rows.length === query.limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );
}

function refusalView(row: WebhookRefusalRow) {
  return {
    id: row.id,
    appId: row.app_id,
    /** The tenant that owns the number or WABA the event named: the one it would have changed. */
    tenantId: row.tenant_id,
    reason: row.reason,
    detail: row.detail,
    kind: row.kind,
    wabaId: row.waba_id,
    phoneNumberId: row.phone_number_id,
    event: JSON.parse(row.payload) as unknown,
  };
}
