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

export interface SetupRouteDeps {
  links: SetupLinks;
  onboardings: Onboardings;
  directory: TenantDirectory;
  signupMode: () => Promise<SignupMode>;
  /** Sandbox mode only: obtains a code from the simulator. */
  sandboxSignup: SandboxSignup | null;
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
      const link = await usableLink(request.params.token);
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
    return { onboarding: await deps.onboardings.latestForLink(link.linkId) };
  });

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
