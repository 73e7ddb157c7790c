import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError } from '../http/app-error.ts';
import type { Database } from '../store/schema.ts';
import type { Users, UserView } from './users.ts';
import './user-schema.ts';

export interface FirstAdminInput {
  email: string;
  password: string;
  name?: string;
  /** Names a new tenant when Coxcox has no default one (neither the sandbox's nor WHATSAPP_*'s). */
  companyName?: string;
}

/**
 * The first-run screen's one action: the very first user, an admin. It joins the tenant Coxcox made at
 * start (the sandbox's, or the WHATSAPP_* variables' `default`), or a new one named after the company.
 * A row in `first_run` makes it happen once, even when two browsers race; after that, admins add people.
 */
export async function createFirstAdmin(
  deps: { db: Kysely<Database>; users: Users; defaultTenantId: string | null; now: () => number },
  input: FirstAdminInput,
): Promise<UserView> {
  if ((await deps.users.countAll()) > 0)
    throw new AppError('conflict', 'Coxcox already has users: sign in instead');
  return deps.db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto('first_run')
      .values({ id: 'first-admin', user_id: '', created_at: deps.now() })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0n) === 0) {
      throw new AppError('conflict', 'the first admin was already created: sign in instead');
    }
    const hasDefault =
      deps.defaultTenantId !== null &&
      (await trx
        .selectFrom('tenants')
        .select('id')
        .where('id', '=', deps.defaultTenantId)
        .executeTakeFirst()) !== undefined;
    let tenantId = deps.defaultTenantId;
    if (!hasDefault || tenantId === null) {
      const name = input.companyName?.trim();
      if (!name) throw new AppError('validation_failed', 'companyName: name your company');
      // In this transaction, not through the directory: SQLite's one connection is held by it.
      tenantId = randomUUID();
      await trx.insertInto('tenants').values({ id: tenantId, name, created_at: deps.now() }).execute();
    }
    const user = await deps.users.create(
      {
        tenantId,
        email: input.email,
        password: input.password,
        role: 'admin',
        ...(input.name ? { name: input.name } : {}),
      },
      trx,
    );
    await trx.updateTable('first_run').set({ user_id: user.id }).where('id', '=', 'first-admin').execute();
    return user;
  });
}
