// The agent turn's own overhead (everything but the model: loading the conversation, limits, the read
// mark, knowledge search, memory, tools, queueing the replies and recording the turn), with an instant
// model, and 1,000 conversations answered at once through the job worker.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import type { AgentModel, TurnStep } from '../src/agent/agent-model.ts';
import { AGENT_TURN_JOB } from '../src/agent/index.ts';
import { parseConfig } from '../src/config.ts';
import { recordInboundMessage } from '../src/conversations/index.ts';
import { type Coxcox, createCoxcox, SANDBOX_PHONE_NUMBER_ID, SANDBOX_TENANT_ID } from '../src/coxcox.ts';
import { createLogger } from '../src/http/create-logger.ts';
import { enqueueJob } from '../src/queue/index.ts';
import { FakeGraphClient } from '../src/whatsapp/graph/fake-graph-client.ts';

export interface AgentFigures {
  /** Turns measured one after another. */
  turns: number;
  overheadP50Ms: number;
  overheadP99Ms: number;
  /** Conversations with a customer message waiting, answered by the job worker at once. */
  concurrentConversations: number;
  concurrentSeconds: number;
  concurrentTurnsPerSecond: number;
  /** Per-turn latency (as recorded) while 1,000 run. */
  concurrentP99Ms: number;
}

/** A model that answers at once: one bubble, and on the first step one tool call, like a real turn. */
class InstantModel implements AgentModel {
  readonly name = 'instant';
  spentMs = 0;
  async step(_input: unknown, previous: unknown[]): Promise<TurnStep> {
    const started = performance.now();
    const step: TurnStep =
      previous.length === 0
        ? {
            replies: ['Great, thanks! Which city are you in?'],
            toolCalls: [
              { id: 'call_1', name: 'record_lead_fields', arguments: { fields: { interest: 'solar' } } },
            ],
            usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
            model: 'instant',
          }
        : {
            replies: [],
            toolCalls: [],
            usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
            model: 'instant',
          };
    this.spentMs += performance.now() - started;
    return step;
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (value: number) => Math.round(value * 1000) / 1000;

async function start(databaseUrl: string, postgresSchema: string | null, dataDir: string) {
  const config = parseConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    SECRET_KEY: '43'.repeat(32),
    ADMIN_TOKEN: 'bench-admin-token-0123456789',
    LOG_LEVEL: 'silent',
  });
  const model = new InstantModel();
  const coxcox = await createCoxcox(config, {
    logger: createLogger('silent'),
    graph: new FakeGraphClient(),
    modelFor: () => model,
    ...(postgresSchema ? { postgresSchema } : {}),
  });
  await coxcox.store.db.updateTable('phone_numbers').set({ messaging_tier: 'TIER_UNLIMITED' }).execute();
  await coxcox.agent.knowledge.add(SANDBOX_TENANT_ID, {
    title: 'Prices',
    contentType: 'text/markdown',
    body: '## Plans\nBasic costs 49 USD a month.\n\n## Installation\nTwo days, scaffolding included.',
  });
  return { coxcox, model };
}

/** A customer message in a conversation (one per customer), recorded as the inbox would. */
async function customerWrites(
  coxcox: Coxcox,
  index: number,
  text: string,
  enqueue: boolean,
): Promise<string> {
  return coxcox.store.db.transaction().execute(async (trx) => {
    const recorded = await recordInboundMessage(
      trx,
      {
        tenantId: SANDBOX_TENANT_ID,
        phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
        contact: { waId: `55119${String(index).padStart(8, '0')}`, userId: null, name: 'Bench Customer' },
        wamid: `wamid.AGENTBENCH${randomBytes(8).toString('hex')}`,
        type: 'text',
        sentAt: Date.now(),
        contextWamid: null,
        content: { type: 'text', text: { body: text } },
        targetWamid: null,
      },
      Date.now(),
    );
    if (enqueue) {
      await enqueueJob(trx, {
        kind: AGENT_TURN_JOB,
        dedupeKey: recorded.conversationId!,
        payload: { conversationId: recorded.conversationId },
      });
    }
    return recorded.conversationId!;
  });
}

