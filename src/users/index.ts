/**
 * The people who sign in to the dashboard: users of a tenant with a role (admin or agent), Argon2id
 * password hashes, cookie sessions, the first-run setup and the `coxcox users` command.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { SessionPrincipal } from '../http/auth.ts';
import type { Database } from '../store/schema.ts';
import { canAgentChange } from './agent-role-policy.ts';
import { type CompanyAdminInput, canCreateCompanyAdmin, createCompanyAdmin } from './company-admin.ts';
import { isOperatorToken, OperatorSessions } from './operator-sessions.ts';
import { readSessionCookie, sessionCookie } from './session-cookie.ts';
import { sessionRoutes } from './session-routes.ts';
import { Sessions } from './sessions.ts';
import { SignInLimiter } from './sign-in-limiter.ts';
import { userRoutes } from './user-routes.ts';
import { Users, type UserView } from './users.ts';

export { canAgentChange } from './agent-role-policy.ts';
export type { CompanyAdminInput } from './company-admin.ts';
export { hashPassword, verifyPassword } from './password-hash.ts';
export { readSessionCookie, SESSION_COOKIE } from './session-cookie.ts';
export { Sessions, type SessionUser } from './sessions.ts';
export { userMigrations } from './user-migrations.ts';
export { type UserRole, Users, type UserView } from './users.ts';

export interface UserAccounts {
  users: Users;
  sessions: Sessions;
  /** For the API's authentication: the session cookie's user as a tenant principal. */
  sessionFromCookie(cookieHeader: string | undefined): Promise<SessionPrincipal | null>;
  canAgentChange(method: string, routeUrl: string): boolean;
  /** Whether a company may still get its first admin from its setup link (no user yet, none made). */
  canCreateCompanyAdmin(tenantId: string): Promise<boolean>;
  /**
   * A company's first admin, from its setup link, signed in at once: the Set-Cookie to send. Once per
   * company, and never for one that has users.
   */
  createCompanyAdmin(
    tenantId: string,
    input: CompanyAdminInput,
    client: { userAgent: string | null; isSecure: boolean },
  ): Promise<{ user: UserView; cookie: string }>;
  /** Sign-in, sign-out and first-run setup: under /api/v1, outside authentication. */
  publicRoutes(api: FastifyInstance): Promise<void>;
  /** Managing users: under /api/v1, authenticated. */
  routes(api: FastifyInstance): Promise<void>;
}

export function createUserAccounts(options: {
  db: Kysely<Database>;
  isSandbox: boolean;
  defaultTenantId: string | null;
  /** Signs device cookies (the sign-in limiter's known browsers); derive it from SECRET_KEY. */
  deviceCookieKey: Buffer;
  /** ADMIN_TOKEN: the operator signs in to the dashboard with it. */
  adminToken: string;
  now?: () => number;
}): UserAccounts {
  const now = options.now ?? Date.now;
  const users = new Users(options.db, now);
  const sessions = new Sessions(options.db, now);
  const operatorSessions = new OperatorSessions(options.db, options.adminToken, now);
  const limiter = new SignInLimiter(now);
  return {
    users,
    sessions,
    async sessionFromCookie(cookieHeader) {
      const token = readSessionCookie(cookieHeader);
      if (token && isOperatorToken(token)) {
        const operator = await operatorSessions.find(token);
        return (
          operator && {
            sessionId: operator.sessionId,
            tenantId: operator.tenantId,
            userId: 'operator',
            role: 'admin',
            isOperator: true,
          }
        );
      }
      const session = token ? await sessions.find(token) : null;
      return (
        session && {
          sessionId: session.sessionId,
          tenantId: session.tenantId,
          userId: session.userId,
          role: session.role,
        }
      );
    },
    canAgentChange,
    canCreateCompanyAdmin: (tenantId) => canCreateCompanyAdmin(options.db, tenantId),
    async createCompanyAdmin(tenantId, input, client) {
      const user = await createCompanyAdmin({ db: options.db, users, now }, tenantId, input);
      const { token, expiresAt } = await sessions.create(user, client.userAgent);
      return {
        user,
        cookie: sessionCookie(token, { maxAgeMs: expiresAt - now(), isSecure: client.isSecure }),
      };
    },
    publicRoutes: (api) =>
      sessionRoutes(api, {
        db: options.db,
        users,
        sessions,
        operatorSessions,
        adminToken: options.adminToken,
        limiter,
        deviceCookieKey: options.deviceCookieKey,
        defaultTenantId: options.defaultTenantId,
        isSandbox: options.isSandbox,
        now,
      }),
    routes: (api) => userRoutes(api, { users, sessions }),
  };
}
