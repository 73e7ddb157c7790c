import type { AccessGrant } from './simulator-config.ts';

/** The bearer tokens the simulator accepts, and which WABAs each may see. Tokens can be revoked at run time. */
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
    for (const grant of this.#initial) this.#grants.set(grant.token, grant);
  }

  add(token: string, wabaIds: readonly string[] | null = null): void {
    this.#revoked.delete(token);
    this.#grants.set(token, { token, wabaIds });
  }

  /** A revoked token answers 190 like an invalidated session, so clients can test their token-error path. */
  revoke(token: string): void {
    if (this.#grants.delete(token)) this.#revoked.add(token);
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
