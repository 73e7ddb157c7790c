import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAdmin, tenantScope } from '../http/auth.ts';
import type { TenantDirectory } from '../tenants/index.ts';
import { disconnectNumber } from './disconnect-number.ts';
import type { Onboardings } from './onboardings.ts';
import { DEFAULT_SETUP_LINK_TTL_MS, type SetupLinks } from './setup-links.ts';

export interface OnboardingRouteDeps {
  links: SetupLinks;
  onboardings: Onboardings;
  directory: TenantDirectory;
  db: Parameters<typeof disconnectNumber>[0];
  now: () => number;
  /** After a disconnect: health reassesses the number (when it was kept). */
  onDisconnected?: (tenantId: string, phoneNumberId: string) => Promise<void>;
}

const HOUR_MS = 60 * 60 * 1000;
const tenantParams = z.object({ tenantId: z.string().min(1) });
const metaId = (what: string) =>
  z
    .string()
    .regex(/^\d{1,32}$/, `${what} is Meta's numeric id`)
    .describe(what);
const expiresInHours = z
  .number()
  .int()
  .min(1)
  .max(720)
  .optional()
  .describe('how long the link works: 72 hours by default, 30 days at most');
const allowAdditionalNumbers = z
  .boolean()
  .optional()
  .describe(
    'admin token only: the link keeps working after its onboarding completed, to connect more numbers (by default a link is single-use once it connected one)',
  );

