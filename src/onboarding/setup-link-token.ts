import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 128 bits of MAC: unforgeable, and short enough that the whole token fits in a URL segment (Fastify: 100). */
const MAC_BYTES = 16;

const mac = (key: Buffer, linkId: string) =>
  createHmac('sha256', key).update(linkId).digest().subarray(0, MAC_BYTES);

/** A new link id: 128 random bits. */
export function newSetupLinkId(): string {
  return `stl_${randomBytes(16).toString('base64url')}`;
}

/**
 * A setup link's token: `<link id>.<HMAC-SHA256 of it, base64url>`. The MAC makes it unforgeable; the
 * link row it names holds the tenant and the expiry, so a link can also be withdrawn before it expires.
 */
export function signSetupToken(key: Buffer, linkId: string): string {
  return `${linkId}.${mac(key, linkId).toString('base64url')}`;
}

/** The link id of a well-signed token, or null. */
export function readSetupToken(key: Buffer, token: string): string | null {
  const [linkId, signature, extra] = token.split('.');
  if (!linkId || !signature || extra !== undefined) return null;
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(key, linkId);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return linkId;
}
