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
}

export const sqliteFlags: DialectFlags = Object.freeze({
  name: 'sqlite',
  autoIncrementType: 'integer',
  binaryType: 'blob',
  supportsSkipLocked: false,
  supportsConcurrentWriters: false,
  maxParameters: 32_766, // SQLITE_MAX_VARIABLE_NUMBER since 3.32
});

export const postgresFlags: DialectFlags = Object.freeze({
  name: 'postgres',
  autoIncrementType: 'bigserial',
  binaryType: 'bytea',
  supportsSkipLocked: true,
  supportsConcurrentWriters: true,
  maxParameters: 65_535, // the wire protocol's Int16 parameter count
});
