import { createHash } from 'node:crypto';

/** Lowercase hex SHA-256 of the bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Whether the bytes hash to Meta's sha256. The media endpoint gives hex (e.g. a recorded
 * `GET /{media-id}` answer in a public Ruby SDK's VCR cassette), webhooks give base64 (Meta's
 * call-recording webhook example), so both are accepted.
 */
export function matchesSha256(bytes: Uint8Array, expected: string): boolean {
  const digest = createHash('sha256').update(bytes).digest();
  const trimmed = expected.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return digest.toString('hex') === trimmed.toLowerCase();
  const base64 = trimmed.replaceAll('-', '+').replaceAll('_', '/').replace(/=+$/, '');
  return digest.toString('base64').replace(/=+$/, '') === base64;
}
