import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_PHONE_NUMBER_ID, SANDBOX_WABA_ID, sandboxSecret } from '../../src/coxcox.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { type ChildServer, startChildServer } from '../support/child-server.ts';
import { createChildSchema, dropChildSchema, POSTGRES_URL, testDatabases } from '../support/databases.ts';
import { metaJson, signature, textMessageNotification } from '../support/meta-body.ts';

/**
 * Kill -9 while a load generator posts signed webhooks, restart on the same data, and check that every
 * delivery answered 200 was durable: its exact bytes are stored and its message is recorded exactly once.
 * This is the "200 only after the commit" rule (ARCHITECTURE.md, "Durability and delivery rules"),
 * checked against a real process, a real socket and a real crash rather than a fake.
 */

const SECRET_KEY = '5a'.repeat(32);
const APP_SECRET = sandboxSecret(Buffer.from(SECRET_KEY, 'hex'), 'app secret');
const ADMIN_TOKEN = 'crash-test-admin-token-0123456789';
const CYCLES = 3;
/** Requests in flight at once. */
const CONCURRENCY = 50;
/** How long each cycle's load runs before the kill: 1.0 s to 2.0 s, different per cycle. */
const killAfterMs = (cycle: number) => 1000 + ((cycle * 379) % 1000);
/**
 * Bound on the inbox worker catching up after a restart: up to ten thousand deliveries a cycle, which
 * take seconds on SQLite and about 25 s on PostgreSQL on a quiet 2-core machine; more on a busy one.
 */
const PROCESSING_DEADLINE_MS = 120_000;

interface SentDelivery {
  wamid: string;
  body: string;
}

interface LoadOutcome {
  acknowledged: SentDelivery[];
  /** Requests posted and not yet answered when the kill was sent (the client's view). */
  inFlightAtKill: number;
  /**
   * Requests that got no answer because the server died under them. Usually all of those in flight, but it
   * can be none: group commit answers a whole batch at once, and the kill may land just after one.
   */
  broken: number;
  /** Any answer other than 200 (none is expected: a kill gives no answer at all). */
  otherStatuses: number[];
}

const databases = await testDatabases();

