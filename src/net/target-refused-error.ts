/** The setting that opens private targets; every refusal names it. */
export const ALLOW_PRIVATE_SETTING = 'ALLOW_PRIVATE_NETWORK_TARGETS';

/**
 * A tenant-chosen URL whose address is not public (loopback, private, link-local …): the server does not
 * connect to it. Permanent: the same URL resolves the same way on a retry.
 */
export class TargetRefusedError extends Error {
  override readonly name = 'TargetRefusedError';
  readonly code = 'target_refused';
  /** The host as given (a name or an address). */
  readonly host: string;
  /** The address it resolved to. */
  readonly address: string;
  /** What kind of address it is, in words: `a loopback address`. */
  readonly kind: string;

  constructor(host: string, address: string, kind: string) {
    const where = host === address ? address : `${host} resolves to ${address}`;
    super(`target_refused: ${where}, ${kind}; set ${ALLOW_PRIVATE_SETTING}=true to allow private targets`);
    this.host = host;
    this.address = address;
    this.kind = kind;
  }
}

/** The refusal behind an error, however deep (fetch wraps connect errors in `TypeError: fetch failed`). */
export function findTargetRefusal(error: unknown): TargetRefusedError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== null && typeof current === 'object'; depth += 1) {
    if (current instanceof TargetRefusedError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
