import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Dispatcher, fetch } from 'undici';
import { AppError, notFound } from '../http/app-error.ts';
import { findTargetRefusal, refusalOfUrl, type TargetPolicy } from '../net/index.ts';
import { PermanentJobError, RetryLaterError } from '../queue/index.ts';
import type { Database } from '../store/schema.ts';
import type { SecretBox } from '../tenants/index.ts';
import '../campaigns/campaign-schema.ts';
import { TENANT_EVENTS } from './emit-tenant-event.ts';

/** The one call a delivery makes: POST a body. Tests give a fake; the default is fetch. */
export type WebhookPoster = (
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
) => Promise<{ status: number }>;

/**
 * POSTs through a dispatcher that refuses non-public addresses (net/safe-dispatcher.ts). Redirects are not
 * followed: a 3xx is an answer like any other non-2xx, so an endpoint cannot bounce a signed POST inward.
 */
export function createWebhookPoster(dispatcher: Dispatcher): WebhookPoster {
  return async (url, body, headers, signal) => {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers,
      signal,
      redirect: 'manual',
      dispatcher,
    });
    await response.body?.cancel();
    return { status: response.status };
  };
}

export interface OutboundWebhooksOptions {
  db: Kysely<Database>;
  box: SecretBox;
  post: WebhookPoster;
  now: () => number;
  /** Give up on a delivery after this many attempts (the job queue's limit is the same). */
  maxAttempts: number;
  /** Each POST may take this long. */
  timeoutMs: number;
  /** Which endpoint addresses are refused when written (the poster refuses them again when connecting). */
  targetPolicy: TargetPolicy;
}

export const SIGNATURE_HEADER = 'x-coxcox-signature';

/**
 * Waits between attempts: 10 s, 1 min, 5 min, 30 min, 2 h, 6 h, then 12 h. With 8 attempts a delivery
 * keeps trying for about 21 hours, long enough to ride out a tenant's outage over a night.
 */