describe.each(databases)('kill -9 under webhook load on $name', (database) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'coxcox-crash-'));
  const postgresSchema = `crash_${randomBytes(6).toString('hex')}`;
  let databaseUrl: string;
  let server: ChildServer | undefined;
  let store: Store | undefined;

  beforeAll(async () => {
    if (database.name === 'postgres') {
      databaseUrl = await createChildSchema(postgresSchema);
    } else {
      databaseUrl = `sqlite:${join(dataDir, 'coxcox.sqlite')}`;
    }
  });

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (database.name === 'postgres') await dropChildSchema(postgresSchema);
  });

  const startServer = () =>
    startChildServer('src/main.ts', {
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      SECRET_KEY,
      ADMIN_TOKEN,
      LOG_LEVEL: 'error',
      INBOX_POLL_INTERVAL_MS: '50',
    });

  /** Reads the database the server writes, from the test process (a second reader, never a writer). */
  const openVerifier = () =>
    database.name === 'postgres'
      ? openStore({ databaseUrl: POSTGRES_URL, postgresSchema, runMigrations: false, poolSize: 2 })
      : openStore({ databaseUrl, runMigrations: false });

  const deliveryFor = (cycle: number, index: number): SentDelivery => {
    const wamid = `wamid.CRASH.${database.name}.${cycle}.${index}`;
    const body = metaJson(
      textMessageNotification({
        wabaId: SANDBOX_WABA_ID,
        phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
        // A few dozen senders, so contacts and conversations are shared between concurrent deliveries.
        from: `5511900${String(index % 37).padStart(6, '0')}`,
        text: `crash ${cycle}/${index}: olá / ação ✓`,
        id: wamid,
        timestamp: 1_760_000_000 + index,
      }),
    );
    return { wamid, body };
  };

  /** Posts unique signed deliveries with CONCURRENCY in flight, and SIGKILLs the server mid-load. */
  const loadAndKill = async (target: ChildServer, cycle: number): Promise<LoadOutcome> => {
    const pool = new Pool(target.url, {
      connections: CONCURRENCY,
      pipelining: 1,
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    });
    const outcome: LoadOutcome = { acknowledged: [], inFlightAtKill: 0, broken: 0, otherStatuses: [] };
    let isStopping = false;
    let next = 0;
    let inFlight = 0;
    const worker = async () => {
      while (!isStopping) {
        const delivery = deliveryFor(cycle, next++);
        let statusCode: number;
        inFlight += 1;
        try {
          const response = await pool.request({
            method: 'POST',
            path: '/webhooks/whatsapp',
            headers: {
              'content-type': 'application/json',
              'x-hub-signature-256': signature(delivery.body, APP_SECRET),
            },
            body: delivery.body,
          });
          statusCode = response.statusCode;
          // A 200 status line is the acknowledgement, even if the kill cuts the rest of the answer.
          await response.body.text().catch(() => {});
        } catch {
          outcome.broken += 1;
          continue;
        } finally {
          inFlight -= 1;
        }
        if (statusCode === 200) outcome.acknowledged.push(delivery);
        else outcome.otherStatuses.push(statusCode);
      }
    };
    const workers = Array.from({ length: CONCURRENCY }, worker);
    await new Promise((resolve) => setTimeout(resolve, killAfterMs(cycle)));
    outcome.inFlightAtKill = inFlight;
    const killed = target.stop('SIGKILL'); // sends the signal synchronously, then waits for the exit
    isStopping = true;
    await killed;
    await Promise.all(workers);
    await pool.destroy();
    return outcome;
  };

  const pendingCount = async (verifier: Store) =>
    Number(
      (
        await verifier.db
          .selectFrom('webhook_deliveries')
          .select((eb) => eb.fn.countAll().as('count'))
          .where('state', '=', 'pending')
          .executeTakeFirstOrThrow()
      ).count,
    );

  /** Waits (bounded) until the inbox worker has processed every stored delivery. */
  const waitUntilProcessed = async (verifier: Store) => {
    const deadline = Date.now() + PROCESSING_DEADLINE_MS;
    for (;;) {
      const pending = await pendingCount(verifier);
      if (pending === 0) return;
      if (Date.now() > deadline)
        throw new Error(`${pending} deliveries still pending after ${PROCESSING_DEADLINE_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const verify = async (verifier: Store, acknowledged: SentDelivery[]) => {
    // Every acknowledged body is stored, byte for byte.
    const stored = await verifier.db.selectFrom('webhook_deliveries').select('body').execute();
    const storedBodies = new Set(stored.map((row) => Buffer.from(row.body).toString('latin1')));
    const missingBodies = acknowledged.filter(
      (delivery) => !storedBodies.has(Buffer.from(delivery.body).toString('latin1')),
    );
    expect(missingBodies.map((delivery) => delivery.wamid)).toEqual([]);
    expect(stored.length).toBeGreaterThanOrEqual(acknowledged.length);

    await waitUntilProcessed(verifier);
    const states = await verifier.db
      .selectFrom('webhook_deliveries')
      .select(['state', (eb) => eb.fn.countAll().as('count')])
      .groupBy('state')
      .execute();
    expect(Object.fromEntries(states.map((row) => [row.state, Number(row.count)]))).toEqual({
      processed: stored.length,
    });

    // Every acknowledged message is recorded, and no message twice.
    const duplicates = await verifier.db
      .selectFrom('messages')
      .select(['tenant_id', 'wamid', (eb) => eb.fn.countAll().as('count')])
      .groupBy(['tenant_id', 'wamid'])
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    expect(duplicates).toEqual([]);
    const recorded = await verifier.db
      .selectFrom('messages')
      .select(['wamid', 'direction'])
      .where('wamid', 'like', `wamid.CRASH.${database.name}.%`)
      .execute();
    const recordedWamids = new Set(recorded.map((row) => row.wamid));
    expect(recordedWamids.size).toBe(recorded.length);
    expect(
      acknowledged
        .filter((delivery) => !recordedWamids.has(delivery.wamid))
        .map((delivery) => delivery.wamid),
    ).toEqual([]);
    expect(recorded.every((row) => row.direction === 'in')).toBe(true);
    return { stored: stored.length, recorded: recorded.length };
  };

  it(`keeps every acknowledged delivery through ${CYCLES} kill -9 and restart cycles`, {
    timeout: 480_000,
  }, async () => {
    const acknowledged: SentDelivery[] = [];
    server = await startServer();
    store = await openVerifier();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const outcome = await loadAndKill(server, cycle);
      // Not vacuous: the load was acknowledged before the kill, and the kill cut requests in flight.
      expect(outcome.acknowledged.length, `cycle ${cycle}: acknowledged`).toBeGreaterThan(0);
      expect(outcome.inFlightAtKill, `cycle ${cycle}: requests in flight at the kill`).toBeGreaterThan(0);
      expect(outcome.otherStatuses).toEqual([]);
      expect(server.child.signalCode).toBe('SIGKILL');
      acknowledged.push(...outcome.acknowledged);

      const restartedAt = Date.now();
      server = await startServer(); // same DATA_DIR, same database
      const verifiedAt = Date.now();
      const counts = await verify(store, acknowledged);
      console.info(
        `${database.name} cycle ${cycle}: ${outcome.acknowledged.length} acknowledged, ${outcome.inFlightAtKill} in flight at the kill, ` +
          `${outcome.broken} cut by it; ` +
          `${counts.stored} stored, ${counts.recorded} messages in all (${acknowledged.length} acknowledged in all); ` +
          `restart ${verifiedAt - restartedAt} ms, processed and verified in ${Date.now() - verifiedAt} ms`,
      );
    }
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    await server.stop('SIGTERM');
    expect(server.child.exitCode).toBe(0);
  });
});
