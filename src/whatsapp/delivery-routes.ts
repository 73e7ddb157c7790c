import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { notFound } from '../http/app-error.ts';
import { tenantScope } from '../http/auth.ts';
import type { Database, WebhookDeliveryRow } from '../store/schema.ts';

const listQuery = z.object({
  tenantId: z.string().optional().describe('admin only: one tenant'),
  state: z.enum(['pending', 'processed', 'invalid', 'failed']).optional(),
  isUnrouted: z.stringbool().optional().describe('only deliveries with events for an unknown number or WABA'),
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

/** What an operator needs to see every delivery Meta sent, exactly as received. */
export async function deliveryRoutes(instance: FastifyInstance, db: Kysely<Database>): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const tags = ['webhooks'];

  const toView = (row: WebhookDeliveryRow) => ({
    id: row.id,
    appId: row.app_id,
    tenantId: row.tenant_id,
    receivedAt: iso(row.received_at),
    state: row.state,
    problem: row.problem,
    eventCount: row.event_count,
    unroutedCount: row.unrouted_count,
    processedAt: iso(row.processed_at),
    attempts: row.attempts,
    /** The body as received, byte for byte (UTF-8 as Meta sends it). */
    body: row.body.toString('utf8'),
  });

  app.get(
    '/webhook-deliveries',
    {
      schema: {
        tags,
        summary:
          'Raw webhook deliveries, newest first. Tenant keys see the deliveries routed to their tenant.',
        querystring: listQuery,
      },
    },
    async (request) => {
      const query = request.query;
      const tenantId = tenantScope(request.principal, query.tenantId);
      let select = db.selectFrom('webhook_deliveries').selectAll().orderBy('id', 'desc').limit(query.limit);
      if (tenantId !== undefined) select = select.where('tenant_id', '=', tenantId);
      if (query.state) select = select.where('state', '=', query.state);
      if (query.isUnrouted) select = select.where('unrouted_count', '>', 0);
      if (query.isFlagged) select = select.where('problem', 'is not', null);
      if (query.beforeId) select = select.where('id', '<', query.beforeId);
      const rows = await select.execute();
      return {
        data: rows.map(toView),
        nextCursor: rows.length === query.limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  app.get(
    '/webhook-deliveries/:id',
    {
      schema: {
        tags,
        summary: 'One raw delivery.',
        params: z.object({ id: z.coerce.number().int().positive() }),
      },
    },
    async (request) => {
      const tenantId = tenantScope(request.principal, undefined);
      let select = db.selectFrom('webhook_deliveries').selectAll().where('id', '=', request.params.id);
      if (tenantId !== undefined) select = select.where('tenant_id', '=', tenantId);
      const row = await select.executeTakeFirst();
      if (!row) throw notFound(`webhook delivery ${request.params.id}`);
      return toView(row);
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
