// `npm run bench`: runs every benchmark, prints the figures, and rewrites BENCHMARKS.md.
// `npm run bench -- --json` prints one JSON object { "<name>": { "value": n, "unit": "…" } } instead.

import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { type AgentFigures, benchAgent } from './agent.ts';
import type { CampaignBenchFigures } from './campaign.ts';
import { benchDispatch, type DispatchFigures } from './dispatch.ts';
import { benchIngest } from './ingest.ts';

type Figures = Record<string, { value: number; unit: string }>;

const isJson = process.argv.includes('--json');
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 10);
const postgresUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const log = (line: string) => {
  if (!isJson) process.stdout.write(`${line}\n`);
};

const figures: Figures = {};
const sections: string[] = [];
const hasPostgres = await reachable(postgresUrl);
/** Other work on the machine takes its share of the 2 cores: the figures say how much there was. */
const loadAtStart = loadavg()[0] ?? 0;

log(`ingest: ${durationSeconds} s per target, 100 connections …`);
const ingest = await benchIngest({
  durationSeconds,
  connections: 100,
  postgresUrl: hasPostgres ? postgresUrl : null,
});
figures['ingest.baseline.rps'] = { value: ingest.baseline!.rps, unit: 'requests/s' };
figures['ingest.sqlite.rps'] = { value: ingest.sqlite!.rps, unit: 'deliveries/s' };
figures['ingest.sqlite.p99Ms'] = { value: ingest.sqlite!.p99Ms, unit: 'ms' };
figures['ingest.sqlite.ofBaseline'] = {
  value: Math.round((100 * ingest.sqlite!.rps) / ingest.baseline!.rps),
  unit: '%',
};
const intakeOnly = ingest['sqlite intake only'];
if (intakeOnly) {
  figures['ingest.sqliteIntakeOnly.rps'] = { value: intakeOnly.rps, unit: 'deliveries/s' };
  figures['ingest.sqliteIntakeOnly.p99Ms'] = { value: intakeOnly.p99Ms, unit: 'ms' };
  figures['ingest.sqliteIntakeOnly.ofBaseline'] = {
    value: Math.round((100 * intakeOnly.rps) / ingest.baseline!.rps),
    unit: '%',
  };
}
if (ingest.postgres) {
  figures['ingest.postgres.rps'] = { value: ingest.postgres.rps, unit: 'deliveries/s' };
  figures['ingest.postgres.p99Ms'] = { value: ingest.postgres.p99Ms, unit: 'ms' };
}
const ingestRows = Object.entries(ingest).map(
  ([name, row]) =>
    `| ${name} | ${row.rps.toLocaleString('en')} | ${row.p50Ms} | ${row.p99Ms} | ${row.non2xx} | ${row.errors} |`,
);
sections.push(
  [
    '## Webhook ingest: signed POST to durable commit',
    '',
    `Method: autocannon in the benchmark process, 100 connections, ${durationSeconds} s after a 2 s warm-up, against a`,
    'server in its own process on 127.0.0.1. Each request is one of 2,000 distinct signed Meta-style text-message',
    'bodies. "baseline" is bare Fastify answering 200 on the same route with the same body parser; "sqlite" and',
    '"postgres" are `src/main.ts` (signature check, group commit of the raw body — WAL and synchronous=FULL on',
    'SQLite — then 200), with the inbox worker processing the stored deliveries at the same time.',
    '',
    '| target | requests/s | p50 ms | p99 ms | non-2xx | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...ingestRows,
    '',
    `SQLite reaches ${figures['ingest.sqlite.ofBaseline']!.value} % of the bare baseline with its workers running, and`,
    `${figures['ingest.sqliteIntakeOnly.ofBaseline']?.value ?? '—'} % with none (\`WORKERS=none\`): "sqlite intake only" is the signature check, the`,
    'group commit and the 200 alone; with the workers, processing each delivery (and the sandbox agent’s',
    'replies, and their status webhooks) shares the one event loop with the intake.',
  ].join('\n'),
);

