import type { Kysely } from 'kysely';
import { enqueueJob } from '../queue/index.ts';
import type { Database } from '../store/schema.ts';
import '../campaigns/campaign-schema.ts';

export const CONTACT_IMPORT_JOB = 'contact-import';

export interface SweepInterruptedImportsOptions {
  /**
   * A running import renews its lease (`updated_at`) at every batch it commits, about every 50 ms; one
   * not renewed for this long lost its process (kill -9, a crash) and is taken over.
   */
  leaseMs: number;
  /** An upload that stored no piece for this long lost its process (or its client) and is given up. */
  uploadIdleMs: number;
}

export interface SweepOutcome {
  /** Imports whose job was handed to a live worker, to resume after their last committed batch. */
  resumed: string[];
  /** Imports that cannot resume (an upload cut short, a CLI run that died), marked failed. */
  failed: string[];
}

/** What an interrupted import's row says, in words its owner can act on. */
export const INTERRUPTED_UPLOAD =
  'the upload stopped before the end of the file (the server restarted or the connection was lost): upload the file again';
export const INTERRUPTED_STREAM =
  'the import stopped when the process running it did: run it again (rows already imported are kept and merge)';

/**
 * Finds imports that a dead process left behind (issue 10: an import sat at "running" for ten minutes
 * after kill -9, and an upload cut short stayed "receiving" forever with its pieces). A running import
 * whose lease lapsed gets its job back (the dead worker's job lock is released, so a live worker claims it
 * at once and resumes after the last committed batch); an upload idle for `uploadIdleMs` is failed and
 * its pieces deleted; a streamed run (the CLI) that died cannot be resumed, so it is failed too.
 */
export async function sweepInterruptedImports(
  db: Kysely<Database>,
  now: number,
  options: SweepInterruptedImportsOptions,
): Promise<SweepOutcome> {
  const outcome: SweepOutcome = { resumed: [], failed: [] };
  const stale = await db
    .selectFrom('contact_imports')
    .select(['id', 'state', 'run_id'])
    .where((eb) =>
      eb.or([
        eb.and([eb('state', '=', 'running'), eb('updated_at', '<', now - options.leaseMs)]),
        eb.and([eb('state', '=', 'receiving'), eb('updated_at', '<', now - options.uploadIdleMs)]),
      ]),
    )
    .limit(100)
    .execute();
  for (const row of stale) {
    const isResumable = row.state === 'running' && row.run_id !== STREAMED_RUN;
    await db.transaction().execute(async (trx) => {
      // Only if still as seen: a live run that renewed its lease meanwhile keeps it.
      const claimed = await trx
        .updateTable('contact_imports')
        .set(
          isResumable
            ? { run_id: null, updated_at: now }
            : {
                state: 'failed',
                problem: row.state === 'receiving' ? INTERRUPTED_UPLOAD : INTERRUPTED_STREAM,
                finished_at: now,
                updated_at: now,
              },
        )
        .where('id', '=', row.id)
        .where('state', '=', row.state)
        .where('updated_at', '<', now - (row.state === 'running' ? options.leaseMs : options.uploadIdleMs))
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) return;
      if (!isResumable) {
        await trx.deleteFrom('contact_import_chunks').where('import_id', '=', row.id).execute();
        outcome.failed.push(row.id);
        return;
      }
      // The dead worker's claim on the job is released; a job that is gone is queued again.
      await trx
        .updateTable('jobs')
        .set({ state: 'pending', locked_by: null, locked_until: null, run_at: now, updated_at: now })
        .where('kind', '=', CONTACT_IMPORT_JOB)
        .where('dedupe_key', '=', row.id)
        .where('state', '=', 'running')
        .execute();
      await enqueueJob(
        trx,
        { kind: CONTACT_IMPORT_JOB, payload: { importId: row.id }, dedupeKey: row.id },
        now,
      );
      outcome.resumed.push(row.id);
    });
  }
  return outcome;
}

/** The run id of an import streamed in one process (the CLI): its file is not stored, so it cannot resume. */
export const STREAMED_RUN = 'streamed';
