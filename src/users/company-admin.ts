import type { Kysely } from 'kysely';
import { AppError } from '../http/app-error.ts';
import type { Database } from '../store/schema.ts';
import type { Users, UserView } from './users.ts';
import './user-schema.ts';

export interface CompanyAdminInput {
  email: string;
  password: string;
  name?: string;
}

/** The `first_run` row that marks a company's first admin as made: one per tenant, whoever races. */
const claimId = (tenantId: string) => `company-admin:${tenantId}`;

/** Whether a company may still get its first admin from its setup link: it has no user, and none was made. */
export async function canCreateCompanyAdmin(db: Kysely<Database>, tenantId: string): Promise<boolean> {
  const [user, claim] = await Promise.all([
    db.selectFrom('users').select('id').where('tenant_id', '=', tenantId).executeTakeFirst(),
    db.selectFrom('first_run').select('id').where('id', '=', claimId(tenantId)).executeTakeFirst(),
  ]);
  return !user && !claim;
}

/**
 * A company's first admin, made from its setup link once the link connected a number (the link is the
 * credential). Once per tenant, and never for a company that already has a user: a leaked link must not
 * take over a company in use. The `first_run` row makes it once even when two browsers race.
 */
export async function createCompanyAdmin(
  deps: { db: Kysely<Database>; users: Users; now: () => number },
  tenantId: string,
  input: CompanyAdminInput,
): Promise<UserView> {
  const refused = () =>
    new AppError('conflict', 'this company already has its admin: sign in to the dashboard instead');
  if (!(await canCreateCompanyAdmin(deps.db, tenantId))) throw refused();
  return deps.db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto('first_run')
      .values({ id: claimId(tenantId), user_id: '', created_at: deps.now() })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0n) === 0) throw refused();
    const existing = await trx
      .selectFrom('users')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (existing) throw refused();
    const user = await deps.users.create(
      {
        tenantId,
        email: input.email,
        password: input.password,
        role: 'admin',
        ...(input.name?.trim() ? { name: input.name } : {}),
      },
      trx,
    );
    await trx
      .updateTable('first_run')
      .set({ user_id: user.id })
      .where('id', '=', claimId(tenantId))
      .execute();
    return user;
  });
}
