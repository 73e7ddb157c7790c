import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * The databases every store-touching suite runs against: a real SQLite file, and a real PostgreSQL
 * (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test). Without CI=true an unreachable
 * PostgreSQL skips its half with a message; with CI=true it is required and fails the run.
 */
export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty database for one test file or one test. */
  create(): Promise<{ databaseUrl: string; postgresSchema?: string; drop(): Promise<void> }>;
}

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const isCi = process.env.CI === 'true';

let postgresReachable: Promise<boolean> | undefined;
async function isPostgresReachable(): Promise<boolean> {
  postgresReachable ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (error) {
      if (isCi) throw new Error(`CI=true needs PostgreSQL at ${POSTGRES_URL}: ${(error as Error).message}`);
      console.warn(
        `PostgreSQL at ${POSTGRES_URL} is unreachable; its tests are skipped (they are required under CI=true)`,
      );
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return postgresReachable;
}

export const sqliteDatabase: TestDatabase = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'coxcox-test-'));
    return {
      databaseUrl: `sqlite:${join(dir, 'coxcox.sqlite')}`,
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export const postgresDatabase: TestDatabase = {
  name: 'postgres',
  async create() {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    return {
      databaseUrl: POSTGRES_URL,
      postgresSchema: schema,
      async drop() {
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        try {
          await client.query(`drop schema if exists "${schema}" cascade`);
        } finally {
          await client.end();
        }
      },
    };
  },
};

/** The databases to run a suite on: SQLite always, PostgreSQL when reachable (always under CI=true). */
export async function testDatabases(): Promise<TestDatabase[]> {
  return (await isPostgresReachable()) ? [sqliteDatabase, postgresDatabase] : [sqliteDatabase];
}

/**
 * A schema of its own for Coxcox processes started as children (crash and multi-process tests): creates
 * it, and answers a DATABASE_URL whose connections use it (`search_path`).
 */
export async function createChildSchema(schema: string): Promise<string> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`create schema "${schema}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/** Drops a schema; the backends of a killed child may still hold locks in it for a moment, so it retries. */
export async function dropChildSchema(schema: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      await admin.query(`drop schema if exists "${schema}" cascade`);
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
    } finally {
      await admin.end();
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
