import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError } from './app-error.ts';

/**
 * Who is calling: the operator (ADMIN_TOKEN), or a tenant through an API key or a dashboard session. A
 * session also names its user and role, so routes can tell an admin from an agent.
 */
export type Principal =
  | { kind: 'admin' }
  | { kind: 'tenant'; tenantId: string; user?: { id: string; role: 'admin' | 'agent'; sessionId: string } };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

export interface SessionPrincipal {
  sessionId: string;
  tenantId: string;
  userId: string;
  role: 'admin' | 'agent';
  /**
   * The operator (signed in with the ADMIN_TOKEN) acting for the company it picked: it acts as that
   * company's API key would, for that company only, and only its own session can switch companies.
   */
  isOperator?: boolean;
}

export interface AuthOptions {
  adminToken: string;
  tenantIdForApiKey: (key: string) => Promise<string | null>;
  /** Reads the dashboard's session cookie (the users domain); without it only bearer tokens work. */
  sessionFromCookie?: (cookieHeader: string | undefined) => Promise<SessionPrincipal | null>;
  /** Whether a user with the agent role may make this change (method and route pattern); admins may make any. */
  canAgentChange?: (method: string, routeUrl: string) => boolean;
}

/**
 * Browsers send cookies with cross-site requests that a form or a simple fetch can make, but never a
 * custom header without the CORS preflight we do not answer. So a cookie-authenticated change must carry
 * this header: a cross-site page cannot forge it (the OWASP "custom request header" CSRF defence).
 */
export const CSRF_HEADER = 'x-coxcox-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Compares in constant time, so response timing does not reveal how much of a token matched. */
export function isSameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Reads `Authorization: Bearer <ADMIN_TOKEN | tenant API key>`, or else the dashboard's session cookie,
 * into `request.principal`.
 */
export function createAuthenticate(options: AuthOptions) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match && header === undefined && options.sessionFromCookie) {
      const session = await options.sessionFromCookie(request.headers.cookie);
      if (session) {
        authorizeSession(request, session, options);
        return;
      }
    }
    if (!match) {
      throw new AppError(
        'unauthorized',
        'send Authorization: Bearer <ADMIN_TOKEN or a tenant API key>, or sign in',
      );
    }
    const token = match[1]!;
    if (isSameSecret(token, options.adminToken)) {
      request.principal = { kind: 'admin' };
      return;
    }
    const tenantId = await options.tenantIdForApiKey(token);
    if (!tenantId) throw new AppError('unauthorized', 'the bearer token is not a valid API key');
    request.principal = { kind: 'tenant', tenantId };
  };
}

function authorizeSession(request: FastifyRequest, session: SessionPrincipal, options: AuthOptions): void {
  const isChange = !SAFE_METHODS.has(request.method);
  if (isChange && request.headers[CSRF_HEADER] !== '1') {
    throw new AppError('forbidden', `a signed-in change needs the ${CSRF_HEADER}: 1 header`);
  }
  const routeUrl = request.routeOptions.url ?? request.url;
  if (
    isChange &&
    session.role === 'agent' &&
    options.canAgentChange &&
    !options.canAgentChange(request.method, routeUrl)
  ) {
    throw new AppError('forbidden', 'only an admin of this company may change this');
  }
  request.principal = session.isOperator
    ? { kind: 'tenant', tenantId: session.tenantId }
    : {
        kind: 'tenant',
        tenantId: session.tenantId,
        user: { id: session.userId, role: session.role, sessionId: session.sessionId },
      };
}

export function requireAdmin(principal: Principal): void {
  if (principal.kind !== 'admin') throw new AppError('forbidden', 'this route needs the ADMIN_TOKEN');
}

/** Admin work of a tenant (its users, its settings): the operator, an API key, or a signed-in admin. */
export function requireTenantAdmin(principal: Principal): void {
  if (principal.kind === 'tenant' && principal.user && principal.user.role !== 'admin') {
    throw new AppError('forbidden', 'only an admin of this company may do this');
  }
}

/**
 * The tenant a request may act on. A tenant key asking for another tenant gets "not found", the same
 * answer as for a tenant that does not exist, so ids of other tenants cannot be probed.
 */
export function tenantScope(principal: Principal, requestedTenantId: string | undefined): string | undefined {
  if (principal.kind === 'admin') return requestedTenantId;
  if (requestedTenantId !== undefined && requestedTenantId !== principal.tenantId) {
    throw new AppError('not_found', `tenant ${requestedTenantId} was not found`);
  }
  return principal.tenantId;
}

/** Like tenantScope, but a tenant is required (admins must name one). */
export function requireTenant(principal: Principal, requestedTenantId: string | undefined): string {
  const tenantId = tenantScope(principal, requestedTenantId);
  if (tenantId === undefined)
    throw new AppError('validation_failed', 'name the tenant with ?tenantId= (admin token)');
  return tenantId;
}
