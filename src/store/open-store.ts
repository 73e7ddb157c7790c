import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
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
  // The database holds tenants' conversations and sealed tokens: readable by the server's user only, like
  // the secrets beside it (0700 directory, 0600 files). A new file is created 0600 before SQLite opens it,
  // and SQLite gives its -wal and -shm files the mode of the database file (findCreateFileMode in
  // os_unix.c). Files of an older install are tightened below.
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  const database = new SqliteDatabase(file);
  // WAL with synchronous=FULL: a commit is on disk before we acknowledge anything built on it.
  database.pragma('journal_mode = WAL');
  for (const path of [file, `${file}-wal`, `${file}-shm`]) ownerOnly(path);
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000'); // 5 s, for the CLI running beside a server
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
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

/** chmod 0600, where the file exists and we own it (a file the operator placed elsewhere stays theirs). */
function ownerOnly(path: string): void {
  if (!existsSync(path)) return;
  try {
    chmodSync(path, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
  }
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements can be reused, and preparing costs about as
 * much as running a small query. A bounded cache of prepared statements by SQL text halves the cost of the
 * inbox worker's many small queries.
 */
function withStatementCache(database: SqliteDatabase.Database, capacity = 512) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare(sqlText: string) {
      let statement = cache.get(sqlText);
      if (statement) {
        cache.delete(sqlText); // re-insert: the Map's order is the recency order
      } else {
        statement = database.prepare(sqlText);
        if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
      }
      cache.set(sqlText, statement);
      return statement;
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
