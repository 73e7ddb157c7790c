import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireTenant } from '../http/auth.ts';
import { TENANT_EVENTS } from './emit-tenant-event.ts';
import type { OutboundWebhooks } from './outbound-webhooks.ts';

const tenantQuery = z.object({
  tenantId: z.string().optional().describe('admin only: the tenant to act for'),
});
const endpointView = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  isActive: z.boolean(),
  createdAt: z.string().nullable(),
});

/** The tenant's own webhook endpoints and the log of what was delivered to them. */
export async function webhookEndpointRoutes(
  instance: FastifyInstance,
  deps: { webhooks: OutboundWebhooks },
): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { webhooks } = deps;
  const tags = ['webhooks'];

  app.post(
    '/webhook-endpoints',
    {
      schema: {
        tags,
        summary: 'Add an endpoint for signed events; the secret is shown once.',
        description: [
          `Events: ${TENANT_EVENTS.join(', ')}. Each is a POST of {id, type, tenantId, createdAt, data} with`,
          '`X-Coxcox-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the secret>`,',
          '`X-Coxcox-Event` and `X-Coxcox-Delivery`. Answer 2xx; anything else is retried after 10 s, 1 min, 5 min,',
          '30 min, 2 h, 6 h and 12 h.',
        ].join(' '),
        querystring: tenantQuery,
        body: z.object({
          url: z.url(),
          secret: z.string().min(16).max(200).optional().describe('generated when omitted'),
          events: z.array(z.enum(TENANT_EVENTS)).optional().describe('all events when omitted'),
        }),
        response: { 201: endpointView.extend({ secret: z.string() }) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await webhooks.createEndpoint(
            requireTenant(request.principal, request.query.tenantId),
            request.body,
          ),
        ),
  );

  app.get(
    '/webhook-endpoints',
    {
      schema: {
        tags,
        summary: 'The endpoints (no secrets).',
        querystring: tenantQuery,
        response: { 200: z.object({ data: z.array(endpointView) }) },
      },
    },
    async (request) => ({
      data: await webhooks.listEndpoints(requireTenant(request.principal, request.query.tenantId)),
    }),
  );

  app.delete(
    '/webhook-endpoints/:id',
    {
      schema: {
        tags,
        summary: 'Stop sending to an endpoint.',
        params: z.object({ id: z.string() }),
        querystring: tenantQuery,
      },
    },
    async (request, reply) => {
      await webhooks.deleteEndpoint(
        requireTenant(request.principal, request.query.tenantId),
        request.params.id,
      );
      return reply.code(204).send();
    },
  );

  const deliveryView = z.object({
    id: z.string(),
    endpointId: z.string(),
    event: z.string(),
    state: z.string().describe('pending, delivered or failed'),
    attempts: z.number(),
    responseStatus: z.number().nullable(),
    lastError: z.string().nullable(),
    payload: z.unknown(),
    createdAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
  });

  app.get(
    '/webhook-endpoints/:id/deliveries',
    {
      schema: {
        tags,
        summary: 'The delivery log of one endpoint, newest first.',
        params: z.object({ id: z.string() }),
        querystring: tenantQuery.extend({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: { 200: z.object({ data: z.array(deliveryView) }) },
      },
    },
    async (request) => ({
      data: await webhooks.listDeliveries(requireTenant(request.principal, request.query.tenantId), {
        endpointId: request.params.id,
        limit: request.query.limit,
      }),
    }),
  );

  app.get(
    '/outbound-deliveries',
    {
      schema: {
        tags,
        summary: 'The delivery log of every webhook endpoint of the tenant, newest first.',
        querystring: tenantQuery.extend({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: { 200: z.object({ data: z.array(deliveryView) }) },
      },
    },
    async (request) => ({
      data: await webhooks.listDeliveries(requireTenant(request.principal, request.query.tenantId), {
        limit: request.query.limit,
      }),
    }),
  );
}