/** The API side of onboarding: setup links, attempts (and resuming them), manual connections, disconnects. */
export async function onboardingRoutes(instance: FastifyInstance, deps: OnboardingRouteDeps): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const tags = ['onboarding'];
  const ttl = (hours: number | undefined) =>
    hours === undefined ? DEFAULT_SETUP_LINK_TTL_MS : hours * HOUR_MS;

  app.post(
    '/setup-links',
    {
      schema: {
        tags,
        summary:
          'Create a tenant and its setup link in one call (admin only). Open the link, run the signup, and the number can send.',
        body: z.object({
          tenantName: z.string().min(1).max(200),
          tenantId: z
            .string()
            .regex(/^[A-Za-z0-9_.:-]{1,128}$/)
            .optional(),
          expiresInHours,
          allowAdditionalNumbers,
        }),
      },
    },
    async (request, reply) => {
      requireAdmin(request.principal);
      const { tenantName, tenantId, expiresInHours: hours } = request.body;
      const tenant = await deps.directory.createTenant({
        name: tenantName,
        ...(tenantId ? { id: tenantId } : {}),
      });
      const setupLink = await deps.links.create(tenant.id, ttl(hours), {
        canAddNumbers: request.body.allowAdditionalNumbers === true,
      });
      return reply.code(201).send({ tenant, setupLink });
    },
  );

  app.post(
    '/tenants/:tenantId/setup-links',
    {
      schema: {
        tags,
        summary:
          'Create a setup link for the tenant: a signed URL to the signup page, expiring (72 h by default).',
        params: tenantParams,
        body: z.object({ expiresInHours, allowAdditionalNumbers }).optional(),
      },
    },
    async (request, reply) => {
      const tenantId = tenantScope(request.principal, request.params.tenantId)!;
      const canAddNumbers = request.body?.allowAdditionalNumbers === true;
      // A link that connects any number of numbers is the operator's decision, not a tenant's.
      if (canAddNumbers) requireAdmin(request.principal);
      await deps.directory.getTenant(tenantId);
      return reply
        .code(201)
        .send(await deps.links.create(tenantId, ttl(request.body?.expiresInHours), { canAddNumbers }));
    },
  );

  app.get(
    '/tenants/:tenantId/setup-links',
    {
      schema: {
        tags,
        summary: 'List setup links (the URLs are shown once, when created).',
        params: tenantParams,
      },
    },
    async (request) => ({
      data: await deps.links.list(tenantScope(request.principal, request.params.tenantId)!),
    }),
  );

  app.delete(
    '/tenants/:tenantId/setup-links/:linkId',
    {
      schema: {
        tags,
        summary: 'Withdraw a setup link.',
        params: tenantParams.extend({ linkId: z.string().min(1) }),
      },
    },
    async (request, reply) => {
      await deps.links.revoke(
        tenantScope(request.principal, request.params.tenantId)!,
        request.params.linkId,
      );
      return reply.code(204).send();
    },
  );

  app.get(
    '/tenants/:tenantId/onboardings',
    {
      schema: {
        tags,
        summary: 'Connection attempts, newest first, with the state of every step.',
        params: tenantParams,
      },
    },
    async (request) => ({
      data: await deps.onboardings.list(tenantScope(request.principal, request.params.tenantId)!),
    }),
  );

  app.get(
    '/tenants/:tenantId/onboardings/:onboardingId',
    {
      schema: {
        tags,
        summary: 'One connection attempt.',
        params: tenantParams.extend({ onboardingId: z.string().min(1) }),
      },
    },
    async (request) =>
      deps.onboardings.get(
        tenantScope(request.principal, request.params.tenantId)!,
        request.params.onboardingId,
      ),
  );

  app.post(
    '/tenants/:tenantId/onboardings/:onboardingId/resume',
    {
      schema: {
        tags,
        summary: 'Run a failed attempt again from the step that failed (steps done are skipped).',
        params: tenantParams.extend({ onboardingId: z.string().min(1) }),
        body: z
          .object({
            code: z
              .string()
              .min(1)
              .max(4096)
              .optional()
              .describe('a new signup code, when the exchange failed'),
            pin: z
              .string()
              .regex(/^\d{6}$/, 'pin is six digits')
              .optional(),
          })
          .optional(),
      },
    },
    async (request) =>
      deps.onboardings.resume(
        tenantScope(request.principal, request.params.tenantId)!,
        request.params.onboardingId,
        request.body ?? {},
      ),
  );

  app.post(
    '/tenants/:tenantId/connections',
    {
      schema: {
        tags,
        summary:
          'Connect a number by hand: WABA id, number id and a system user token. The token is checked with Meta (valid, business_management, whatsapp_business_management, whatsapp_business_messaging, access to the WABA) and the number looked up before anything is saved.',
        params: tenantParams,
        body: z.object({
          wabaId: metaId('wabaId'),
          phoneNumberId: metaId('phoneNumberId'),
          accessToken: z.string().min(16, 'accessToken looks too short: paste the whole token'),
          appId: z
            .string()
            .min(1)
            .max(128)
            .optional()
            .describe('the Meta app of the token, if not Coxcox’s (connect it with POST /apps first)'),
          pin: z
            .string()
            .regex(/^\d{6}$/, 'pin is six digits')
            .optional()
            .describe('two-step PIN, if the number is not registered yet'),
        }),
      },
    },
    async (request, reply) => {
      const tenantId = tenantScope(request.principal, request.params.tenantId)!;
      return reply.code(201).send(await deps.onboardings.connectManually(tenantId, request.body));
    },
  );

  app.post(
    '/tenants/:tenantId/phone-numbers/:phoneNumberId/disconnect',
    {
      schema: {
        tags,
        summary:
          'Disconnect a number: it stops sending at once (queued and held messages are cancelled with the reason). data "keep" keeps its conversations and messages; "delete" removes them and the number.',
        params: tenantParams.extend({ phoneNumberId: z.string().min(1) }),
        body: z.object({ data: z.enum(['keep', 'delete']), reason: z.string().max(500).optional() }),
      },
    },
    async (request) => {
      const tenantId = tenantScope(request.principal, request.params.tenantId)!;
      const result = await disconnectNumber(
        deps.db,
        {
          tenantId,
          phoneNumberId: request.params.phoneNumberId,
          data: request.body.data,
          reason: request.body.reason,
        },
        deps.now(),
      );
      if (result.data === 'keep') await deps.onDisconnected?.(tenantId, result.phoneNumberId);
      return result;
    },
  );
}
