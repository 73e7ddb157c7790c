import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Pool } from 'undici';
import {
  SANDBOX_PHONE_NUMBER_ID,
  SANDBOX_TENANT_ID,
  SANDBOX_WABA_ID,
  sandboxSimulatorOptions,
} from '../src/coxcox.ts';
import { enqueueMessage } from '../src/dispatch/index.ts';
import { createSimulator, type Simulator } from '../src/simulator/index.ts';
import { openStore, type Store } from '../src/store/open-store.ts';
import { type ChildServer, freePort, startChildServer } from '../test/support/child-server.ts';

const SECRET_KEY = '3c'.repeat(32);
const KEY = Buffer.from(SECRET_KEY, 'hex');
const ADMIN_TOKEN = 'bench-dispatch-admin-token-0123456789';
/** The sandbox number, then nine more on the sandbox WABA (Meta phone number ids are digits). */
const PHONE_NUMBER_IDS = [
  SANDBOX_PHONE_NUMBER_ID,
  ...Array.from({ length: 9 }, (_, index) => `1000000000001${String(index).padStart(2, '0')}`),
];
/** The goals: Meta's ceiling on one number, and three times that across numbers. */
const ONE_NUMBER_GOAL_MPS = 1000;
const TEN_NUMBERS_GOAL_MPS = 3000;
/** The steady load of the latency run, through the API. */
const OFFERED_MPS = 200;
/** Acceptances in the first second after the first one are not counted: connections and JIT warm up. */
const WARM_UP_MS = 1000;

export interface DispatchRun {
  /** Accepted by the simulator per second, outside the warm-up. */
  mps: number;
  /** Messages in the run, and whether the backlog ran dry before the measured time was up. */
  messages: number;
  isDrained: boolean;
  measuredSeconds: number;
}

export interface DispatchFigures {
  oneNumber: DispatchRun;
  tenNumbers: DispatchRun;
  /** Enqueue (the API's commit) to the send's answer (outbox.sent_at − created_at) at OFFERED_MPS. */
  latency: {
    offeredMps: number;
    messages: number;
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
    non202: number;
  };
  /** The highest VmHWM of the Coxcox processes of these runs. */
  peakRssMb: number;
}

interface Database {
  name: 'sqlite' | 'postgres';
  databaseUrl: string;
  openStore(): Promise<Store>;
  drop(): Promise<void>;
}

async function createDatabase(name: 'sqlite' | 'postgres', postgresUrl: string | null): Promise<Database> {
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'coxcox-bench-dispatch-'));
    const databaseUrl = `sqlite:${join(dir, 'coxcox.sqlite')}`;
    return {
      name,
      databaseUrl,
      openStore: () => openStore({ databaseUrl, runMigrations: false }),
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (!postgresUrl) throw new Error('postgresUrl is needed for the PostgreSQL run');
  const schema = `bench_dispatch_${randomBytes(6).toString('hex')}`;
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      await client.query(query);
    } finally {
      await client.end();
    }
  };
  await admin(`create schema "${schema}"`);
  const url = new URL(postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    name,
    databaseUrl: url.toString(),
    openStore: () =>
      openStore({ databaseUrl: postgresUrl, postgresSchema: schema, runMigrations: false, poolSize: 8 }),
    drop: () => admin(`drop schema if exists "${schema}" cascade`),
  };
}

/** Peak resident memory of a process so far (VmHWM), in MB; 0 where /proc is missing. */
function peakRssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kilobytes = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
    return Math.round(kilobytes / 1024);
  } catch {
    return 0;
  }
}

function percentile(sorted: number[], share: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] as number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Outbox to simulator acceptance, with Coxcox (`src/main.ts`) in a child process and the simulator in this
 * one, over real HTTP both ways (statuses come back as signed webhooks, as in production). The outbox is
 * filled while Coxcox is stopped, then Coxcox starts and drains it; the rate is counted from the
 * simulator's acceptance timestamps.
 */
