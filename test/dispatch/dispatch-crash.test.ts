import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_PHONE_NUMBER_ID, SANDBOX_TENANT_ID, sandboxSimulatorOptions } from '../../src/coxcox.ts';
import { enqueueMessage } from '../../src/dispatch/index.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { type ChildServer, freePort, startChildServer } from '../support/child-server.ts';
import { createChildSchema, dropChildSchema, POSTGRES_URL, testDatabases } from '../support/databases.ts';

/**
 * Kill -9 the process that dispatches while it sends, restart it on the same database, and check that the
 * simulator (playing Meta, in this process, over real HTTP) accepted every outbox message exactly once and
 * that none was lost. A kill leaves three kinds of claimed sends behind: accepted by Meta with the answer
 * lost (settled by the status webhook naming the outbox id in biz_opaque_callback_data), never posted
 * (resent once the claim lock and the reconcile window ran out with no webhook), and cut mid-request.
 */

const SECRET_KEY = '6b'.repeat(32);
const KEY = Buffer.from(SECRET_KEY, 'hex');
const ADMIN_TOKEN = 'dispatch-crash-admin-token-0123456789';
const MESSAGES = 2000;
/**
 * Kills when the simulator has accepted this share of the messages. The last kill leaves most of the run
 * to go, so that the wait for its orphaned claims (the lock, then the reconcile window) overlaps sending.
 */
const KILL_AT = [0.1, 0.25, 0.4];
/** The shortest claim lock the config allows (more than the 15 s send timeout): an orphaned claim waits this. */
const SEND_LOCK_MS = 16_000;
const RECONCILE_WINDOW_MS = 2000; // 2 s: webhooks come back in milliseconds here
/**
 * Whole run, from the first boot to the last check. Four or five starts of Coxcox dominate it: about 30 s in
 * all on a quiet 2-core machine, 60 s to 80 s when the machine is loaded several times over.
 */
const TEST_TIMEOUT_MS = 120_000;

const databases = await testDatabases();

