import type { FastifyRequest } from 'fastify';
import { canSeeWaba, isExpired } from './access-tokens.ts';
import type { PhoneNumberRecord, WabaRecord } from './business-directory.ts';
import { SimulatedGraphError, unknownObject } from './graph-error.ts';
import type { AccessGrant } from './simulator-config.ts';
import type { SimulatorContext } from './simulator-context.ts';

const grants = new WeakMap<FastifyRequest, AccessGrant>();

/** `Authorization: Bearer <token>`, or Graph's `access_token` query parameter. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(header);
    return match ? (match[1] as string) : null;
  }
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.access_token === 'string' && query.access_token !== '' ? query.access_token : null;
}

/** Checks the token (190 with HTTP 401 when missing, unknown or revoked) and remembers its grant. */
export function authenticate(context: SimulatorContext, request: FastifyRequest): AccessGrant {
  const token = bearerToken(request);
  if (token === null) {
    throw new SimulatedGraphError(190, undefined, {
      message: 'An active access token must be used to query information about the current user.',
    });
  }
  const grant = context.tokens.grantFor(token);
  if (!grant) {
    if (context.tokens.wasRevoked(token)) {
      throw new SimulatedGraphError(190, undefined, {
        subcode: 467,
        message: 'Error validating access token: The session has been invalidated.',
      });
    }
    throw new SimulatedGraphError(190);
  }
  const now = context.clock.now();
  if (isExpired(grant, now)) throw expiredToken(grant.expiresAt!, now);
  grants.set(request, grant);
  return grant;
}

/** Graph's answer for an expired token: 190 with subcode 463 (cloud-api-details.md §4.1). */
export function expiredToken(expiresAt: number, now: number): SimulatedGraphError {
  return new SimulatedGraphError(190, undefined, {
    subcode: 463,
    message: `Error validating access token: Session has expired on ${new Date(expiresAt).toUTCString()}. The current time is ${new Date(now).toUTCString()}.`,
  });
}

function grantOf(context: SimulatorContext, request: FastifyRequest): AccessGrant {
  return grants.get(request) ?? authenticate(context, request);
}

/** A hosted number this token may use; otherwise Graph's 100/33, as for an id that does not exist. */
export function visibleNumber(
  context: SimulatorContext,
  request: FastifyRequest,
  id: string,
): PhoneNumberRecord {
  const number = context.directory.phoneNumber(id);
  if (!number || !canSeeWaba(grantOf(context, request), number.wabaId))
    throw unknownObject(id, request.method);
  return number;
}

export function visibleWaba(context: SimulatorContext, request: FastifyRequest, id: string): WabaRecord {
  const waba = context.directory.waba(id);
  if (!waba || !canSeeWaba(grantOf(context, request), waba.id)) throw unknownObject(id, request.method);
  return waba;
}

export function canSee(context: SimulatorContext, request: FastifyRequest, wabaId: string): boolean {
  return canSeeWaba(grantOf(context, request), wabaId);
}
