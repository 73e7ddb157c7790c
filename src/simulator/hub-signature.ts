import { createHmac } from 'node:crypto';

/** `X-Hub-Signature-256: sha256=<lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the app secret>`. */
export function hubSignature256(body: string | Uint8Array, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** The legacy `X-Hub-Signature` (SHA-1) Meta still sends beside it; receivers should ignore it. */
export function hubSignatureSha1(body: string | Uint8Array, appSecret: string): string {
  return `sha1=${createHmac('sha1', appSecret).update(body).digest('hex')}`;
}
