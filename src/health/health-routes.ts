import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { tenantScope } from '../http/auth.ts';
import type { NumberHealth, NumberHealthView } from './number-health.ts';

export interface HealthRouteDeps {
  health: NumberHealth;
  /** Asks Meta now about every WABA of the tenant (within the hourly call budget), then reassesses. */
  checkNow: (tenantId: string) => Promise<NumberHealthView[]>;
}

const tenantParams = z.object({ tenantId: z.string().min(1) });

/** The health console: per number, every check with what to do, and the events of what changed. */
export async function healthRoutes(instance: FastifyInstance, deps: HealthRouteDeps): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const tags = ['health'];

  app.get(
    '/tenants/:tenantId/health',
    {
      schema: {
        tags,
        summary:
          'Health of every number: connection, token (validity, expiry, permissions), webhooks, quality, messaging limit, throughput, account updates and the Graph API version.',
        params: tenantParams,
      },
    },
    async (request) => ({
      data: await deps.health.list(tenantScope(request.principal, request.params.tenantId)!),
    }),
  );

  app.get(
    '/tenants/:tenantId/health/events',
    {
      schema: {
        tags,
        summary: 'Changes of health, newest first (also sent as the signed webhook number.health_changed).',
        params: tenantParams,
        querystring: z.object({
          phoneNumberId: z.string().optional(),
          afterId: z.coerce.number().int().nonnegative().optional(),
          limit: z.coerce.number().int().min(1).max(500).optional(),
        }),
      },
    },
    async (request) => {
      const tenantId = tenantScope(request.principal, request.params.tenantId)!;
      const { phoneNumberId, afterId, limit } = request.query;
      return {
        data: await deps.health.events(tenantId, {
          ...(phoneNumberId === undefined ? {} : { phoneNumberId }),
          ...(afterId === undefined ? {} : { afterId }),
          ...(limit === undefined ? {} : { limit }),
        }),
      };
    },
  );

  app.post(
    '/tenants/:tenantId/health/check',
    {
      schema: {
        tags,
        summary: 'Check with Meta now (token, numbers, templates), within the hourly call budget per WABA.',
        params: tenantParams,
      },
    },
    async (request) => ({
      data: await deps.checkNow(tenantScope(request.principal, request.params.tenantId)!),
    }),
  );

  app.get(
    '/tenants/:tenantId/health/:phoneNumberId',
    {
      schema: {
        tags,
        summary: 'Health of one number.',
        params: tenantParams.extend({ phoneNumberId: z.string().min(1) }),
      },
    },
    async (request) =>
      deps.health.show(
        tenantScope(request.principal, request.params.tenantId)!,
        request.params.phoneNumberId,
      ),
  );
}