async function measure(
  databaseUrl: string,
  postgresSchema: string | null,
  options: { turns: number; concurrentConversations: number; isWithoutFsync?: boolean },
): Promise<AgentFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'coxcox-bench-agent-'));
  const { coxcox, model } = await start(databaseUrl, postgresSchema, dataDir);
  // To tell our own work apart from the disk: SQLite's commit waits for an fsync (synchronous=FULL), which
  // costs 2 to 5 ms on a cloud disk, whatever the turn does. This variant is for comparison only.
  if (options.isWithoutFsync) await sql`pragma synchronous = normal`.execute(coxcox.store.db);
  try {
    // Sequential turns over 200 conversations, each turn answering one new message with history behind it.
    const conversations = 200;
    const overheads: number[] = [];
    const warmUp = Math.min(100, Math.floor(options.turns / 10));
    for (let index = 0; index < options.turns + warmUp; index += 1) {
      const conversationId = await customerWrites(
        coxcox,
        index % conversations,
        `How much is the basic plan? (${index})`,
        false,
      );
      const modelBefore = model.spentMs;
      const started = performance.now();
      const outcome = await coxcox.agent.runner.runTurn(conversationId);
      const elapsed = performance.now() - started - (model.spentMs - modelBefore);
      if (outcome.status !== 'replied')
        throw new Error(`bench turn ended ${outcome.status} (${outcome.reason})`);
      if (index >= warmUp) overheads.push(elapsed);
    }
    overheads.sort((a, b) => a - b);

    // 1,000 conversations, each with a waiting message and a due turn, answered by the job worker.
    const offset = 10_000;
    for (let index = 0; index < options.concurrentConversations; index += 1) {
      await customerWrites(coxcox, offset + index, 'Hi! Is installation included?', true);
    }
    const started = performance.now();
    const ran = await coxcox.jobWorker.drain();
    const concurrentSeconds = (performance.now() - started) / 1000;
    if (ran !== options.concurrentConversations)
      throw new Error(`ran ${ran} turns, expected ${options.concurrentConversations}`);
    const latencies = (
      await coxcox.store.db
        .selectFrom('agent_turns')
        .select('latency_ms')
        .orderBy('started_at', 'desc')
        .limit(options.concurrentConversations)
        .execute()
    )
      .map((row) => row.latency_ms)
      .sort((a, b) => a - b);
    return {
      turns: options.turns,
      overheadP50Ms: round(percentile(overheads, 50)),
      overheadP99Ms: round(percentile(overheads, 99)),
      concurrentConversations: options.concurrentConversations,
      concurrentSeconds: round(concurrentSeconds),
      concurrentTurnsPerSecond: Math.round(options.concurrentConversations / concurrentSeconds),
      concurrentP99Ms: percentile(latencies, 99),
    };
  } finally {
    await coxcox.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Agent-turn overhead on SQLite (as deployed, and without the commit's fsync for comparison), and on
 * PostgreSQL when a URL is given. Goal: under 5 ms p99 overhead.
 */
export async function benchAgent(
  options: { turns?: number; concurrentConversations?: number; postgresUrl?: string | null } = {},
): Promise<{ sqlite: AgentFigures; sqliteWithoutFsync: AgentFigures; postgres?: AgentFigures }> {
  const settings = {
    turns: options.turns ?? 2000,
    concurrentConversations: options.concurrentConversations ?? 1000,
  };
  const onSqlite = async (isWithoutFsync: boolean) => {
    const sqliteDir = mkdtempSync(join(tmpdir(), 'coxcox-bench-agent-db-'));
    try {
      return await measure(`sqlite:${join(sqliteDir, 'agent.sqlite')}`, null, {
        ...settings,
        isWithoutFsync,
      });
    } finally {
      rmSync(sqliteDir, { recursive: true, force: true });
    }
  };
  const sqlite = await onSqlite(false);
  const sqliteWithoutFsync = await onSqlite(true);
  if (!options.postgresUrl) return { sqlite, sqliteWithoutFsync };
  const schema = `bench_agent_${randomBytes(4).toString('hex')}`;
  try {
    return { sqlite, sqliteWithoutFsync, postgres: await measure(options.postgresUrl, schema, settings) };
  } finally {
    const client = new pg.Client({ connectionString: options.postgresUrl });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
}

// `node bench/agent.ts` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const postgresUrl = process.env.BENCH_DATABASE_URL ?? null;
  console.log(JSON.stringify(await benchAgent({ postgresUrl }), null, 2));
}
