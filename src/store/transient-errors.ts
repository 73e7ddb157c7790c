import { type QueryExecutorProvider, sql } from 'kysely';
import type { DialectFlags } from './dialect-flags.ts';

/** PostgreSQL's codes for a transaction it aborted only because of another one: try it again. */
const TRANSIENT_CODES = new Set(['40P01', '40001']);

/** Whether `error` is a deadlock (40P01) or a serialization failure (40001): safe to retry as a whole. */
export function isTransientConflict(error: unknown): boolean {
  return TRANSIENT_CODES.has((error as { code?: unknown } | null)?.code as string);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs idempotent transactional work again when PostgreSQL aborts it as a deadlock victim or a
 * serialization failure, a few times, after a short random pause that grows with each try.
 */
export async function withDeadlockRetry<T>(work: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isTransientConflict(error)) throw error;
      await sleep(10 + Math.random() * 40 * attempt);
    }
  }
}

/**
 * Takes transaction-scoped advisory locks on `keys`, always in the same (hash) order, so that
 * transactions which touch overlapping sets of rows queue behind each other instead of deadlocking.
 * PostgreSQL only: SQLite has a single writer, so nothing there can interleave.
 */
export async function lockInOrder(
  trx: QueryExecutorProvider,
  flags: DialectFlags,
  keys: Iterable<string>,
): Promise<void> {
  if (!flags.supportsConcurrentWriters) return;
  const unique = [...new Set(keys)];
  if (unique.length === 0) return;
  // The subquery sorts before the outer scan calls the function, one row at a time, in that order.
  await sql`
    select pg_advisory_xact_lock(h)
    from (select distinct hashtextextended(k, 0) as h from unnest(${unique}::text[]) as k order by h) as ordered
  `.execute(trx);
}