async function benchDatabase(
  name: 'sqlite' | 'postgres',
  options: {
    durationSeconds: number;
    postgresUrl: string | null;
    cpuProfileDir: string | undefined;
    log: (line: string) => void;
  },
): Promise<DispatchFigures> {
  const { durationSeconds, log } = options;
  const database = await createDatabase(name, options.postgresUrl);
  // The limits are Coxcox's to keep here: the simulator never refuses for throughput.
  const unlimited = { messagesPerSecond: 100_000 };
  const simulator: Simulator = createSimulator({
    ...sandboxSimulatorOptions(
      KEY,
      unlimited,
      PHONE_NUMBER_IDS.slice(1).map((id, index) => ({
        id,
        displayPhoneNumber: `1555000${String(index + 1).padStart(4, '0')}`,
        messagingLimitTier: 'TIER_UNLIMITED' as const,
        qualityRating: 'GREEN' as const,
        ...unlimited,
      })),
    ),
    statusDelaysMs: { sentMs: 5, deliveredMs: 10, readMs: 20 },
    seed: 3,
  });
  const simulatorUrl = await simulator.listen(0, '127.0.0.1');
  const port = await freePort();
  simulator.setWebhookUrl(`http://127.0.0.1:${port}/webhooks/whatsapp`);
  const dataDir = mkdtempSync(join(tmpdir(), 'coxcox-bench-dispatch-data-'));
  const profileDir = options.cpuProfileDir;
  const startCoxcox = () =>
    startChildServer(
      'src/main.ts',
      {
        PORT: String(port),
        DATA_DIR: dataDir,
        DATABASE_URL: database.databaseUrl,
        SECRET_KEY,
        ADMIN_TOKEN,
        GRAPH_API_URL: simulatorUrl,
        LOG_LEVEL: 'error',
        ...(profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}),
      },
      { timeoutMs: 60_000 },
    );
  let server: ChildServer | undefined;
  let store: Store | undefined;
  let peakRss = 0;
  const stopCoxcox = async () => {
    peakRss = Math.max(peakRss, peakRssMb(server?.child.pid));
    await server?.stop('SIGTERM');
    server = undefined;
  };

  try {
    // First boot: migrations, the sandbox tenant, and nine more numbers on its WABA (through the API).
    server = await startCoxcox();
    for (const phoneNumberId of PHONE_NUMBER_IDS.slice(1)) {
      const response = await fetch(`${server.url}/api/v1/tenants/${SANDBOX_TENANT_ID}/phone-numbers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ wabaId: SANDBOX_WABA_ID, phoneNumberId, throughputMps: 1000 }),
      });
      if (response.status !== 201)
        throw new Error(`adding number ${phoneNumberId}: ${await response.text()}`);
    }
    await stopCoxcox();
    store = await database.openStore();
    const db = store.db;
    // Limits lifted: Meta's highest throughput, and no daily cap on business-initiated conversations.
    await db
      .updateTable('phone_numbers')
      .set({ throughput_mps: 1000, messaging_tier: 'TIER_UNLIMITED' })
      .where('tenant_id', '=', SANDBOX_TENANT_ID)
      .execute();

    let recipientSerial = 0;
    const nextRecipient = () => `4915${String(recipientSerial++).padStart(9, '0')}`;
    /**
     * Fills the outbox as a campaign would leave it: per number, one message goes through enqueueMessage
     * (which creates its contact and conversation), and the rest are copies of those three rows with new
     * ids and recipients, inserted 500 at a time. Enqueueing is not what this measures, and one message at a
     * time it would take minutes here.
     */
    const fill = async (count: number, numbers: string[]) => {
      const now = Date.now();
      for (const [numberIndex, phoneNumberId] of numbers.entries()) {
        const share = Math.floor(count / numbers.length) + (numberIndex < count % numbers.length ? 1 : 0);
        if (share === 0) continue;
        const { id } = await enqueueMessage(db, {
          tenantId: SANDBOX_TENANT_ID,
          phoneNumberId,
          source: 'campaign',
          category: 'UTILITY',
          message: {
            to: nextRecipient(),
            type: 'template',
            template: { name: 'hello_world', languageCode: 'en_US' },
          },
        });
        const outbox = await db
          .selectFrom('outbox')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        const conversation = await db
          .selectFrom('conversations')
          .selectAll()
          .where('id', '=', outbox.conversation_id as string)
          .executeTakeFirstOrThrow();
        const contact = await db
          .selectFrom('contacts')
          .selectAll()
          .where('id', '=', conversation.contact_id)
          .executeTakeFirstOrThrow();
        for (let done = 1; done < share; done += 500) {
          const rows = Array.from({ length: Math.min(500, share - done) }, () => {
            const recipient = nextRecipient();
            const contactId = randomUUID();
            const conversationId = randomUUID();
            return {
              contact: { ...contact, id: contactId, wa_id: recipient },
              conversation: { ...conversation, id: conversationId, contact_id: contactId },
              outbox: {
                ...outbox,
                id: `out_${randomUUID()}`,
                recipient,
                conversation_id: conversationId,
                message: outbox.message.replace(/"to":"[^"]*"/, `"to":"${recipient}"`),
                created_at: now,
                updated_at: now,
                next_attempt_at: now,
              },
            };
          });
          await db.transaction().execute(async (trx) => {
            await trx
              .insertInto('contacts')
              .values(rows.map((row) => row.contact))
              .execute();
            await trx
              .insertInto('conversations')
              .values(rows.map((row) => row.conversation))
              .execute();
            await trx
              .insertInto('outbox')
              .values(rows.map((row) => row.outbox))
              .execute();
          });
        }
      }
    };

    /** Starts Coxcox on a filled outbox and counts acceptances until it drains or the time is up. */
    const drain = async (label: string, count: number, numbers: string[]): Promise<DispatchRun> => {
      const filledAt = Date.now();
      await fill(count, numbers);
      log(`  ${name} ${label}: ${count} messages queued in ${((Date.now() - filledAt) / 1000).toFixed(1)} s`);
      simulator.reset();
      server = await startCoxcox();
      const deadline = Date.now() + 60_000 + (WARM_UP_MS + durationSeconds * 1000);
      while (simulator.state.counts.accepted === 0) {
        if (Date.now() > deadline) throw new Error(`${name} ${label}: no send reached the simulator in 60 s`);
        await sleep(20);
      }
      const firstAcceptedAt = simulator.state.sent[0]?.timestamp ?? Date.now();
      const windowStart = firstAcceptedAt + WARM_UP_MS;
      const windowEnd = windowStart + durationSeconds * 1000;
      while (Date.now() < windowEnd && simulator.state.counts.accepted < count) await sleep(50);
      const isDrained = simulator.state.counts.accepted >= count;
      const sent = simulator.state.sent;
      const lastAcceptedAt = sent[sent.length - 1]?.timestamp ?? windowStart;
      // A backlog that ran dry early is measured from its first acceptance to its last.
      const [from, to] =
        isDrained && lastAcceptedAt < windowEnd
          ? [firstAcceptedAt, lastAcceptedAt]
          : [windowStart, windowEnd];
      const counted = sent.filter((record) => record.timestamp >= from && record.timestamp < to).length;
      const measuredSeconds = Math.max(0.001, (to - from) / 1000);
      await stopCoxcox();
      const duplicates = simulator.state.duplicateCallbackData().length;
      if (duplicates > 0) throw new Error(`${name} ${label}: ${duplicates} messages were accepted twice`);
      // What is left is sent by the next run's Coxcox first; it counts there as backlog, so clear it.
      await db.deleteFrom('outbox').where('state', '!=', 'sent').execute();
      return { mps: Math.round(counted / measuredSeconds), messages: count, isDrained, measuredSeconds };
    };

    const oneNumber = await drain(
      'one number',
      ONE_NUMBER_GOAL_MPS * (durationSeconds + 2),
      PHONE_NUMBER_IDS.slice(0, 1),
    );
    log(`  ${name} one number: ${oneNumber.mps} messages/s`);
    const tenNumbers = await drain(
      'ten numbers',
      TEN_NUMBERS_GOAL_MPS * (durationSeconds + 2),
      PHONE_NUMBER_IDS,
    );
    log(`  ${name} ten numbers: ${tenNumbers.mps} messages/s`);

    // Latency: a steady OFFERED_MPS through POST /api/v1/messages, each message to a new customer.
    server = await startCoxcox();
    const api = new Pool(server.url, { connections: 32 });
    const total = OFFERED_MPS * durationSeconds;
    let non202 = 0;
    const requests: Array<Promise<void>> = [];
    const loadStartedAt = Date.now();
    for (let issued = 0; issued < total; ) {
      const due = Math.min(total, Math.floor(((Date.now() - loadStartedAt) * OFFERED_MPS) / 1000) + 1);
      for (; issued < due; issued += 1) {
        const body = JSON.stringify({
          phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
          category: 'UTILITY',
          message: {
            to: `+4916${String(issued).padStart(9, '0')}`,
            type: 'template',
            template: { name: 'hello_world', languageCode: 'en_US' },
          },
        });
        requests.push(
          api
            .request({
              method: 'POST',
              path: `/api/v1/messages?tenantId=${SANDBOX_TENANT_ID}`,
              headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
              body,
            })
            .then(async (response) => {
              if (response.statusCode !== 202) non202 += 1;
              await response.body.dump();
            }),
        );
      }
      await sleep(5);
    }
    await Promise.all(requests);
    await api.close();
    const latencyDeadline = Date.now() + 60_000;
    for (;;) {
      const pending = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('source', '=', 'api')
        .where('state', '!=', 'sent')
        .executeTakeFirstOrThrow();
      if (Number(pending.count) === 0) break;
      if (Date.now() > latencyDeadline)
        throw new Error(`${name} latency: ${pending.count} API messages still unsent after 60 s`);
      await sleep(100);
    }
    const rows = await db
      .selectFrom('outbox')
      .select(['created_at', 'sent_at'])
      .where('source', '=', 'api')
      .execute();
    const latencies = rows.map((row) => Number(row.sent_at) - Number(row.created_at)).sort((a, b) => a - b);
    await stopCoxcox();
    const latency = {
      offeredMps: OFFERED_MPS,
      messages: rows.length,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      maxMs: latencies[latencies.length - 1] ?? 0,
      non202,
    };
    log(`  ${name} latency at ${OFFERED_MPS}/s: p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms`);
    return { oneNumber, tenNumbers, latency, peakRssMb: peakRss };
  } finally {
    await server?.stop('SIGKILL');
    await store?.close();
    await simulator.close();
    rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  }
}

/** The dispatch figures on SQLite, and on PostgreSQL when a URL is given. */
export async function benchDispatch(options: {
  durationSeconds?: number;
  postgresUrl: string | null;
  /** Each Coxcox process writes a CPU profile here (node --cpu-prof) when it exits. */
  cpuProfileDir?: string;
  log?: (line: string) => void;
}): Promise<{ sqlite: DispatchFigures; postgres: DispatchFigures | null }> {
  const settings = {
    durationSeconds: options.durationSeconds ?? 5,
    postgresUrl: options.postgresUrl,
    cpuProfileDir: options.cpuProfileDir,
    log: options.log ?? (() => {}),
  };
  const sqlite = await benchDatabase('sqlite', settings);
  const postgres = options.postgresUrl ? await benchDatabase('postgres', settings) : null;
  return { sqlite, postgres };
}

// `node bench/dispatch.ts [postgres://…]` runs it alone and prints the figures.
if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await benchDispatch({
    durationSeconds: Number(process.env.BENCH_SECONDS ?? 10),
    postgresUrl: process.argv[2] ?? null,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}
