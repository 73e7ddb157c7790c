import { type AccessGrant, allPermissions } from './simulator-config.ts';
import type { Permission, TokenType } from './simulator-options.ts';

/** What a token added at run time may do; by default every WABA and permission, forever. */
export interface GrantOptions {
  scopes?: readonly Permission[];
  expiresAt?: number | null;
  type?: TokenType;
}

/**
 * The bearer tokens the simulator accepts, which WABAs each may see and which permissions it holds.
 * Tokens can be revoked, expired or lose a permission at run time, as a customer or Meta would do it.
 */
export class AccessTokens {
  readonly #grants = new Map<string, AccessGrant>();
  readonly #revoked = new Set<string>();
  readonly #initial: readonly AccessGrant[];

  constructor(grants: readonly AccessGrant[]) {
    this.#initial = grants;
    this.reset();
  }

  reset(): void {
    this.#grants.clear();
    this.#revoked.clear();
    for (const grant of this.#initial) this.#grants.set(grant.token, { ...grant, scopes: [...grant.scopes] });
  }

  add(token: string, wabaIds: readonly string[] | null = null, options: GrantOptions = {}): void {
    this.#revoked.delete(token);
    this.#grants.set(token, {
      token,
      wabaIds,
      scopes: [...(options.scopes ?? allPermissions)],
      expiresAt: options.expiresAt ?? null,
      type: options.type ?? 'SYSTEM_USER',
    });
  }

  /** A revoked token answers 190 like an invalidated session, so clients can test their token-error path. */
  revoke(token: string): void {
    if (this.#grants.delete(token)) this.#revoked.add(token);
  }

  /** The customer unticks a permission: calls that need it answer code 10, and `debug_token` stops listing it. */
  revokePermission(token: string, permission: Permission): boolean {
    const grant = this.#grants.get(token);
    if (!grant) return false;
    grant.scopes = grant.scopes.filter((scope) => scope !== permission);
    return true;
  }

  /** The token expires at `atMs` (now, usually): calls answer 190/463 from then on. */
  expire(token: string, atMs: number): boolean {
    const grant = this.#grants.get(token);
    if (!grant) return false;
    grant.expiresAt = atMs;
    return true;
  }

  /** Every grant and revoked token, for the state file. */
  snapshot(): { grants: AccessGrant[]; revoked: string[] } {
    return {
      grants: [...this.#grants.values()].map((grant) => ({ ...grant, scopes: [...grant.scopes] })),
      revoked: [...this.#revoked],
    };
  }

  /** Puts back a snapshot over the configured grants: a revoked configured token stays revoked. */
  restore(snapshot: { grants: readonly AccessGrant[]; revoked: readonly string[] }): void {
    for (const grant of snapshot.grants)
      this.#grants.set(grant.token, { ...grant, scopes: [...grant.scopes] });
    for (const token of snapshot.revoked) {
      this.#grants.delete(token);
      this.#revoked.add(token);
    }
  }

  grantFor(token: string): AccessGrant | undefined {
    return this.#grants.get(token);
  }

  wasRevoked(token: string): boolean {
    return this.#revoked.has(token);
  }
}

export function canSeeWaba(grant: AccessGrant, wabaId: string): boolean {
  return grant.wabaIds === null || grant.wabaIds.includes(wabaId);
}

export function isExpired(grant: AccessGrant, nowMs: number): boolean {
  return grant.expiresAt !== null && grant.expiresAt <= nowMs;
}
