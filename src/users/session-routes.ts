import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AppError } from '../http/app-error.ts';
import { CSRF_HEADER, isSameSecret } from '../http/auth.ts';
import type { Database } from '../store/schema.ts';
import { deviceCookie, readDeviceCookie } from './device-cookie.ts';
import { createFirstAdmin } from './first-run.ts';
import { isOperatorToken, type OperatorSessions } from './operator-sessions.ts';
import { MAX_PASSWORD_LENGTH } from './password-hash.ts';
import { clearedSessionCookie, readSessionCookie, sessionCookie } from './session-cookie.ts';
import type { Sessions } from './sessions.ts';
import type { SignInLimiter } from './sign-in-limiter.ts';
import { normalizeEmail, type Users, type UserView } from './users.ts';

export interface SessionRouteDeps {
  db: Kysely<Database>;
  users: Users;
  sessions: Sessions;
  operatorSessions: OperatorSessions;
  /** ADMIN_TOKEN: the operator signs in with it, to act for any company. */
  adminToken: string;
  limiter: SignInLimiter;
  /** Signs device cookies (derived from SECRET_KEY, so every instance accepts them). */
  deviceCookieKey: Buffer;
  /** The tenant the first admin joins: the sandbox's, or the WHATSAPP_* variables' `default`. */
  defaultTenantId: string | null;
  isSandbox: boolean;
  now: () => number;
}

/** Behind a TLS-terminating proxy the request is plain http; the proxy's header says what the browser used. */
function isHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
}

