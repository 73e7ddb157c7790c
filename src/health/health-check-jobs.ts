import { type Kysely, sql } from 'kysely';
import { enqueueJob, type JobHandler } from '../queue/index.ts';
import type { Database } from '../store/schema.ts';
import { type CheckWabaHealthDeps, checkWabaHealth } from './check-waba-health.ts';
import './health-schema.ts';

export const HEALTH_SWEEP_JOB = 'health-sweep';
export const HEALTH_CHECK_WABA_JOB = 'health-check-waba';

export interface HealthScheduleOptions {
  /** How often every tenant is checked with Meta. */
  intervalMs: number;
  /** Between two WABAs' checks, so that the app-wide call rate stays flat rather than bursting. */
  spacingMs: number;
  /** WABAs one sweep checks; the least recently checked go first, the rest wait for the next sweep. */
  maxWabasPerSweep: number;
}

export const DEFAULT_HEALTH_SCHEDULE: HealthScheduleOptions = Object.freeze({
  intervalMs: 60 * 60_000, // 1 h: token expiry is warned a week ahead, so an hourly look is plenty
  spacingMs: 2_000, // 2 s: 200 WABAs spread over about 7 minutes
  maxWabasPerSweep: 200, // with about 4 calls each, some 800 calls a sweep for the whole app
});

/** Queues the sweep of the current period (once per period: the dedupe key names it). */
export async function scheduleHealthSweep(
  db: Kysely<Database>,
  schedule: HealthScheduleOptions,
  nowMs: number,
  delayMs = 0,
): Promise<void> {
  const period = Math.floor(nowMs / schedule.intervalMs);
  await enqueueJob(
    db,
    {
      kind: HEALTH_SWEEP_JOB,
      payload: { period },
      runAt: nowMs + delayMs,
      dedupeKey: `${HEALTH_SWEEP_JOB}:${period}`,
    },
    nowMs,
  );
}

/**
 * The scheduled check. A sweep reassesses every number from what is stored (token expiry, Graph version)
 * and queues one check per WABA, spaced out and capped; each WABA check asks Meta (see checkWabaHealth)
 * and backs off when Meta says so. The sweep queues the next one for the next period.
 */
export function healthJobHandlers(
  deps: CheckWabaHealthDeps & { schedule: HealthScheduleOptions },
): Record<string, JobHandler> {
  const { db, now, schedule } = deps;
  return {
    [HEALTH_SWEEP_JOB]: async (payload) => {
      const startedAt = now();
      // The next sweep first, so that a sweep failing for good does not end the schedule.
      const period =
        (payload as { period?: number } | null)?.period ?? Math.floor(startedAt / schedule.intervalMs);
      const next = Math.max(period + 1, Math.floor(startedAt / schedule.intervalMs) + 1);
      await enqueueJob(
        db,
        {
          kind: HEALTH_SWEEP_JOB,
          payload: { period: next },
          runAt: next * schedule.intervalMs,
          dedupeKey: `${HEALTH_SWEEP_JOB}:${next}`,
        },
        startedAt,
      );
      await deps.health.refreshAll();
      const wabas = await db
        .selectFrom('wabas')
        .leftJoin('waba_call_budgets', 'waba_call_budgets.waba_id', 'wabas.waba_id')
        .select(['wabas.tenant_id', 'wabas.waba_id'])
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('phone_numbers')
              .select(eb.lit(1).as('one'))
              .whereRef('phone_numbers.waba_id', '=', 'wabas.waba_id'),
          ),
        )
        .orderBy(sql`coalesce(waba_call_budgets.last_checked_at, 0)`)
        .orderBy('wabas.waba_id')
        .limit(schedule.maxWabasPerSweep)
        .execute();
      for (const [index, waba] of wabas.entries()) {
        await enqueueJob(
          db,
          {
            kind: HEALTH_CHECK_WABA_JOB,
            payload: { tenantId: waba.tenant_id, wabaId: waba.waba_id },
            runAt: startedAt + index * schedule.spacingMs,
            dedupeKey: `${HEALTH_CHECK_WABA_JOB}:${waba.waba_id}`,
          },
          startedAt,
        );
      }
    },
    [HEALTH_CHECK_WABA_JOB]: async (payload) => {
      const { tenantId, wabaId } = payload as { tenantId: string; wabaId: string };
      await checkWabaHealth(deps, tenantId, wabaId);
    },
  };
}
