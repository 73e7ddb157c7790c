import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The device cookie (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser that
 * signed in to an account gets one, naming a random device id and bound to that account by an HMAC. It
 * grants nothing but a sign-in limit of its own (decision 0010): a guesser without it cannot lock out
 * the account's owner, nor can a flood from a shared address.
 */
export const DEVICE_COOKIE = 'coxcox_device';
const MAX_AGE_MS = 365 * 24 * 60 * 60_000; // 1 year

function mac(key: Buffer, email: string, deviceId: string): string {
  return createHmac('sha256', key).update(`device\n${email}\n${deviceId}`).digest('base64url');
}

/** The device id of a valid device cookie for `email` in a Cookie header, or null. */
export function readDeviceCookie(header: string | undefined, email: string, key: Buffer): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator === -1 || part.slice(0, separator).trim() !== DEVICE_COOKIE) continue;
    const match = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(part.slice(separator + 1).trim());
    if (!match) return null;
    const [, deviceId, given] = match as unknown as [string, string, string];
    const expected = Buffer.from(mac(key, email, deviceId));
    return timingSafeEqual(Buffer.from(given), expected) ? deviceId : null;
  }
  return null;
}

/** A Set-Cookie for `email` on this device: the same device id when it had one, else a new one. */
export function deviceCookie(
  email: string,
  deviceId: string | null,
  key: Buffer,
  options: { isSecure: boolean },
): string {
  const id = deviceId ?? randomBytes(16).toString('base64url');
  return [
    `${DEVICE_COOKIE}=${id}.${mac(key, email, id)}`,
    // Only the sign-in route needs it.
    'Path=/api/v1/session',
    `Max-Age=${MAX_AGE_MS / 1000}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.isSecure ? ['Secure'] : []),
  ].join('; ');
}