const credentials = z.object({
  email: z.string().min(3).max(320),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

/**
 * Signing in and out of the dashboard, and the first-run setup. These routes need no credentials, so
 * they live outside the authenticated API scope and check the session cookie themselves.
 */
export async function sessionRoutes(instance: FastifyInstance, deps: SessionRouteDeps): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const tags = ['session'];

  const tenantName = async (tenantId: string) =>
    (await deps.db.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirst())
      ?.name ?? tenantId;

  const startSession = async (request: FastifyRequest, user: UserView) => {
    const { token, expiresAt } = await deps.sessions.create(user, request.headers['user-agent'] ?? null);
    return {
      cookie: sessionCookie(token, { maxAgeMs: expiresAt - deps.now(), isSecure: isHttps(request) }),
      body: {
        user,
        tenant: { id: user.tenantId, name: await tenantName(user.tenantId) },
        isSandbox: deps.isSandbox,
      },
    };
  };

  const companies = async () =>
    deps.db.selectFrom('tenants').select(['id', 'name']).orderBy('created_at').orderBy('id').execute();

  /** What the dashboard knows of an operator's session: the company it acts for, and all it may pick. */
  const operatorBody = async (tenantId: string) => ({
    user: {
      id: 'operator',
      tenantId,
      email: '',
      name: 'Operator',
      role: 'admin' as const,
      isDisabled: false,
      lastSignInAt: null,
      createdAt: new Date(0).toISOString(),
    },
    tenant: { id: tenantId, name: await tenantName(tenantId) },
    isSandbox: deps.isSandbox,
    operator: { companies: await companies() },
  });

  const operatorSessionOf = async (request: FastifyRequest) => {
    const token = readSessionCookie(request.headers.cookie);
    return token && isOperatorToken(token) ? deps.operatorSessions.find(token) : null;
  };

  const existingTenant = async (tenantId: string) => {
    const row = await deps.db
      .selectFrom('tenants')
      .select('id')
      .where('id', '=', tenantId)
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', `company ${tenantId} was not found`);
    return row.id;
  };

  app.get(
    '/setup',
    { schema: { tags, summary: 'Whether Coxcox still needs its first admin (the first-run screen).' } },
    async () => ({
      isNeeded: (await deps.users.countAll()) === 0,
      isSandbox: deps.isSandbox,
      hasDefaultTenant: deps.defaultTenantId !== null,
    }),
  );

  app.post(
    '/setup',
    {
      schema: {
        tags,
        summary: 'Create the first admin and sign in. Only while Coxcox has no user at all; 409 after.',
        body: credentials.extend({
          name: z.string().max(200).optional(),
          companyName: z.string().max(200).optional(),
        }),
      },
    },
    async (request, reply) => {
      const user = await createFirstAdmin(deps, request.body);
      const session = await startSession(request, user);
      return reply.code(201).header('set-cookie', session.cookie).send(session.body);
    },
  );

  app.post(
    '/session',
    {
      schema: {
        tags,
        summary: 'Sign in with email and password: sets an HttpOnly session cookie.',
        body: credentials,
      },
    },
    async (request, reply) => {
      const email = normalizeEmail(request.body.email);
      const deviceId = readDeviceCookie(request.headers.cookie, email, deps.deviceCookieKey);
      // Reserved before the password is checked: concurrent guesses cannot all pass a check made earlier.
      const attempt = deps.limiter.reserve(email, request.ip, deviceId);
      if (!attempt.isAllowed) {
        reply.header('retry-after', String(attempt.retryAfterSeconds));
        throw new AppError(
          'rate_limited',
          `too many failed sign-ins: try again in ${attempt.retryAfterSeconds} seconds`,
        );
      }
      let user: UserView | null;
      try {
        user = await deps.users.checkCredentials(email, request.body.password);
      } catch (error) {
        attempt.abandoned();
        throw error;
      }
      if (!user) {
        attempt.failed();
        throw new AppError('unauthorized', 'wrong email or password');
      }
      attempt.succeeded();
      const session = await startSession(request, user);
      const device = deviceCookie(email, deviceId, deps.deviceCookieKey, { isSecure: isHttps(request) });
      return reply.header('set-cookie', [session.cookie, device]).send(session.body);
    },
  );

  app.post(
    '/session/operator',
    {
      schema: {
        tags,
        summary:
          'The operator signs in to the dashboard with the ADMIN_TOKEN, acting for one company (the first one unless tenantId is given); it can switch later.',
        body: z.object({
          adminToken: z.string().min(1).max(1024),
          tenantId: z.string().min(1).max(128).optional(),
        }),
      },
    },
    async (request, reply) => {
      // The same limits as a password: the admin token must not be guessable through this form.
      const attempt = deps.limiter.reserve('(operator)', request.ip, null);
      if (!attempt.isAllowed) {
        reply.header('retry-after', String(attempt.retryAfterSeconds));
        throw new AppError(
          'rate_limited',
          `too many failed sign-ins: try again in ${attempt.retryAfterSeconds} seconds`,
        );
      }
      if (!isSameSecret(request.body.adminToken, deps.adminToken)) {
        attempt.failed();
        throw new AppError('unauthorized', 'that is not the ADMIN_TOKEN');
      }
      attempt.succeeded();
      const tenantId = request.body.tenantId
        ? await existingTenant(request.body.tenantId)
        : ((deps.defaultTenantId &&
            (
              await deps.db
                .selectFrom('tenants')
                .select('id')
                .where('id', '=', deps.defaultTenantId)
                .executeTakeFirst()
            )?.id) ??
          (await companies())[0]?.id);
      if (!tenantId) throw new AppError('conflict', 'there is no company yet: create one with a setup link');
      const { token, expiresAt } = await deps.operatorSessions.create(tenantId);
      const cookie = sessionCookie(token, { maxAgeMs: expiresAt - deps.now(), isSecure: isHttps(request) });
      return reply.header('set-cookie', cookie).send(await operatorBody(tenantId));
    },
  );

  app.put(
    '/session/company',
    {
      schema: {
        tags,
        summary: 'The operator acts for another company from now on. Users of a company cannot switch.',
        body: z.object({ tenantId: z.string().min(1).max(128) }),
      },
    },
    async (request) => {
      if (request.headers[CSRF_HEADER] !== '1')
        throw new AppError('forbidden', `switching companies needs the ${CSRF_HEADER}: 1 header`);
      const session = await operatorSessionOf(request);
      if (!session)
        throw new AppError(
          'forbidden',
          'only the operator (signed in with the ADMIN_TOKEN) can switch companies',
        );
      const tenantId = await existingTenant(request.body.tenantId);
      await deps.operatorSessions.switchTenant(session.sessionId, tenantId);
      return operatorBody(tenantId);
    },
  );

  app.get('/session', { schema: { tags, summary: 'The signed-in user, or 401.' } }, async (request) => {
    const operator = await operatorSessionOf(request);
    if (operator) {
      return {
        ...(await operatorBody(operator.tenantId)),
        expiresAt: new Date(operator.expiresAt).toISOString(),
      };
    }
    const token = readSessionCookie(request.headers.cookie);
    const session = token ? await deps.sessions.find(token) : null;
    if (!session) throw new AppError('unauthorized', 'not signed in');
    const user = await deps.users.get(session.tenantId, session.userId);
    return {
      user,
      tenant: { id: user.tenantId, name: await tenantName(user.tenantId) },
      isSandbox: deps.isSandbox,
      expiresAt: new Date(session.expiresAt).toISOString(),
    };
  });

  app.delete(
    '/session',
    { schema: { tags, summary: 'Sign out: ends the session and clears the cookie.' } },
    async (request, reply) => {
      if (request.headers[CSRF_HEADER] !== '1')
        throw new AppError('forbidden', `signing out needs the ${CSRF_HEADER}: 1 header`);
      const token = readSessionCookie(request.headers.cookie);
      if (token && isOperatorToken(token)) await deps.operatorSessions.revoke(token);
      else if (token) await deps.sessions.revoke(token);
      return reply
        .code(204)
        .header('set-cookie', clearedSessionCookie(isHttps(request)))
        .send();
    },
  );
}
