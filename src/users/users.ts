import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { AppError, notFound } from '../http/app-error.ts';
import type { Database } from '../store/schema.ts';
import {
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  needsRehash,
  verifyPassword,
} from './password-hash.ts';
import './user-schema.ts';

export const USER_ROLES = ['admin', 'agent'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface UserView {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  role: UserRole;
  isDisabled: boolean;
  lastSignInAt: string | null;
  createdAt: string;
}

export interface NewUser {
  tenantId: string;
  email: string;
  name?: string;
  password: string;
  role: UserRole;
}

type Db = Kysely<Database> | Transaction<Database>;
type UserRow = Database['users'];

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    email: row.email,
    name: row.name,
    role: row.role === 'admin' ? 'admin' : 'agent',
    isDisabled: row.disabled_at !== null,
    lastSignInAt: iso(row.last_sign_in_at),
    createdAt: iso(row.created_at)!,
  };
}

/** Addresses compare without case: `Ana@Example.com` and `ana@example.com` are one person. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('validation_failed', `password: use at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new AppError('validation_failed', `password: use at most ${MAX_PASSWORD_LENGTH} characters`);
  }
}

/**
 * A hash of a password nobody has, checked when an address is unknown, so that a sign-in takes as long
 * for a missing user as for a wrong password (no probing which addresses exist).
 */
let decoyHash: Promise<string> | undefined;

/** The people of each tenant who sign in to the dashboard, with a role: admin or agent. */
export class Users {
  private readonly db: Kysely<Database>;
  private readonly now: () => number;

  constructor(db: Kysely<Database>, now: () => number = Date.now) {
    this.db = db;
    this.now = now;
  }

  async create(input: NewUser, db: Db = this.db): Promise<UserView> {
    const email = normalizeEmail(input.email);
    if (!/^[^\s@]+@[^\s@]+$/.test(email))
      throw new AppError('validation_failed', 'email: not an email address');
    checkPassword(input.password);
    const tenant = await db
      .selectFrom('tenants')
      .select('id')
      .where('id', '=', input.tenantId)
      .executeTakeFirst();
    if (!tenant) throw notFound(`tenant ${input.tenantId}`);
    const existing = await db
      .selectFrom('users')
      .select(['id', 'tenant_id'])
      .where('email', '=', email)
      .executeTakeFirst();
    if (existing) {
      // Emails are unique across tenants (sign-in takes an email only). The answer is the same whichever
      // tenant holds the email, so a tenant cannot learn which addresses another company uses; its own
      // users it can list anyway. The operator reads where it is.
      throw new AppError(
        'conflict',
        'could not add this user: the email may already be in use with Coxcox. If it is not in your list of users, they use Coxcox with another company: ask an operator',
        undefined,
        { operatorMessage: `a user with the email ${email} already exists, in tenant ${existing.tenant_id}` },
      );
    }
    const now = this.now();
    const row: UserRow = {
      id: `usr_${randomUUID()}`,
      tenant_id: input.tenantId,
      email,
      name: input.name?.trim() || email.split('@')[0]!,
      role: input.role,
      password_hash: await hashPassword(input.password),
      created_at: now,
      updated_at: now,
      last_sign_in_at: null,
      disabled_at: null,
    };
    await db.insertInto('users').values(row).execute();
    return toUserView(row);
  }

  async list(tenantId: string): Promise<UserView[]> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toUserView);
  }

  async get(tenantId: string, id: string): Promise<UserView> {
    return toUserView(await this.row(tenantId, id));
  }

  async countAll(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Changes a user. A tenant always keeps one active admin, so nobody locks the company out. */
  async update(
    tenantId: string,
    id: string,
    patch: { name?: string; role?: UserRole; password?: string; isDisabled?: boolean },
  ): Promise<UserView> {
    const row = await this.row(tenantId, id);
    const isLosingAdmin =
      row.role === 'admin' &&
      row.disabled_at === null &&
      (patch.role === 'agent' || patch.isDisabled === true);
    if (isLosingAdmin) await this.requireAnotherAdmin(tenantId, id);
    if (patch.password !== undefined) checkPassword(patch.password);
    const now = this.now();
    await this.db
      .updateTable('users')
      .set({
        ...(patch.name !== undefined ? { name: patch.name.trim() || row.name } : {}),
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.password !== undefined ? { password_hash: await hashPassword(patch.password) } : {}),
        ...(patch.isDisabled !== undefined
          ? { disabled_at: patch.isDisabled ? (row.disabled_at ?? now) : null }
          : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    return this.get(tenantId, id);
  }

  async remove(tenantId: string, id: string): Promise<void> {
    const row = await this.row(tenantId, id);
    if (row.role === 'admin' && row.disabled_at === null) await this.requireAnotherAdmin(tenantId, id);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('user_sessions').where('user_id', '=', id).execute();
      await trx.deleteFrom('users').where('id', '=', id).execute();
    });
  }

  /**
   * The active user with this email and password, or null. Unknown addresses cost one hash too. A hash
   * made with weaker parameters than today's is replaced while the password is at hand.
   */
  async checkCredentials(email: string, password: string): Promise<UserView | null> {
    if (password.length > MAX_PASSWORD_LENGTH) return null;
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', normalizeEmail(email))
      .executeTakeFirst();
    if (!row) {
      decoyHash ??= hashPassword('decoy password that nobody has');
      await verifyPassword(password, await decoyHash);
      return null;
    }
    if (!(await verifyPassword(password, row.password_hash)) || row.disabled_at !== null) return null;
    const now = this.now();
    await this.db
      .updateTable('users')
      .set({
        last_sign_in_at: now,
        ...(needsRehash(row.password_hash) ? { password_hash: await hashPassword(password) } : {}),
      })
      .where('id', '=', row.id)
      .execute();
    return toUserView({ ...row, last_sign_in_at: now });
  }

  private async row(tenantId: string, id: string): Promise<UserRow> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound(`user ${id}`);
    return row;
  }

  private async requireAnotherAdmin(tenantId: string, exceptId: string): Promise<void> {
    const other = await this.db
      .selectFrom('users')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('role', '=', 'admin')
      .where('disabled_at', 'is', null)
      .where('id', '!=', exceptId)
      .executeTakeFirst();
    if (!other)
      throw new AppError('conflict', 'this is the only active admin: make someone else admin first');
  }
}
