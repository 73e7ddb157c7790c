import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/create-logger.ts';
import { enqueueJob, JobWorker, PermanentJobError, RetryLaterError } from '../../src/queue/index.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { testDatabases } from '../support/databases.ts';

const databases = await testDatabases();
const logger = createLogger('silent');

describe.each(databases)('job queue on $name', (database) => {
  let store: Store;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    store = await openStore({
      databaseUrl: created.databaseUrl,
      ...(created.postgresSchema ? { postgresSchema: created.postgresSchema } : {}),
    });
  });
  afterAll(async () => {
    await store?.close();
    await drop?.();
  });

  it('debounces jobs with the same key into one run with the latest payload', async () => {
    const runs: unknown[] = [];
    const worker = new JobWorker({
      db: store.db,
      flags: store.flags,
      logger,
      handlers: { debounce: async (payload) => void runs.push(payload) },
    });
    const now = Date.now();
    // Far-off run times, so a slow machine cannot make them due early.
    await enqueueJob(store.db, { kind: 'debounce', dedupeKey: 'c1', payload: 1, runAt: now + 60_000 });
    await enqueueJob(store.db, { kind: 'debounce', dedupeKey: 'c1', payload: 2, runAt: now + 120_000 });
    await enqueueJob(store.db, { kind: 'debounce', dedupeKey: 'c2', payload: 'other', runAt: now });
    expect(await worker.drain()).toBe(1);
    expect(runs).toEqual(['other']);
    const pending = await store.db.selectFrom('jobs').selectAll().where('kind', '=', 'debounce').execute();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ dedupe_key: 'c1', run_at: now + 120_000, payload: '2' });
    await store.db.updateTable('jobs').set({ run_at: 0 }).where('kind', '=', 'debounce').execute();
    await worker.drain();
    expect(runs).toEqual(['other', 2]);
    expect(await store.db.selectFrom('jobs').selectAll().where('kind', '=', 'debounce').execute()).toEqual(
      [],
    );
  });

  it('runs a job once more when it was asked for while running, never twice at once', async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    let runs = 0;
    const worker = new JobWorker({
      db: store.db,
      flags: store.flags,
      logger,
      handlers: {
        turn: async () => {
          concurrent += 1;
          maxConcurrent = Math.max(maxConcurrent, concurrent);
          runs += 1;
          if (runs === 1)
            await enqueueJob(store.db, { kind: 'turn', dedupeKey: 'conversation', payload: 'again' });
          await new Promise((resolve) => setTimeout(resolve, 20));
          concurrent -= 1;
        },
      },
    });
    await enqueueJob(store.db, { kind: 'turn', dedupeKey: 'conversation', payload: 'first' });
    await Promise.all([worker.drain(), worker.drain()]);
    await worker.drain();
    expect(runs).toBe(2);
    expect(maxConcurrent).toBe(1);
  });

  it('retries later, then fails for good on a permanent error', async () => {
    let attempts = 0;
    const worker = new JobWorker({
      db: store.db,
      flags: store.flags,
      logger,
      handlers: {
        flaky: async () => {
          attempts += 1;
          if (attempts === 1) throw new RetryLaterError('not yet', 0);
          throw new PermanentJobError('broken input');
        },
      },
    });
    await enqueueJob(store.db, { kind: 'flaky', payload: null, dedupeKey: 'f' });
    await worker.drain();
    expect(attempts).toBe(2);
    const row = await store.db
      .selectFrom('jobs')
      .selectAll()
      .where('kind', '=', 'flaky')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'failed', last_error: 'broken input', dedupe_key: null });
  });

  it('shares work between workers without running a job twice', async () => {
    const seen = new Map<number, number>();
    const handler = async (payload: unknown) => {
      seen.set(payload as number, (seen.get(payload as number) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 1));
    };
    const workers = [1, 2, 3].map(
      () =>
        new JobWorker({
          db: store.db,
          flags: store.flags,
          logger,
          handlers: { share: handler },
          batchSize: 7,
        }),
    );
    for (let index = 0; index < 200; index += 1)
      await enqueueJob(store.db, { kind: 'share', payload: index });
    await Promise.all(workers.map((worker) => worker.drain()));
    expect(seen.size).toBe(200);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
  });
});
