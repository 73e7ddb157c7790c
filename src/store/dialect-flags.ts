/**
 * Every difference between the two databases lives here, as named flags, so that no code asks
 * "is this SQLite?" (the idea of Kysely's `supportsReturning` and pg-boss's backend profiles).
 */
export interface DialectFlags {
  name: 'sqlite' | 'postgres';
  /** Column type of an auto-incrementing integer primary key. */
  autoIncrementType: 'integer' | 'bigserial';
  /** Column type of binary data. */
  binaryType: 'blob' | 'bytea';
  /** Whether `SELECT … FOR UPDATE SKIP LOCKED` exists, so several instances can claim rows. */
  supportsSkipLocked: boolean;
  /** Whether several connections can write at once (SQLite has one writer). */
  supportsConcurrentWriters: boolean;
  /** Most bound parameters one statement may carry. */
  maxParameters: number;
  /**
   * Full-text search: SQLite's FTS5 virtual table ranked by bm25(), or PostgreSQL's tsvector column
   * (GIN index) ranked by ts_rank(). The agent's knowledge base uses it.
   */
  fullTextSearch: 'fts5' | 'tsvector';
  /**
   * What a JSON text column must be cast to before `->>` reads one of its keys: nothing on SQLite (3.38+
   * reads JSON text as is), `json` on PostgreSQL. Campaign audiences filter on contacts' custom fields.
   */
  jsonReadCast: 'json' | null;
}

export const sqliteFlags: DialectFlags = Object.freeze({
  name: 'sqlite',
  autoIncrementType: 'integer',
  binaryType: 'blob',
  supportsSkipLocked: false,
  supportsConcurrentWriters: false,
  maxParameters: 32_766, // SQLITE_MAX_VARIABLE_NUMBER since 3.32
  fullTextSearch: 'fts5',
  jsonReadCast: null,
});

export const postgresFlags: DialectFlags = Object.freeze({
  name: 'postgres',
  autoIncrementType: 'bigserial',
  binaryType: 'bytea',
  supportsSkipLocked: true,
  supportsConcurrentWriters: true,
  maxParameters: 65_535, // the wire protocol's Int16 parameter count
  fullTextSearch: 'tsvector',
  jsonReadCast: 'json',
});
