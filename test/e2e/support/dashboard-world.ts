import type { Page } from 'playwright-core';
import { SANDBOX_TENANT_ID } from '../../../src/coxcox.ts';
import { Users } from '../../../src/users/index.ts';
import { sqliteDatabase } from '../../support/databases.ts';
import { startSandboxCoxcox } from '../../support/sandbox-coxcox.ts';

export const PASSWORD = 'correct horse battery staple';

/**
 * A whole Coxcox in sandbox mode on a real port (its simulator plays Meta), for the browser: the same
 * product `npm start` runs with no credentials. SQLite: the store suites cover PostgreSQL.
 */
export async function startDashboardWorld(env: Record<string, string> = {}) {
  const coxcox = await startSandboxCoxcox(sqliteDatabase, env);
  const users = new Users(coxcox.store.db);
  return Object.assign(coxcox, {
    users,
    /** Creates a user of a tenant (the sandbox's by default). */
    async addUser(
      email: string,
      options: { tenantId?: string; role?: 'admin' | 'agent'; name?: string } = {},
    ) {
      return users.create({
        tenantId: options.tenantId ?? SANDBOX_TENANT_ID,
        email,
        password: PASSWORD,
        role: options.role ?? 'admin',
        ...(options.name ? { name: options.name } : {}),
      });
    },
  });
}

export type DashboardWorld = Awaited<ReturnType<typeof startDashboardWorld>>;

/** Signs in through the sign-in screen and waits for the inbox (a page already signed in goes straight there). */
export async function signIn(page: Page, baseUrl: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.waitForFunction(
    () => window.location.pathname === '/inbox' || document.querySelector('input[name="email"]') !== null,
  );
  if (new URL(page.url()).pathname === '/inbox') return;
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/inbox');
}
