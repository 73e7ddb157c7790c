import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { type Coxcox, createCoxcox, SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { createLogger } from '../../src/http/create-logger.ts';
import { openStore } from '../../src/store/open-store.ts';
import { type ChildServer, startChildServer } from '../support/child-server.ts';

const SECRET_KEY = '6b'.repeat(32);
const ADMIN_TOKEN = 'import-kill-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
/** Enough rows that the import is still running when it is killed (tens of thousands of rows a second). */
const ROWS = 50_000;
const LEASE_MS = 30_000; // the default import lease (create-campaigns.ts)

// Issue 10: after kill -9, an import sat at "running" for about ten minutes. Here a real server process is
// killed mid-import; a new instance on the same database, whose clock is past the lease, takes it over at
// once and finishes it without counting a row twice. SQLite only: the takeover itself is the same SQL on
// PostgreSQL, which interrupted-imports.test.ts covers.
describe('an import killed with kill -9 mid-run', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'coxcox-import-kill-'));
  const databaseUrl = `sqlite:${join(dataDir, 'coxcox.sqlite')}`;
  const env = { DATA_DIR: dataDir, DATABASE_URL: databaseUrl, SECRET_KEY, ADMIN_TOKEN, LOG_LEVEL: 'error' };
  let server: ChildServer | undefined;
  let restarted: Coxcox | undefined;

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await restarted?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is taken over by the next instance as soon as its lease lapsed, and finishes exactly once', async () => {
    server = await startChildServer('src/main.ts', env);
    const lines = ['phone,name'];
    for (let index = 0; index < ROWS; index += 1) lines.push(`+55119${30_000_000 + index},Cliente ${index}`);
    const uploaded = await fetch(`${server.url}/api/v1/imports?tenantId=${SANDBOX_TENANT_ID}&country=BR`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'text/csv' },
      body: `${lines.join('\r\n')}\r\n`,
    });
    expect(uploaded.status).toBe(202);
    const { id } = (await uploaded.json()) as { id: string };

    // Kill as soon as a batch is committed and the import is still running. The database is watched from
    // here (a second reader): the server answers HTTP late while its import holds the event loop.
    const watcher = await openStore({ databaseUrl, runMigrations: false });
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const row = await watcher.db
          .selectFrom('contact_imports')
          .select(['state', 'rows_read'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        expect(row.state, 'the import finished before it could be killed').not.toBe('completed');
        if (row.state === 'running' && row.rows_read > 0) break;
        expect(Date.now(), 'the import never started').toBeLessThan(deadline);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      await watcher.close();
    }
    await server.stop('SIGKILL');
    server = undefined;

    // The next instance, on the same database, its clock just past the lease.
    const config = parseConfig({ ...env, WORKERS: 'none' });
    restarted = await createCoxcox(config, {
      logger: createLogger('silent'),
      campaigns: { now: () => Date.now() + LEASE_MS + 1000 },
    });
    await restarted.campaigns.runOnce();
    const shown = await restarted.app.inject({
      method: 'GET',
      url: `/api/v1/imports/${id}?tenantId=${SANDBOX_TENANT_ID}`,
      headers: admin,
    });
    expect(shown.json()).toMatchObject({
      state: 'completed',
      rowsRead: ROWS,
      imported: ROWS,
      merged: 0,
      invalid: 0,
    });
    const contacts = await restarted.store.db
      .selectFrom('contacts')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('tenant_id', '=', SANDBOX_TENANT_ID)
      .executeTakeFirstOrThrow();
    expect(Number(contacts.count)).toBe(ROWS);
  }, 180_000);
});
