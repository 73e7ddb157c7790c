import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encrypts secrets at rest with AES-256-GCM. A ciphertext reads `v1.<keyId>.<iv>.<tag>.<data>` (base64url),
 * so that a key can be rotated: new writes use the current key, and reads accept any key still listed.
 */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** The key id a sealed value was written with, to find values that still need re-sealing. */
  keyIdOf(sealed: string): string;
}

export function createSecretBox(
  currentKeyId: string,
  currentKey: Buffer,
  previousKeys: ReadonlyMap<string, Buffer> = new Map(),
): SecretBox {
  if (currentKey.length !== 32) throw new Error('SECRET_KEY must be 32 bytes');
  if (currentKeyId.includes('.')) throw new Error('SECRET_KEY_ID must not contain a dot');
  const keys = new Map(previousKeys);
  keys.set(currentKeyId, currentKey);
  return {
    seal(plaintext) {
      const iv = randomBytes(12); // 96-bit nonce, as NIST SP 800-38D recommends for GCM
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
      cipher.setAAD(Buffer.from(currentKeyId));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [
        'v1',
        currentKeyId,
        iv.toString('base64url'),
        tag.toString('base64url'),
        data.toString('base64url'),
      ].join('.');
    },
    open(sealed) {
      const [version, keyId, iv, tag, data] = sealed.split('.');
      if (version !== 'v1' || !keyId || iv === undefined || tag === undefined || data === undefined) {
        throw new Error('sealed secret is malformed');
      }
      const key = keys.get(keyId);
      if (!key)
        throw new Error(`sealed secret uses key "${keyId}", which is not configured (SECRET_KEY_PREVIOUS)`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(keyId));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    },
    keyIdOf(sealed) {
      return sealed.split('.')[1] ?? '';
    },
  };
}
