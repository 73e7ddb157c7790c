import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import '../campaigns/campaign-schema.ts';
import { notFound } from '../http/app-error.ts';
import { requireTenant } from '../http/auth.ts';
import type { Database } from '../store/schema.ts';

const tenantQuery = z.object({ tenantId: z.string().optional().describe('admin token only: the tenant') });
const MINUTE_MS = 60_000;
/** Bucket sizes a chart may use, smallest first; the first that yields at most 60 buckets wins. */
const BUCKETS_MS = [1, 5, 15, 60, 360, 1440].map((minutes) => minutes * MINUTE_MS);
const MAX_BUCKETS = 60;

export function chooseBucketMs(spanMs: number): number {
  return (
    BUCKETS_MS.find((bucketMs) => spanMs / bucketMs <= MAX_BUCKETS) ?? BUCKETS_MS[BUCKETS_MS.length - 1]!
  );
}

/** Time series and totals for the charts: a campaign's sends over time, and the tenant's activity. */
export async function analyticsRoutes(
  instance: FastifyInstance,
  deps: { db: Kysely<Database>; now: () => number },
): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const tags = ['analytics'];

  app.get(
    '/analytics/campaigns/:id/timeline',
    {
      schema: {
        tags,
        summary:
          "A campaign's contacts sent, delivered, read and replied per time bucket (sized to about 60 buckets).",
        params: z.object({ id: z.string().min(1).max(128) }),
        querystring: tenantQuery,
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const campaign = await db
        .selectFrom('campaigns')
        .select(['id', 'launched_at'])
        .where('id', '=', request.params.id)
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      if (!campaign) throw notFound(`campaign ${request.params.id}`);
      const span = await db
        .selectFrom('campaign_contacts')
        .select([(eb) => eb.fn.min('sent_at').as('first'), (eb) => eb.fn.max('sent_at').as('last')])
        .where('campaign_id', '=', campaign.id)
        .executeTakeFirstOrThrow();
      if (span.first === null) return { bucketMs: MINUTE_MS, series: [] };
      const first = Number(span.first);
      const bucketMs = chooseBucketMs(Math.max(deps.now(), Number(span.last)) - first);
      const series = new Map<
        number,
        { at: number; sent: number; delivered: number; read: number; replied: number }
      >();
      const bucketOf = (column: 'sent_at' | 'delivered_at' | 'read_at' | 'replied_at') =>
        sql<number>`(${sql.ref(column)} / cast(${bucketMs} as bigint)) * cast(${bucketMs} as bigint)`;
      for (const [metric, column] of [
        ['sent', 'sent_at'],
        ['delivered', 'delivered_at'],
        ['read', 'read_at'],
        ['replied', 'replied_at'],
      ] as const) {
        const rows = await db
          .selectFrom('campaign_contacts')
          .select([bucketOf(column).as('bucket'), (eb) => eb.fn.countAll<number>().as('count')])
          .where('campaign_id', '=', campaign.id)
          .where(column, 'is not', null)
          .groupBy('bucket')
          .execute();
        for (const row of rows) {
          const at = Number(row.bucket);
          const point = series.get(at) ?? { at, sent: 0, delivered: 0, read: 0, replied: 0 };
          point[metric] = Number(row.count);
          series.set(at, point);
        }
      }
      // Empty buckets are drawn as zero, not skipped, so the time axis is even.
      const points = [];
      const lastBucket = Math.max(...series.keys());
      for (let at = Math.floor(first / bucketMs) * bucketMs; at <= lastBucket; at += bucketMs) {
        const point = series.get(at) ?? { at, sent: 0, delivered: 0, read: 0, replied: 0 };
        points.push({ ...point, at: new Date(at).toISOString() });
      }
      return { bucketMs, series: points };
    },
  );

  app.get(
    '/analytics/overview',
    {
      schema: {
        tags,
        summary: "The tenant's messages in and out per day, and its conversations by owner and outcome.",
        querystring: tenantQuery.extend({ days: z.coerce.number().int().min(1).max(90).default(14) }),
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const dayMs = 24 * 60 * MINUTE_MS;
      const since = Math.floor(deps.now() / dayMs) * dayMs - (request.query.days - 1) * dayMs;
      const day = sql<number>`(created_at / cast(${dayMs} as bigint)) * cast(${dayMs} as bigint)`;
      const [messages, owners, outcomes, attention] = await Promise.all([
        db
          .selectFrom('messages')
          .select([day.as('day'), 'direction', (eb) => eb.fn.countAll<number>().as('count')])
          .where('tenant_id', '=', tenantId)
          .where('created_at', '>=', since)
          .groupBy(['day', 'direction'])
          .execute(),
        db
          .selectFrom('conversations')
          .select(['owner', (eb) => eb.fn.countAll<number>().as('count')])
          .where('tenant_id', '=', tenantId)
          .groupBy('owner')
          .execute(),
        db
          .selectFrom('conversations')
          .select(['outcome', (eb) => eb.fn.countAll<number>().as('count')])
          .where('tenant_id', '=', tenantId)
          .groupBy('outcome')
          .execute(),
        db
          .selectFrom('conversations')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('tenant_id', '=', tenantId)
          .where('needs_attention', '=', 1)
          .executeTakeFirstOrThrow(),
      ]);
      const days = [];
      for (let at = since; at <= deps.now(); at += dayMs) {
        const of = (direction: string) =>
          Number(messages.find((row) => Number(row.day) === at && row.direction === direction)?.count ?? 0);
        days.push({ day: new Date(at).toISOString().slice(0, 10), inbound: of('in'), outbound: of('out') });
      }
      return {
        days,
        owners: Object.fromEntries(owners.map((row) => [row.owner, Number(row.count)])),
        outcomes: outcomes.map((row) => ({ outcome: row.outcome ?? 'none', count: Number(row.count) })),
        needsAttention: Number(attention.count),
      };
    },
  );
}
