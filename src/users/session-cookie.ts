/** The dashboard's session cookie. Its value is the session token; the server keeps only its hash. */
export const SESSION_COOKIE = 'coxcox_session';

/** Reads the session token from a Cookie header, or null. */
export function readSessionCookie(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator === -1) continue;
    if (part.slice(0, separator).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(separator + 1).trim();
    // Our tokens are base64url; anything else is not ours and must not reach the database.
    return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : null;
  }
  return null;
}

/**
 * HttpOnly: page scripts cannot read it (an XSS cannot steal the session). SameSite=Lax: other sites'
 * forms and fetches do not carry it, so together with the CSRF header it stops cross-site writes. Secure
 * when the request came over https (directly or through a proxy that says so).
 */
export function sessionCookie(token: string, options: { maxAgeMs: number; isSecure: boolean }): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    `Max-Age=${Math.floor(options.maxAgeMs / 1000)}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.isSecure ? ['Secure'] : []),
  ].join('; ');
}

export function clearedSessionCookie(isSecure: boolean): string {
  return sessionCookie('', { maxAgeMs: 0, isSecure });
}
