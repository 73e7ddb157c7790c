import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAdmin, tenantScope } from '../http/auth.ts';
import type { TenantDirectory } from './tenant-directory.ts';

const tenantParams = z.object({ tenantId: z.string().min(1) });
const tenantSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });
const idPattern = /^[A-Za-z0-9_.:-]{1,128}$/;
const metaId = (what: string) =>
  z.string().regex(idPattern, `${what} must be 1–128 letters, digits or _ . : -`).describe(what);

/** The admin API for tenants and their Meta assets. Secrets go in; they never come back out. */
export async function tenantRoutes(instance: FastifyInstance, directory: TenantDirectory): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const tags = ['tenants'];

  app.post(
    '/tenants',
    {
      schema: {
        tags,
        summary: 'Create a tenant (a client company). Admin only.',
        body: z.object({ name: z.string().min(1).max(200), id: metaId('tenant id').optional() }),
        response: { 201: tenantSchema },
      },
    },
    async (request, reply) => {
      requireAdmin(request.principal);
      return reply.code(201).send(await directory.createTenant(request.body));
    },
  );

  app.get(
    '/tenants',
    {
      schema: {
        tags,
        summary: 'List tenants (a tenant key sees its own).',
        response: { 200: z.object({ data: z.array(tenantSchema) }) },
      },
    },
    async (request) => ({ data: await directory.listTenants(tenantScope(request.principal, undefined)) }),
  );

  app.get(
    '/tenants/:tenantId',
    { schema: { tags, summary: 'Show a tenant.', params: tenantParams, response: { 200: tenantSchema } } },
    async (request) => directory.getTenant(tenantScope(request.principal, request.params.tenantId)!),
  );

  app.post(
    '/tenants/:tenantId/api-keys',
    {
      schema: {
        tags,
        summary: 'Create an API key for a tenant. The key is shown once.',
        params: tenantParams,
        body: z.object({ name: z.string().min(1).max(200) }),
        response: { 201: z.object({ id: z.string(), key: z.string(), prefix: z.string() }) },
      },
    },
    async (request, reply) => {
      const tenantId = tenantScope(request.principal, request.params.tenantId)!;
      return reply.code(201).send(await directory.createApiKey(tenantId, request.body.name));
    },
  );

  app.get(
    '/tenants/:tenantId/api-keys',
    { schema: { tags, summary: 'List API keys (prefixes only).', params: tenantParams } },
    async (request) => ({
      data: await directory.listApiKeys(tenantScope(request.principal, request.params.tenantId)!),
    }),
  );

  app.delete(
    '/tenants/:tenantId/api-keys/:keyId',
    { schema: { tags, summary: 'Revoke an API key.', params: tenantParams.extend({ keyId: z.string() }) } },
    async (request, reply) => {
      await directory.revokeApiKey(
        tenantScope(request.principal, request.params.tenantId)!,
        request.params.keyId,
      );
      return reply.code(204).send();
    },
  );

  app.post(
    '/tenants/:tenantId/apps',
    {
      schema: {
        tags,
        summary:
          "Connect a Meta app (app id, app secret, webhook verify token). Idempotent per app id. Its webhooks apply only to this tenant's own WABAs and numbers; Coxcox's own apps are the operator's to connect.",
        params: tenantParams,
        body: z.object({
          appId: metaId('appId'),
          appSecret: z
            .string()
            .min(8, 'appSecret looks too short: copy it from the app dashboard, Settings › Basic'),
          verifyToken: z.string().min(8, 'verifyToken must be at least 8 characters'),
        }),
      },
    },
    async (request, reply) => {
      const tenantId = tenantScope(request.principal, request.params.tenantId)!;
      await directory.getTenant(tenantId);
      const by = request.principal.kind === 'admin' ? 'operator' : 'tenant';
      return reply.code(201).send(await directory.upsertMetaApp(tenantId, request.body, by));
    },
  );

  app.get(
    '/tenants/:tenantId/apps',
    { schema: { tags, summary: 'List Meta apps (no secrets).', params: tenantParams } },
    async (request) => ({
      data: await directory.listMetaApps(tenantScope(request.principal, request.params.tenantId)!),
    }),
  );

  app.post(
    '/tenants/:tenantId/wabas',
    {
      schema: {
        tags,
        summary: 'Connect a WhatsApp Business Account. Idempotent per WABA id.',
        params: tenantParams,
        body: z.object({
          wabaId: metaId('wabaId'),
          appId: metaId('appId').optional(),
          name: z.string().max(200).optional(),
        }),
      },
    },
    async (request, reply) => {
      const tenantId = tenantScope(request.principal, request.params.tenantId)!;
      await directory.getTenant(tenantId);
      return reply.code(201).send(await directory.upsertWaba(tenantId, request.body));
    },
  );

  app.get(
    '/tenants/:tenantId/wabas',
    { schema: { tags, summary: 'List WABAs.', params: tenantParams } },
    async (request) => ({
      data: await directory.listWabas(tenantScope(request.principal, request.params.tenantId)!),
    }),
  );

  app.post(
    '/tenants/:tenantId/phone-numbers',
    {
      schema: {
        tags,
        summary: 'Connect a business phone number of a WABA. Idempotent per phone number id.',
        params: tenantParams,
        body: z.object({
          wabaId: metaId('wabaId'),
          phoneNumberId: metaId('phoneNumberId'),
          displayPhoneNumber: z.string().max(40).optional(),
          verifiedName: z.string().max(200).optional(),
          throughputMps: z
            .number()
            .int()
            .min(1)
            .max(1000)
            .optional()
            .describe('messages per second (80 by default)'),
          graphApiUrl: z.url().optional(),
          graphApiVersion: z
            .string()
            .regex(/^v\d+\.\d+$/, 'graphApiVersion must look like v23.0')
            .optional(),
        }),
      },
    },
    async (request, reply) => {
      const tenantId = tenantScope(request.principal, request.params.tenantId)!;
      return reply.code(201).send(await directory.upsertPhoneNumber(tenantId, request.body));
    },
  );

  app.get(
    '/tenants/:tenantId/phone-numbers',
    {
      schema: {
        tags,
        summary: 'List phone numbers with quality, tier, throughput and health.',
        params: tenantParams,
      },
    },
    async (request) => ({
      data: await directory.listPhoneNumbers(tenantScope(request.principal, request.params.tenantId)!),
    }),
  );

  app.post(
    '/tenants/:tenantId/access-tokens',
    {
      schema: {
        tags,
        summary: 'Store an access token (encrypted at rest; never shown again).',
        params: tenantParams,
        body: z.object({
          token: z.string().min(16, 'token looks too short: paste the whole access token'),
          kind: z.enum(['system_user', 'business_integration_system_user', 'user']),
          wabaId: metaId('wabaId').optional(),
          expiresAt: z.iso.datetime({ offset: true }).optional().describe('ISO 8601; user tokens expire'),
        }),
      },
    },
    async (request, reply) => {
      const tenantId = tenantScope(request.principal, request.params.tenantId)!;
      const { expiresAt, ...rest } = request.body;
      return reply.code(201).send(
        await directory.addAccessToken(tenantId, {
          ...rest,
          expiresAt: expiresAt ? new Date(expiresAt) : null,
        }),
      );
    },
  );

  app.get(
    '/tenants/:tenantId/access-tokens',
    {
      schema: {
        tags,
        summary: 'List access tokens (a hint of the last four characters only).',
        params: tenantParams,
      },
    },
    async (request) => ({
      data: await directory.listAccessTokens(tenantScope(request.principal, request.params.tenantId)!),
    }),
  );
}
