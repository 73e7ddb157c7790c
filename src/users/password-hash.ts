import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const argon2Async = promisify(argon2);

/**
 * Argon2id with OWASP's first recommended configuration: 19 MiB of memory, 2 passes, 1 lane
 * (OWASP Password Storage Cheat Sheet). About 50 ms a hash on a laptop core: slow for a guesser, fine for a
 * sign-in. Node 24 has Argon2 built in (`crypto.argon2`), so no native addon is needed.
 */
export const PASSWORD_HASH_PARAMETERS = Object.freeze({ memoryKib: 19_456, passes: 2, parallelism: 1 });
const SALT_BYTES = 16;
const TAG_BYTES = 32;

/** Passwords shorter than this are refused (NIST SP 800-63B asks for at least 8). */
export const MIN_PASSWORD_LENGTH = 10;
/** Argon2 takes any length, but a megabyte "password" is an attack on the CPU, not a password. */
export const MAX_PASSWORD_LENGTH = 256;

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

/** Hashes a password into a PHC string: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const { memoryKib, passes, parallelism } = PASSWORD_HASH_PARAMETERS;
  const tag = await argon2Async('argon2id', {
    message: password,
    nonce: salt,
    memory: memoryKib,
    passes,
    parallelism,
    tagLength: TAG_BYTES,
  });
  return `$argon2id$v=19$m=${memoryKib},t=${passes},p=${parallelism}$${b64(salt)}$${b64(tag)}`;
}

const phcPattern = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/**
 * Checks a password against a PHC string, with the parameters the hash was made with (so that raising
 * them later keeps old hashes valid). A malformed hash never matches.
 */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const match = phcPattern.exec(phc);
  if (!match) return false;
  const [, memory, passes, parallelism, salt, hash] = match;
  const expected = Buffer.from(hash!, 'base64');
  const tag = await argon2Async('argon2id', {
    message: password,
    nonce: Buffer.from(salt!, 'base64'),
    memory: Number(memory),
    passes: Number(passes),
    parallelism: Number(parallelism),
    tagLength: expected.length,
  });
  return tag.length === expected.length && timingSafeEqual(tag, expected);
}

/** Whether a hash was made with weaker parameters than today's, so it is worth re-hashing at sign-in. */
export function needsRehash(phc: string): boolean {
  const match = phcPattern.exec(phc);
  if (!match) return true;
  const { memoryKib, passes, parallelism } = PASSWORD_HASH_PARAMETERS;
  return Number(match[1]) < memoryKib || Number(match[2]) < passes || Number(match[3]) !== parallelism;
}