describe.each(databases)('kill -9 the dispatcher mid-run on $name', (database) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'coxcox-dispatch-crash-'));
  const postgresSchema = `dcrash_${randomBytes(6).toString('hex')}`;
  let databaseUrl: string;
  let simulator: Simulator | undefined;
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
    await simulator?.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (database.name === 'postgres') await dropChildSchema(postgresSchema);
  });

  it(`sends ${MESSAGES.toLocaleString('en')} templates exactly once through ${KILL_AT.length} kill -9 and restarts`, {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const startedAt = Date.now();
    const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
    /** What happened when, for the log and for any failure: on a busy machine a restart alone can take 10 s. */
    const timeline: string[] = [];
    const mark = (event: string) => timeline.push(`${event} at ${elapsed()}`);
    simulator = createSimulator({
      // Above Coxcox's own pace: this test is about crashes, not about the simulator refusing sends.
      ...sandboxSimulatorOptions(KEY, { messagesPerSecond: 10_000 }),
      // Only `sent` comes back during the test (the phones are offline): it is the status that settles an
      // unknown send, and a third of the webhook traffic keeps the inbox from falling behind on a busy machine.
      statusDelaysMs: { sentMs: 20, deliveredMs: 600_000, readMs: 1_200_000 },
      // Meta retries a webhook for days; these retries (about 40 s) outlast a restart, so the status of a
      // send accepted just before a kill reaches the restarted process.
      webhookDelivery: {
        retryDelaysMs: [100, 250, 500, 1000, ...Array<number>(19).fill(2000)],
        timeoutMs: 5000,
      },
      seed: 11,
    });
    const simulatorUrl = await simulator.listen(0, '127.0.0.1');
    // One port for every restart: the simulator keeps retrying its queued webhooks at the same URL.
    const port = await freePort();
    simulator.setWebhookUrl(`http://127.0.0.1:${port}/webhooks/whatsapp`);
    // The children's logs (warnings and errors), to explain a failure.
    let childLog = '';
    const startServer = async () => {
      const started = await startChildServer(
        'src/main.ts',
        {
          PORT: String(port),
          DATA_DIR: dataDir,
          DATABASE_URL: databaseUrl,
          SECRET_KEY,
          ADMIN_TOKEN,
          GRAPH_API_URL: simulatorUrl,
          LOG_LEVEL: 'warn',
          INBOX_POLL_INTERVAL_MS: '50',
          DISPATCH_RECONCILE_WINDOW_MS: String(RECONCILE_WINDOW_MS),
          DISPATCH_SEND_LOCK_MS: String(SEND_LOCK_MS),
        },
        { timeoutMs: 90_000 },
      );
      const keep = (chunk: Buffer) => {
        childLog = (childLog + chunk.toString()).slice(-6000);
      };
      started.child.stdout?.on('data', keep);
      started.child.stderr?.on('data', keep);
      return started;
    };

    // First boot: migrations and the sandbox tenant. On SQLite the outbox is then filled with Coxcox
    // stopped, so that the test never contends with it for the one writer; PostgreSQL takes both at once.
    server = await startServer();
    mark('first boot');
    if (database.name === 'sqlite') await server.stop('SIGTERM');
    store =
      database.name === 'postgres'
        ? await openStore({ databaseUrl: POSTGRES_URL, postgresSchema, runMigrations: false, poolSize: 6 })
        : await openStore({ databaseUrl, runMigrations: false });
    const db = store.db;
    await db
      .updateTable('phone_numbers')
      .set({ throughput_mps: 1000, messaging_tier: 'TIER_UNLIMITED' })
      .where('phone_number_id', '=', SANDBOX_PHONE_NUMBER_ID)
      .execute();
    const ids: string[] = [];
    const enqueueChunk = (start: number) =>
      db.transaction().execute(async (trx) => {
        for (let index = start; index < Math.min(MESSAGES, start + 500); index += 1) {
          const { id } = await enqueueMessage(trx, {
            tenantId: SANDBOX_TENANT_ID,
            phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
            source: 'campaign',
            category: 'UTILITY',
            message: {
              to: `4917${String(index).padStart(9, '0')}`,
              type: 'template',
              template: { name: 'hello_world', languageCode: 'en_US' },
            },
          });
          ids.push(id);
        }
      });
    const starts = Array.from({ length: Math.ceil(MESSAGES / 500) }, (_, chunk) => chunk * 500);
    // SQLite has one writer: the outbox is filled before Coxcox starts again. PostgreSQL takes the chunks in
    // parallel, while Coxcox sends and the kills begin (each kill waits for its share of acceptances).
    const enqueued = (
      database.name === 'postgres'
        ? Promise.all(starts.map(enqueueChunk))
        : starts.reduce<Promise<unknown>>(
            (previous, start) => previous.then(() => enqueueChunk(start)),
            Promise.resolve(),
          )
    ).then(() => mark(`${MESSAGES} enqueued`));
    enqueued.catch(() => {}); // awaited below; this only keeps an early failure from being reported as unhandled
    if (database.name === 'sqlite') await enqueued;

    const countByState = async () => {
      const rows = await db
        .selectFrom('outbox')
        .select(['state', (eb) => eb.fn.countAll().as('count')])
        .groupBy('state')
        .execute();
      return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
    };

    for (const [cycle, share] of KILL_AT.entries()) {
      if (server.child.exitCode !== null || server.child.signalCode !== null) server = await startServer();
      mark(`start ${cycle}`);
      const threshold = Math.floor(MESSAGES * share);
      const deadline = Date.now() + 30_000;
      while (simulator.state.counts.accepted < threshold) {
        if (Date.now() > deadline)
          throw new Error(
            `cycle ${cycle}: waited 30 s for the simulator to accept ${threshold} sends; it has ${simulator.state.counts.accepted}, outbox ${JSON.stringify(await countByState())}; ${timeline.join(', ')}; child log: ${childLog}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await server.stop('SIGKILL');
      expect(server.child.signalCode).toBe('SIGKILL');
      const acceptedAtKill = simulator.state.counts.accepted;
      const states = await countByState();
      mark(`kill ${cycle} (${acceptedAtKill} accepted, outbox ${JSON.stringify(states)})`);
      // Mid-run: messages were left to send, and the kill caught claims whose outcome it had not recorded.
      expect(acceptedAtKill, `cycle ${cycle}: accepted at the kill`).toBeLessThan(MESSAGES);
      expect(states.queued ?? 0, `cycle ${cycle}: still queued at the kill`).toBeGreaterThan(0);
    }

    await enqueued;
    server = await startServer();
    mark('last start');
    const finalDeadlineMs = startedAt + TEST_TIMEOUT_MS - 10_000;
    for (;;) {
      const states = await countByState();
      if ((states.sent ?? 0) === MESSAGES) break;
      if (Date.now() > finalDeadlineMs) {
        // An orphaned claim waits for its lock, its reconcile window, and the inbox to apply what came before.
        const inbox = await db
          .selectFrom('webhook_deliveries')
          .select([(eb) => eb.fn.countAll().as('count'), (eb) => eb.fn.min('received_at').as('oldest')])
          .where('state', '=', 'pending')
          .executeTakeFirstOrThrow();
        throw new Error(
          `waited until ${elapsed()} for all ${MESSAGES} outbox rows to be sent; outbox ${JSON.stringify(states)}, ` +
            `${simulator.state.counts.accepted} accepted, ${inbox.count} webhook deliveries pending ` +
            `(oldest ${inbox.oldest === null ? '-' : `${Date.now() - Number(inbox.oldest)} ms`} old); ` +
            `${timeline.join(', ')}; child log: ${childLog}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    mark('all sent');

    // Exactly once, counted by the simulator: every outbox id accepted once, and nothing else accepted.
    const accepted = simulator.state.acceptedByCallbackData;
    const notOnce = ids.filter((id) => accepted.get(id) !== 1).map((id) => `${id}: ${accepted.get(id) ?? 0}`);
    expect(notOnce).toEqual([]);
    expect(accepted.size).toBe(MESSAGES);
    expect(simulator.state.counts.accepted).toBe(MESSAGES);
    expect(await countByState()).toEqual({ sent: MESSAGES });

    // What the kills left behind, for the log: claims sent again after their lock ran out, and sends
    // settled by their status webhook alone (no `sent` attempt was recorded by the process that sent them).
    const claimedAgain = await db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('attempts', '>', 1)
      .executeTakeFirstOrThrow();
    const settledByWebhook = await db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll().as('count'))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('outbox_attempts')
              .select('outbox_attempts.outbox_id')
              .whereRef('outbox_attempts.outbox_id', '=', 'outbox.id')
              .where('outbox_attempts.outcome', '=', 'sent'),
          ),
        ),
      )
      .executeTakeFirstOrThrow();
    console.info(
      `${database.name}: ${timeline.join(', ')}; ` +
        `${Number(claimedAgain.count)} claimed more than once, ${Number(settledByWebhook.count)} settled by a status webhook alone`,
    );
    // Not vacuous: some sends were accepted by the simulator while their process died before recording them.
    expect(Number(settledByWebhook.count)).toBeGreaterThan(0);

    await server.stop('SIGTERM');
    expect(server.child.exitCode).toBe(0);
  });
});
