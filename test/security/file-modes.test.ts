import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { openStore } from '../../src/store/open-store.ts';

const modeOf = (path: string) => statSync(path).mode & 0o777;

// Issue 10, "File modes": coxcox.sqlite and its WAL were 0644 beside 0600 secrets.
describe('the data directory and the SQLite files are for the server’s user only', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates DATA_DIR 0700, and the database, its -wal and -shm 0600', async () => {
    root = mkdtempSync(join(tmpdir(), 'coxcox-modes-'));
    const config = parseConfig({ DATA_DIR: 'data' }, root);
    expect(modeOf(config.dataDir)).toBe(0o700);
    expect(modeOf(join(config.dataDir, 'secret-key'))).toBe(0o600);

    const file = join(config.dataDir, 'coxcox.sqlite');
    const store = await openStore({ databaseUrl: `sqlite:${file}` });
    try {
      await sql`create table t (x integer)`.execute(store.db);
      await sql`insert into t values (1)`.execute(store.db);
      for (const path of [file, `${file}-wal`, `${file}-shm`]) {
        expect(existsSync(path), path).toBe(true);
        expect(modeOf(path), path).toBe(0o600);
      }
    } finally {
      await store.close();
    }
  });

  it('tightens the database file of an older install', async () => {
    root = mkdtempSync(join(tmpdir(), 'coxcox-modes-'));
    const file = join(root, 'old.sqlite');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    const store = await openStore({ databaseUrl: `sqlite:${file}` });
    await store.close();
    expect(modeOf(file)).toBe(0o600);
  });
});
