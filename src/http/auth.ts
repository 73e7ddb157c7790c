import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError } from './app-error.ts';

export type Principal = { kind: 'admin' } | { kind: 'tenant'; tenantId: string };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

export interface AuthOptions {
  adminToken: string;
  tenantIdForApiKey: (key: string) => Promise<string | null>;
}

function isSameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads `Authorization: Bearer <ADMIN_TOKEN | tenant API key>` into `request.principal`. */
export function createAuthenticate(options: AuthOptions) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) {
      throw new AppError('unauthorized', 'send Authorization: Bearer <ADMIN_TOKEN or a tenant API key>');
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

export function requireAdmin(principal: Principal): void {
  if (principal.kind !== 'admin') throw new AppError('forbidden', 'this route needs the ADMIN_TOKEN');
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
