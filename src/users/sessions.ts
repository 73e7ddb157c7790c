import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { UserRole, UserView } from './users.ts';
import './user-schema.ts';

/** A session ends after a week without use … */
export const SESSION_IDLE_MS = 7 * 24 * 60 * 60_000; // 7 days
/** … and after a month in any case, so a stolen cookie does not live forever. */
export const SESSION_MAX_AGE_MS = 30 * 24 * 60 * 60_000; // 30 days
/** Writing last_seen_at on every request would turn each read into a write: at most once a minute. */
const TOUCH_INTERVAL_MS = 60_000;

export interface SessionUser {
  sessionId: string;
  userId: string;
  tenantId: string;
  role: UserRole;
  email: string;
  name: string;
  expiresAt: number;
}

/** Tokens carry 256 random bits, so a fast hash is enough: there is nothing to brute-force. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Dashboard sessions: a random token in the browser's cookie, and only its hash here. A session belongs
 * to a user and ends on sign-out, when idle too long, at its maximum age, or when the user is disabled.
 */
export class Sessions {
  private readonly db: Kysely<Database>;
  private readonly now: () => number;

  constructor(db: Kysely<Database>, now: () => number = Date.now) {
    this.db = db;
    this.now = now;
  }

  async create(user: UserView, userAgent: string | null): Promise<{ token: string; expiresAt: number }> {
    const now = this.now();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + SESSION_IDLE_MS;
    await this.db
      .insertInto('user_sessions')
      .values({
        id: `ses_${randomUUID()}`,
        token_hash: hashSessionToken(token),
        user_id: user.id,
        tenant_id: user.tenantId,
        created_at: now,
        expires_at: expiresAt,
        last_seen_at: now,
        user_agent: userAgent?.slice(0, 300) ?? null,
      })
      .execute();
    // Sign-ins are rare next to requests: a good moment to forget sessions that have ended.
    await this.db.deleteFrom('user_sessions').where('expires_at', '<', now).execute();
    return { token, expiresAt };
  }

  /** The signed-in user of a token, or null when the session is unknown, over, or its user disabled. */
  async find(token: string): Promise<SessionUser | null> {
    const now = this.now();
    const row = await this.db
      .selectFrom('user_sessions')
      .innerJoin('users', 'users.id', 'user_sessions.user_id')
      .select([
        'user_sessions.id as session_id',
        'user_sessions.created_at',
        'user_sessions.expires_at',
        'user_sessions.last_seen_at',
        'users.id as user_id',
        'users.tenant_id',
        'users.role',
        'users.email',
        'users.name',
        'users.disabled_at',
      ])
      .where('user_sessions.token_hash', '=', hashSessionToken(token))
      .executeTakeFirst();
    if (!row || row.disabled_at !== null || row.expires_at <= now) return null;
    let expiresAt = row.expires_at;
    if (now - row.last_seen_at >= TOUCH_INTERVAL_MS) {
      expiresAt = Math.min(now + SESSION_IDLE_MS, row.created_at + SESSION_MAX_AGE_MS);
      await this.db
        .updateTable('user_sessions')
        .set({ last_seen_at: now, expires_at: expiresAt })
        .where('id', '=', row.session_id)
        .execute();
    }
    return {
      sessionId: row.session_id,
      userId: row.user_id,
      tenantId: row.tenant_id,
      role: row.role === 'admin' ? 'admin' : 'agent',
      email: row.email,
      name: row.name,
      expiresAt,
    };
  }

  async revoke(token: string): Promise<void> {
    await this.db.deleteFrom('user_sessions').where('token_hash', '=', hashSessionToken(token)).execute();
  }

  /** Ends every session of a user (a password change, a disabled account), but `exceptSessionId`. */
  async revokeAllOf(userId: string, exceptSessionId?: string): Promise<void> {
    let query = this.db.deleteFrom('user_sessions').where('user_id', '=', userId);
    if (exceptSessionId) query = query.where('id', '!=', exceptSessionId);
    await query.execute();
  }
}
