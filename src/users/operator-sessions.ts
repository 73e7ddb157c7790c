import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { hashSessionToken, SESSION_IDLE_MS, SESSION_MAX_AGE_MS } from './sessions.ts';
import './user-schema.ts';

/**
 * Operator tokens are `op_` and 43 base64url characters, so the cookie reader knows which table to ask:
 * a user's token is 43 characters, never 46.
 */
export const OPERATOR_TOKEN_PREFIX = 'op_';

export interface OperatorSession {
  sessionId: string;
  /** The company the operator acts for now. */
  tenantId: string;
  expiresAt: number;
}

export function isOperatorToken(token: string): boolean {
  return token.startsWith(OPERATOR_TOKEN_PREFIX) && token.length === OPERATOR_TOKEN_PREFIX.length + 43;
}

/**
 * The operator's dashboard sessions: signed in with the ADMIN_TOKEN, acting for one company at a time.
 * The same lifetimes as a user's (a week idle, a month at most); the cookie holds a random token and the
 * database only its hash.
 */
export class OperatorSessions {
  private readonly db: Kysely<Database>;
  private readonly now: () => number;
  /** Which ADMIN_TOKEN signed the session in: rotating the token ends every operator session. */
  private readonly adminTokenHash: string;

  constructor(db: Kysely<Database>, adminToken: string, now: () => number = Date.now) {
    this.db = db;
    this.now = now;
    this.adminTokenHash = createHash('sha256').update(`coxcox operator session\0${adminToken}`).digest('hex');
  }

  async create(tenantId: string): Promise<{ token: string; expiresAt: number }> {
    const now = this.now();
    const token = `${OPERATOR_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const expiresAt = now + SESSION_IDLE_MS;
    await this.db
      .insertInto('operator_sessions')
      .values({
        id: `ops_${randomUUID()}`,
        token_hash: hashSessionToken(token),
        tenant_id: tenantId,
        admin_token_hash: this.adminTokenHash,
        created_at: now,
        expires_at: expiresAt,
        last_seen_at: now,
      })
      .execute();
    await this.db.deleteFrom('operator_sessions').where('expires_at', '<', now).execute();
    return { token, expiresAt };
  }

  async find(token: string): Promise<OperatorSession | null> {
    const now = this.now();
    const row = await this.db
      .selectFrom('operator_sessions')
      .selectAll()
      .where('token_hash', '=', hashSessionToken(token))
      .executeTakeFirst();
    if (!row || row.expires_at <= now || row.admin_token_hash !== this.adminTokenHash) return null;
    let expiresAt = row.expires_at;
    if (now - row.last_seen_at >= 60_000) {
      // At most once a minute, as for users' sessions: a read should not become a write.
      expiresAt = Math.min(now + SESSION_IDLE_MS, row.created_at + SESSION_MAX_AGE_MS);
      await this.db
        .updateTable('operator_sessions')
        .set({ last_seen_at: now, expires_at: expiresAt })
        .where('id', '=', row.id)
        .execute();
    }
    return { sessionId: row.id, tenantId: row.tenant_id, expiresAt };
  }

  /** The operator now acts for another company (the caller checked that it exists). */
  async switchTenant(sessionId: string, tenantId: string): Promise<void> {
    await this.db
      .updateTable('operator_sessions')
      .set({ tenant_id: tenantId })
      .where('id', '=', sessionId)
      .execute();
  }

  async revoke(token: string): Promise<void> {
    await this.db.deleteFrom('operator_sessions').where('token_hash', '=', hashSessionToken(token)).execute();
  }
}
