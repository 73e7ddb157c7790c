import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SetupTokenPayload {
  linkId: string;
  tenantId: string;
  /** Epoch ms. */
  expiresAt: number;
}

const sign = (key: Buffer, body: string) => createHmac('sha256', key).update(body).digest();

/**
 * A setup link's token: `<base64url JSON>.<base64url HMAC-SHA256>`. The signature makes it unforgeable
 * and the payload names the link row, so that a link can also be revoked before it expires.
 */
export function signSetupToken(key: Buffer, payload: SetupTokenPayload): string {
  const body = Buffer.from(JSON.stringify({ l: payload.linkId, t: payload.tenantId, e: payload.expiresAt })).toString('base64url');
  return `${body}.${sign(key, body).toString('base64url')}`;
}

/** The payload of a well-signed token, or null (expiry is the caller's to check, to say so in words). */
export function readSetupToken(key: Buffer, token: string): SetupTokenPayload | null {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) return null;
  const given = Buffer.from(signature, 'base64url');
  const expected = sign(key, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { l?: unknown; t?: unknown; e?: unknown };
    if (typeof parsed.l !== 'string' || typeof parsed.t !== 'string' || typeof parsed.e !== 'number') return null;
    return { linkId: parsed.l, tenantId: parsed.t, expiresAt: parsed.e };
  } catch {
    return null;
  }
}
