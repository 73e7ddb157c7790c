import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import './health-schema.ts';

const HOUR_MS = 60 * 60 * 1000;

/**
 * Meta allows 200 management calls an hour per WABA until it has a registered number (5,000 after;
 * cloud-api-details.md §5.4). Background checks take at most this many of them, leaving the rest to
 * onboarding, template work and people using the API.
 */
export const BACKGROUND_CALLS_PER_WABA_HOUR = 40;

/**
 * Takes `calls` from the WABA's hourly budget for background checks, or answers false when the hour's
 * budget would be exceeded (the check waits for the next sweep). A fixed window, reset on the hour since
 * its first call, is enough: the budget is a fifth of Meta's lowest limit.
 */
export async function reserveWabaCalls(
  db: Kysely<Database>,
  wabaId: string,
  calls: number,
  nowMs: number,
  maxPerHour: number = BACKGROUND_CALLS_PER_WABA_HOUR,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('waba_call_budgets')
      .selectAll()
      .where('waba_id', '=', wabaId)
      .executeTakeFirst();
    if (!row) {
      await trx
        .insertInto('waba_call_budgets')
        .values({ waba_id: wabaId, window_started_at: nowMs, calls, last_checked_at: nowMs })
        .onConflict((oc) => oc.column('waba_id').doNothing())
        .execute();
      return calls <= maxPerHour;
    }
    const isNewWindow = nowMs - row.window_started_at >= HOUR_MS;
    const used = isNewWindow ? 0 : row.calls;
    if (used + calls > maxPerHour) return false;
    await trx
      .updateTable('waba_call_budgets')
      .set({
        window_started_at: isNewWindow ? nowMs : row.window_started_at,
        calls: used + calls,
        last_checked_at: nowMs,
      })
      .where('waba_id', '=', wabaId)
      .execute();
    return true;
  });
}