export function retryDelayMs(attempt: number): number {
  const series = [10_000, 60_000, 300_000, 1_800_000, 7_200_000, 21_600_000, 43_200_000];
  return series[Math.min(attempt - 1, series.length - 1)]!;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the time is signed too, so an old body cannot be replayed as new. */
export function signWebhook(secret: string, body: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Signed webhooks to the tenant's own systems (`lead.qualified`, `conversation.handoff`,
 * `contact.opted_out`, `campaign.completed`). Endpoints keep their secret sealed; each event becomes one
 * delivery per endpoint, posted by the `outbound-webhook` job with retries and backoff, and logged.
 */
export class OutboundWebhooks {
  private readonly options: OutboundWebhooksOptions;

  constructor(options: OutboundWebhooksOptions) {
    this.options = options;
  }

  async createEndpoint(tenantId: string, input: { url: string; secret?: string; events?: string[] }) {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw new AppError('validation_failed', 'url: not a URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new AppError('validation_failed', 'url: use https://');
    const refusal = refusalOfUrl(url, this.options.targetPolicy);
    if (refusal) throw new AppError('validation_failed', `url: ${refusal.message}`);
    const events = input.events ?? [];
    const unknown = events.filter((event) => !(TENANT_EVENTS as readonly string[]).includes(event));
    if (unknown.length > 0) {
      throw new AppError(
        'validation_failed',
        `events: unknown ${unknown.join(', ')} (known: ${TENANT_EVENTS.join(', ')})`,
      );
    }
    const secret = input.secret ?? `whsec_${randomBytes(24).toString('base64url')}`;
    const id = `whe_${randomUUID()}`;
    const now = this.options.now();
    await this.options.db
      .insertInto('outbound_webhook_endpoints')
      .values({
        id,
        tenant_id: tenantId,
        url: url.toString(),
        secret_enc: this.options.box.seal(secret),
        events: JSON.stringify(events),
        is_active: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return { ...(await this.showEndpoint(tenantId, id)), secret };
  }

  async listEndpoints(tenantId: string) {
    const rows = await this.options.db
      .selectFrom('outbound_webhook_endpoints')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .execute();
    return rows.map(toEndpointView);
  }

  async showEndpoint(tenantId: string, id: string) {
    const row = await this.options.db
      .selectFrom('outbound_webhook_endpoints')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound(`webhook endpoint ${id}`);
    return toEndpointView(row);
  }

  async deleteEndpoint(tenantId: string, id: string): Promise<void> {
    await this.showEndpoint(tenantId, id);
    await this.options.db
      .updateTable('outbound_webhook_endpoints')
      .set({ is_active: 0, updated_at: this.options.now() })
      .where('id', '=', id)
      .execute();
  }

  async listDeliveries(tenantId: string, filter: { endpointId?: string; limit: number }) {
    if (filter.endpointId) await this.showEndpoint(tenantId, filter.endpointId);
    let query = this.options.db
      .selectFrom('outbound_webhook_deliveries')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .limit(filter.limit);
    if (filter.endpointId) query = query.where('endpoint_id', '=', filter.endpointId);
    const rows = await query.execute();
    return rows.map((row) => ({
      id: row.id,
      endpointId: row.endpoint_id,
      event: row.event,
      state: row.state,
      attempts: row.attempts,
      responseStatus: row.response_status,
      lastError: row.last_error,
      payload: JSON.parse(row.payload) as unknown,
      createdAt: iso(row.created_at),
      deliveredAt: iso(row.delivered_at),
    }));
  }

  /** The `outbound-webhook` job: one attempt at one delivery. */
  async deliver(payload: unknown, job: { attempts: number }): Promise<void> {
    const deliveryId = (payload as { deliveryId?: string } | null)?.deliveryId;
    if (typeof deliveryId !== 'string')
      throw new PermanentJobError('outbound-webhook: payload has no deliveryId');
    const { db } = this.options;
    const delivery = await db
      .selectFrom('outbound_webhook_deliveries')
      .innerJoin(
        'outbound_webhook_endpoints',
        'outbound_webhook_endpoints.id',
        'outbound_webhook_deliveries.endpoint_id',
      )
      .select([
        'outbound_webhook_deliveries.id',
        'outbound_webhook_deliveries.state',
        'outbound_webhook_deliveries.payload',
        'outbound_webhook_deliveries.event',
        'outbound_webhook_endpoints.url',
        'outbound_webhook_endpoints.secret_enc',
        'outbound_webhook_endpoints.is_active',
      ])
      .where('outbound_webhook_deliveries.id', '=', deliveryId)
      .executeTakeFirst();
    if (delivery?.state !== 'pending') return;
    if (delivery.is_active !== 1) {
      await this.record(deliveryId, {
        state: 'failed',
        status: null,
        error: 'the endpoint was deleted',
        attempts: job.attempts,
      });
      return;
    }
    const timestamp = Math.floor(this.options.now() / 1000);
    let status: number | null = null;
    let problem: string | null = null;
    try {
      const response = await this.options.post(
        delivery.url,
        delivery.payload,
        {
          'content-type': 'application/json',
          'user-agent': 'Coxcox-Webhooks/1',
          'x-coxcox-event': delivery.event,
          'x-coxcox-delivery': delivery.id,
          [SIGNATURE_HEADER]: signWebhook(
            this.options.box.open(delivery.secret_enc),
            delivery.payload,
            timestamp,
          ),
        },
        AbortSignal.timeout(this.options.timeoutMs),
      );
      status = response.status;
      if (status < 200 || status >= 300) problem = `the endpoint answered HTTP ${status}`;
    } catch (error) {
      const refusal = findTargetRefusal(error);
      if (refusal) {
        // Refused before connecting: no status, no port-revealing network error, and no retry (the same
        // URL is refused again).
        await this.record(deliveryId, {
          state: 'failed',
          status: null,
          error: refusal.message,
          attempts: job.attempts,
        });
        return;
      }
      problem = error instanceof Error ? error.message : String(error);
    }
    if (problem === null) {
      await this.record(deliveryId, { state: 'delivered', status, error: null, attempts: job.attempts });
      return;
    }
    if (job.attempts >= this.options.maxAttempts) {
      await this.record(deliveryId, { state: 'failed', status, error: problem, attempts: job.attempts });
      return;
    }
    await this.record(deliveryId, { state: 'pending', status, error: problem, attempts: job.attempts });
    throw new RetryLaterError(problem, retryDelayMs(job.attempts));
  }

  private async record(
    id: string,
    result: { state: string; status: number | null; error: string | null; attempts: number },
  ): Promise<void> {
    const now = this.options.now();
    await this.options.db
      .updateTable('outbound_webhook_deliveries')
      .set({
        state: result.state,
        attempts: result.attempts,
        response_status: result.status,
        last_error: result.error?.slice(0, 500) ?? null,
        updated_at: now,
        ...(result.state === 'delivered' ? { delivered_at: now } : {}),
      })
      .where('id', '=', id)
      .execute();
  }
}

function toEndpointView(row: Database['outbound_webhook_endpoints']) {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    isActive: row.is_active === 1,
    createdAt: iso(row.created_at),
  };
}
