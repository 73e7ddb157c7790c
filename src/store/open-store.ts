import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { type DialectFlags, postgresFlags, sqliteFlags } from './dialect-flags.ts';
import { migrateToLatest } from './migrations.ts';
import type { Database } from './schema.ts';

export interface Store {
  db: Kysely<Database>;
  flags: DialectFlags;
  /** Answers once the database takes a query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// int8 (bigint) columns hold epoch milliseconds and ids, which fit a JavaScript number.
pg.types.setTypeParser(20, (value) => Number(value));

export interface OpenStoreOptions {
  /** `sqlite:<file>` (`sqlite::memory:` is refused: tests use real files) or `postgres://…`. */
  databaseUrl: string;
  /** PostgreSQL schema to use (tests give each file its own). */
  postgresSchema?: string;
  poolSize?: number;
  runMigrations?: boolean;
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const store = options.databaseUrl.startsWith('sqlite:')
    ? openSqlite(options.databaseUrl.slice('sqlite:'.length))
    : await openPostgres(options);
  if (options.runMigrations !== false) await migrateToLatest(store.db, store.flags);
  return store;
}

function openSqlite(file: string): Store {
  if (file === '' || file === ':memory:') {
    throw new Error('DATABASE_URL: sqlite needs a file path, as in sqlite:./data/coxcox.sqlite');
  }
  mkdirSync(dirname(file), { recursive: true });
  const database = new SqliteDatabase(file);
  // WAL with synchronous=FULL: a commit is on disk before we acknowledge anything built on it.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000'); // 5 s, for the CLI running beside a server
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return {
    db,
    flags: sqliteFlags,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}

async function openPostgres(options: OpenStoreOptions): Promise<Store> {
  const schema = options.postgresSchema;
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolSize ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  if (schema) {
    const client = await pool.connect();
    try {
      await client.query(`create schema if not exists "${schema.replaceAll('"', '')}"`);
    } finally {
      client.release();
    }
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    flags: postgresFlags,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}