log(`dispatch: ${durationSeconds} s per run, outbox to simulator acceptance …`);
const loadAtDispatch = loadavg()[0] ?? 0;
const dispatch = await benchDispatch({
  durationSeconds,
  postgresUrl: hasPostgres ? postgresUrl : null,
  cpuProfileDir: process.env.BENCH_CPU_PROF_DIR,
  log,
});
const dispatchFigures = (prefix: string, run: DispatchFigures) => {
  figures[`${prefix}.oneNumber.mps`] = { value: run.oneNumber.mps, unit: 'messages/s' };
  figures[`${prefix}.tenNumbers.mps`] = { value: run.tenNumbers.mps, unit: 'messages/s' };
  figures[`${prefix}.p50Ms`] = { value: run.latency.p50Ms, unit: 'ms' };
  figures[`${prefix}.p99Ms`] = { value: run.latency.p99Ms, unit: 'ms' };
  figures[`${prefix}.peakRssMb`] = { value: run.peakRssMb, unit: 'MB' };
};
dispatchFigures('dispatch', dispatch.sqlite);
if (dispatch.postgres) dispatchFigures('dispatch.postgres', dispatch.postgres);
const dispatchRows = Object.entries(dispatch)
  .filter((entry): entry is [string, DispatchFigures] => entry[1] !== null)
  .map(
    ([name, run]) =>
      `| ${name} | ${run.oneNumber.mps.toLocaleString('en')} | ${run.tenNumbers.mps.toLocaleString('en')} | ` +
      `${run.latency.p50Ms.toLocaleString('en')} | ${run.latency.p99Ms.toLocaleString('en')} | ${run.peakRssMb} |`,
  );
sections.push(
  [
    '## Dispatch: outbox to Cloud API acceptance',
    '',
    'Method: `src/main.ts` in its own process sends to the Cloud API simulator in the benchmark process, over',
    'real HTTP both ways: sends go to the simulator, and its signed status webhooks (sent, delivered, read, 5 to',
    '20 ms after acceptance) come back to Coxcox, which records and reconciles them as it would Meta’s. No',
    'faults are injected; the simulator never refuses for throughput. The limits are lifted in Coxcox: throughput',
    '1,000/s (Meta’s highest) and an unlimited tier, on each number of the sandbox WABA.',
    '',
    `- **one number / ten numbers**: the outbox is filled while Coxcox is stopped (a template to a new customer per`,
    `  message, each with its contact and conversation: ${(1000 * (durationSeconds + 2)).toLocaleString('en')} on one number, ${(3000 * (durationSeconds + 2)).toLocaleString('en')} over ten), then Coxcox starts`,
    `  and drains it. Messages/s counts the simulator’s acceptances over ${durationSeconds} s, after 1 s of warm-up from the first one.`,
    `- **p50 / p99**: a steady ${dispatch.sqlite.latency.offeredMps} messages/s through \`POST /api/v1/messages\` for ${durationSeconds} s on one number; the`,
    '  latency of each is `outbox.sent_at − created_at` (the API’s commit to the send’s answer).',
    '- **peak RSS**: the highest VmHWM of the Coxcox processes of these runs.',
    '',
    '| database | one number msg/s | ten numbers msg/s | p50 ms | p99 ms | peak RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...dispatchRows,
    '',
    'Goals (issue 3): 1,000/s on one number and 3,000/s across numbers on these 2 cores. What bounds these',
    'figures, from CPU profiles of the Coxcox process (`BENCH_CPU_PROF_DIR=dir npm run bench` writes one per',
    'process): on SQLite, commits, which wait for an fsync on the event loop (WAL, synchronous=FULL): 14 % of',
    'the time on one number, 35 % on ten, since every lane claims and records in transactions of its own. On',
    'PostgreSQL, round trips: a third of the time is socket writes, and recording a sent message costs four',
    'statements of its own (outbox, conversation, message, conversation again). Then the inbox applying the',
    'status webhooks (three per message), and building queries. A number at full speed also needs about 50',
    'claims a second whatever its limit (the burst is 2 % of it), each a transaction of about ten statements',
    'that holds the number’s pacer row.',
    '',
    `The load average was ${loadAtDispatch.toFixed(1)} on ${cpus().length} cores when these runs began: other work on the`,
    'machine takes its share, and figures move by a factor of several between runs.',
  ].join('\n'),
);

log('agent: 2,000 turns one after another, then 1,000 conversations at once, with an instant model …');
const agent = await benchAgent({ postgresUrl: hasPostgres ? postgresUrl : null });
const agentFigures = (prefix: string, run: AgentFigures) => {
  figures[`${prefix}.turnOverhead.p50Ms`] = { value: run.overheadP50Ms, unit: 'ms' };
  figures[`${prefix}.turnOverhead.p99Ms`] = { value: run.overheadP99Ms, unit: 'ms' };
  figures[`${prefix}.concurrent.turnsPerSecond`] = { value: run.concurrentTurnsPerSecond, unit: 'turns/s' };
  figures[`${prefix}.concurrent.p99Ms`] = { value: run.concurrentP99Ms, unit: 'ms' };
};
agentFigures('agent', agent.sqlite);
agentFigures('agent.sqliteWithoutFsync', agent.sqliteWithoutFsync);
if (agent.postgres) agentFigures('agent.postgres', agent.postgres);
const agentRows = Object.entries(agent)
  .filter((entry): entry is [string, AgentFigures] => entry[1] !== undefined)
  .map(
    ([name, run]) =>
      `| ${name} | ${run.overheadP50Ms} | ${run.overheadP99Ms} | ${run.concurrentConversations.toLocaleString('en')} in ` +
      `${run.concurrentSeconds} s (${run.concurrentTurnsPerSecond.toLocaleString('en')}/s) | ${run.concurrentP99Ms} |`,
  );
