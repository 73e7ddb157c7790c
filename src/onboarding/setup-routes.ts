import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../http/app-error.ts';
import type { TenantDirectory } from '../tenants/index.ts';
import { type Onboardings, usedSetupLink } from './onboardings.ts';
import type { SandboxSignup } from './sandbox-signup.ts';
import type { SetupLinks } from './setup-links.ts';
import { renderSetupPage, type SignupMode, setupPageCsp } from './setup-page.ts';

/** As the users domain's: Argon2 takes any length, but a megabyte password is an attack on the CPU. */
const MAX_PASSWORD_LENGTH = 256;

export interface SetupRouteDeps {
  links: SetupLinks;
  onboardings: Onboardings;
  directory: TenantDirectory;
  signupMode: () => Promise<SignupMode>;
  /** Sandbox mode only: obtains a code from the simulator. */
  sandboxSignup: SandboxSignup | null;
  /** The users domain: the company's first admin, made from the link once it connected a number. */
  companyAdmin: CompanyAdminPort | null;
}

/** What the setup page needs of the users domain (a port: onboarding does not import it). */
export interface CompanyAdminPort {
  canCreate(tenantId: string): Promise<boolean>;
  create(
    tenantId: string,
    input: { name?: string; email: string; password: string },
    client: { userAgent: string | null; isSecure: boolean },
  ): Promise<{ user: { email: string; name: string }; cookie: string }>;
}

const tokenParams = z.object({ token: z.string().min(1).max(2048) });
const metaId = z.string().regex(/^\d{1,32}$/, 'a Meta id is digits');

/**
 * The setup link's public routes (the token is the credential, so no API key): the page, the sandbox's
 * simulated signup, `complete` with the code, and the state of the link's latest attempt.
 */
export async function setupRoutes(instance: FastifyInstance, deps: SetupRouteDeps): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const hide = { hide: true };

  /** A link that may still connect a number: single-use links stop once their onboarding completed. */
  const usableLink = async (token: string) => {
    const link = await deps.links.resolve(token);
    if (!link.canAddNumbers && (await deps.onboardings.completedForLink(link.linkId))) throw usedSetupLink();
    return link;
  };

  app.get('/setup/:token', { schema: { ...hide, params: tokenParams } }, async (request, reply) => {
    // The URL is a credential: never cached, never sent on as a referrer, never framed by another site.
    reply
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .type('text/html; charset=utf-8');
    let tenantName: string;
    try {
      // A used link's page still opens while its company has no user yet: it ends with creating the admin.
      const link = await deps.links.resolve(request.params.token);
      const canCreateAdmin = deps.companyAdmin !== null && (await deps.companyAdmin.canCreate(link.tenantId));
      if (!canCreateAdmin) await usableLink(request.params.token);
      tenantName = (await deps.directory.getTenant(link.tenantId)).name;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return reply
        .code(error.statusCode)
        .header('content-security-policy', setupPageCsp(null, null))
        .send(
          `<!doctype html><meta charset="utf-8"><title>Setup link</title><p>${error.message.replace(/[<>&]/g, '')}</p>`,
        );
    }
    const mode = await deps.signupMode();
    const nonce = randomBytes(16).toString('base64');
    const page = renderSetupPage({ tenantName, basePath: `/setup/${request.params.token}`, mode, nonce });
    return reply.header('content-security-policy', setupPageCsp(mode, nonce)).send(page);
  });

  app.get('/setup/:token/status', { schema: { ...hide, params: tokenParams } }, async (request) => {
    const link = await deps.links.resolve(request.params.token);
    const onboarding = await deps.onboardings.latestForLink(link.linkId);
    return {
      onboarding,
      // The page offers the company's first admin once the link connected a number.
      canCreateAdmin:
        onboarding?.state === 'completed' && deps.companyAdmin !== null
          ? await deps.companyAdmin.canCreate(link.tenantId)
          : false,
    };
  });

  app.post(
    '/setup/:token/admin',
    {
      schema: {
        ...hide,
        params: tokenParams,
        body: z.object({
          name: z.string().max(200).optional(),
          email: z.string().min(3).max(320),
          password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
        }),
      },
    },
    async (request, reply) => {
      // The link is the credential, as for the signup itself. This works after the link's onboarding
      // completed (when the signup steps no longer do), and only while the company has no user at all.
      const link = await deps.links.resolve(request.params.token);
      if (!deps.companyAdmin) throw new AppError('not_found', 'users are not available on this server');
      const onboarding = await deps.onboardings.latestForLink(link.linkId);
      if (onboarding?.state !== 'completed')
        throw new AppError(
          'conflict',
          'connect WhatsApp first: the admin is created once the number is connected',
        );
      const created = await deps.companyAdmin.create(link.tenantId, request.body, {
        userAgent: request.headers['user-agent'] ?? null,
        isSecure: request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https',
      });
      return reply
        .code(201)
        .header('set-cookie', created.cookie)
        .header('cache-control', 'no-store')
        .send({ user: { email: created.user.email, name: created.user.name }, dashboardUrl: '/' });
    },
  );

  app.post('/setup/:token/sandbox-signup', { schema: { ...hide, params: tokenParams } }, async (request) => {
    const link = await usableLink(request.params.token);
    if (!deps.sandboxSignup)
      throw new AppError('not_found', 'the simulated signup exists in sandbox mode only');
    const tenant = await deps.directory.getTenant(link.tenantId);
    return deps.sandboxSignup({ businessName: tenant.name });
  });

  app.post(
    '/setup/:token/complete',
    {
      schema: {
        ...hide,
        params: tokenParams,
        body: z
          .object({
            code: z.string().min(1).max(4096).optional(),
            wabaId: metaId.optional(),
            phoneNumberId: metaId.optional(),
          })
          .optional(),
      },
    },
    async (request) => {
      const link = await deps.links.resolve(request.params.token);
      return deps.onboardings.completeSignup(link.tenantId, link, request.body ?? {});
    },
  );
}
