import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { DialectFlags } from '../store/dialect-flags.ts';
import type { Database } from '../store/schema.ts';
import './job-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Thrown by a handler: try again after `delayMs`. */
export class RetryLaterError extends Error {
  readonly delayMs: number;
  constructor(message: string, delayMs: number) {
    super(message);
    this.name = 'RetryLaterError';
    this.delayMs = delayMs;
  }
}

/** Thrown by a handler: do not try again. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

export interface EnqueueJobInput {
  kind: string;
  payload: unknown;
  /** Epoch ms; now by default. */
  runAt?: number;
  /**
   * At most one live job per (kind, dedupeKey). Enqueuing again while one is pending moves its run time
   * to the later of the two (a debounce); while one is running, it asks for one more run afterwards.
   */
  dedupeKey?: string;
}

/**
 * Adds a job, in the caller's transaction when given one (so it commits with the change that caused it).
 */
export async function enqueueJob(db: Db, input: EnqueueJobInput, nowMs: number = Date.now()): Promise<void> {
  const runAt = input.runAt ?? nowMs;
  const payload = JSON.stringify(input.payload ?? null);
  if (input.dedupeKey === undefined) {
    await db
      .insertInto('jobs')
      .values({
        id: randomUUID(),
        kind: input.kind,
        dedupe_key: null,
        payload,
        state: 'pending',
        run_at: runAt,
        attempts: 0,
        is_rerun_requested: 0,
        locked_until: null,
        locked_by: null,
        last_error: null,
        created_at: nowMs,
        updated_at: nowMs,
      })
      .execute();
    return;
  }
  const inserted = await db
    .insertInto('jobs')
    .values({
      id: randomUUID(),
      kind: input.kind,
      dedupe_key: input.dedupeKey,
      payload,
      state: 'pending',
      run_at: runAt,
      attempts: 0,
      is_rerun_requested: 0,
      locked_until: null,
      locked_by: null,
      last_error: null,
      created_at: nowMs,
      updated_at: nowMs,
    })
    .onConflict((oc) => oc.columns(['kind', 'dedupe_key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return;
  // A live job exists: push a pending one's run time later (debounce), or ask a running one to run again.
  await db
    .updateTable('jobs')
    .set((eb) => ({
      run_at: eb.case().when('state', '=', 'pending').then(eb.val(runAt)).else(eb.ref('run_at')).end(),
      is_rerun_requested: eb
        .case()
        .when('state', '=', 'running')
        .then(1)
        .else(eb.ref('is_rerun_requested'))
        .end(),
      payload,
      updated_at: nowMs,
    }))
    .where('kind', '=', input.kind)
    .where('dedupe_key', '=', input.dedupeKey)
    .where('state', 'in', ['pending', 'running'])
    .execute();
}

export type JobHandler = (
  payload: unknown,
  job: { id: string; attempts: number; dedupeKey: string | null },
) => Promise<void>;

export interface JobWorkerOptions {
  db: Kysely<Database>;
  flags: DialectFlags;
  logger: Logger;
  handlers: Record<string, JobHandler>;
  /** Jobs claimed at once (they run concurrently). */
  batchSize?: number;
  /** A claimed job not finished by then is presumed lost and runs again. */
  lockMs?: number;
  /** Retries of an unexpected error before the job fails for good. */
  maxAttempts?: number;
  /** When a job asks to run again after finishing, wait this long (the debounce). */
  rerunDelayMs?: number;
  now?: () => number;
}

/**
 * Runs due jobs from the `jobs` table. Claims use `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several
 * instances share the work; a job with a dedupe key never runs twice at once.
 */
export class JobWorker {
  private readonly options: Required<JobWorkerOptions>;
  private readonly instanceId = `${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(options: JobWorkerOptions) {
    this.options = {
      batchSize: 20,
      lockMs: 5 * 60_000, // 5 min
      maxAttempts: 8,
      rerunDelayMs: 0,
      now: Date.now,
      ...options,
    };
  }

  /** Claims and runs one batch of due jobs; returns how many ran. */
  async runBatch(): Promise<number> {
    const { db, flags } = this.options;
    const now = this.options.now();
    // Jobs whose worker died are due again.
    await db
      .updateTable('jobs')
      .set({ state: 'pending', locked_by: null, locked_until: null, updated_at: now })
      .where('state', '=', 'running')
      .where('locked_until', '<', now)
      .execute();
    const kinds = Object.keys(this.options.handlers);
    if (kinds.length === 0) return 0;
    const claimed = await db.transaction().execute(async (trx) => {
      let query = trx
        .selectFrom('jobs')
        .selectAll()
        .where('state', '=', 'pending')
        .where('run_at', '<=', now)
        .where('kind', 'in', kinds)
        .orderBy('run_at')
        .limit(this.options.batchSize);
      if (flags.supportsSkipLocked) query = query.forUpdate().skipLocked();
      const rows = await query.execute();
      if (rows.length > 0) {
        await trx
          .updateTable('jobs')
          .set((eb) => ({
            state: 'running',
            attempts: eb('attempts', '+', 1),
            locked_until: now + this.options.lockMs,
            locked_by: this.instanceId,
            updated_at: now,
          }))
          .where(
            'id',
            'in',
            rows.map((row) => row.id),
          )
          .execute();
      }
      return rows;
    });
    await Promise.all(claimed.map((job) => this.run(job)));
    return claimed.length;
  }

  /** Runs batches until nothing is due. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.runBatch();
      total += count;
      if (count === 0) return total;
    }
  }

  private async run(job: Database['jobs']): Promise<void> {
    const { db, logger } = this.options;
    const handler = this.options.handlers[job.kind]!;
    const attempts = job.attempts + 1;
    try {
      await handler(JSON.parse(job.payload), { id: job.id, attempts, dedupeKey: job.dedupe_key });
      const now = this.options.now();
      // Done: delete it, unless it was asked for again while running, then run it once more.
      const rerun = await db
        .updateTable('jobs')
        .set({
          state: 'pending',
          is_rerun_requested: 0,
          attempts: 0,
          run_at: now + this.options.rerunDelayMs,
          locked_by: null,
          locked_until: null,
          updated_at: now,
        })
        .where('id', '=', job.id)
        .where('is_rerun_requested', '=', 1)
        .executeTakeFirst();
      if (Number(rerun.numUpdatedRows) === 0) {
        await db
          .deleteFrom('jobs')
          .where('id', '=', job.id)
          .where('locked_by', '=', this.instanceId)
          .execute();
      }
    } catch (error) {
      const now = this.options.now();
      const message = error instanceof Error ? error.message : String(error);
      const isPermanent = error instanceof PermanentJobError || attempts >= this.options.maxAttempts;
      if (isPermanent) {
        logger.error({ err: error, jobId: job.id, kind: job.kind, attempts }, 'job failed for good');
        await db
          .updateTable('jobs')
          .set({
            state: 'failed',
            dedupe_key: null,
            last_error: message.slice(0, 1000),
            locked_by: null,
            updated_at: now,
          })
          .where('id', '=', job.id)
          .execute();
        return;
      }
      const delayMs =
        error instanceof RetryLaterError ? error.delayMs : Math.min(60 * 60_000, 1000 * 2 ** (attempts - 1)); // 1 s, 2 s, 4 s … 1 h
      if (!(error instanceof RetryLaterError))
        logger.warn({ err: error, jobId: job.id, kind: job.kind, attempts }, 'job failed; retrying');
      await db
        .updateTable('jobs')
        .set({
          state: 'pending',
          run_at: now + delayMs,
          last_error: message.slice(0, 1000),
          locked_by: null,
          locked_until: null,
          updated_at: now,
        })
        .where('id', '=', job.id)
        .execute();
    }
  }
}