sections.push(
  [
    '## Agent: the turn’s own overhead',
    '',
    'Method: Coxcox in the benchmark process with a model that answers at once (one reply and one tool call,',
    'then a final step), so that everything measured is Coxcox’s own work: loading the conversation and its',
    'limits, knowledge search, memory, the tool, queueing the replies in the outbox and recording the turn,',
    'each turn committed. Overhead is the wall time of a turn minus the model’s time, over 2,000 turns one after',
    'another (after a warm-up). Then 1,000 conversations, each with a customer message waiting, are answered',
    'by the job worker at once. "sqliteWithoutFsync" is the same run with synchronous=NORMAL (in WAL mode, no',
    'fsync at commit), to show what the commit’s fsync costs.',
    '',
    '| database | overhead p50 ms | overhead p99 ms | 1,000 conversations | their turn p99 ms |',
    '| --- | ---: | ---: | --- | ---: |',
    ...agentRows,
    '',
    'Goal (issue 4): under 5 ms p99 overhead.',
  ].join('\n'),
);

const campaignContacts = Number(process.env.BENCH_CAMPAIGN_CONTACTS ?? 100_000);
log(`campaign: ${campaignContacts.toLocaleString('en')} contacts imported, planned and sent …`);
/** Each campaign run in a process of its own, so that its peak memory is its own, not the earlier runs'. */
const campaignInChild = async (databaseUrl: string | null): Promise<CampaignBenchFigures> => {
  const args = [
    fileURLToPath(new URL('./campaign.ts', import.meta.url)),
    '--contacts',
    String(campaignContacts),
  ];
  if (databaseUrl) args.push('--database', databaseUrl);
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as CampaignBenchFigures;
};
const campaignRuns: Record<string, CampaignBenchFigures> = { sqlite: await campaignInChild(null) };
// The campaign benchmark makes (and drops) a schema of its own on PostgreSQL.
if (hasPostgres) campaignRuns.postgres = await campaignInChild(postgresUrl);
for (const [name, run] of Object.entries(campaignRuns)) {
  const prefix = name === 'sqlite' ? 'campaign' : `campaign.${name}`;
  figures[`${prefix}.import.rowsPerSecond`] = { value: run.importRowsPerSecond, unit: 'rows/s' };
  figures[`${prefix}.plan.seconds`] = { value: run.planSeconds, unit: 's' };
  figures[`${prefix}.send.mps`] = { value: run.sendRate, unit: 'messages/s' };
  figures[`${prefix}.peakRssMb`] = { value: run.peakRssMb, unit: 'MB' };
}
sections.push(
  [
    `## Campaign: ${campaignContacts.toLocaleString('en')} contacts`,
    '',
    'Method: Coxcox in a process of its own (`node bench/campaign.ts`) with the in-memory Graph client (so the figures are Coxcox’s',
    'own). A CSV of the contacts is streamed through the import (contacts, tags, consent ledger); the',
    'campaign is planned (its audience in one INSERT … SELECT, the A/B split and counts); then the scheduler,',
    'outbox and dispatcher send, paced at 1,000/s, for a bounded time. Peak RSS is the process’s highest',
    'resident memory over the whole run; "added" is that peak minus the memory once Coxcox was up.',
    '',
    '| database | import rows/s | plan s | send msg/s | sent | peak RSS MB | added MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...Object.entries(campaignRuns).map(
      ([name, run]) =>
        `| ${name} | ${run.importRowsPerSecond.toLocaleString('en')} | ${run.planSeconds} | ${run.sendRate.toLocaleString('en')} | ` +
        `${run.sent.toLocaleString('en')} | ${run.peakRssMb} | ${run.peakRssMb - run.baselineRssMb} |`,
    ),
  ].join('\n'),
);

if (isJson) {
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} else {
  for (const [name, figure] of Object.entries(figures))
    log(`${name.padEnd(32)} ${figure.value} ${figure.unit}`);
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const markdown = [
  '# Benchmarks',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench\` on ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB,`,
  `Node ${process.versions.node}, ${process.platform}. These machines are noisy, so every figure is compared with a`,
  'baseline measured in the same run.',
  '',
  `The load average was ${loadAtStart.toFixed(1)} on ${cpus().length} cores when this run began. Figures taken while other`,
  'processes share the machine move by a factor of several between runs: compare them with a quiet run.',
  '',
  ...sections.flatMap((section) => [section, '']),
  '## All figures (`npm run bench -- --json`)',
  '',
  '```json',
  JSON.stringify(figures, null, 2),
  '```',
  '',
].join('\n');
writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), markdown);
log('wrote BENCHMARKS.md');
