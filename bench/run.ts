// `npm run bench`: runs every benchmark, prints the figures, and rewrites BENCHMARKS.md.
// `npm run bench -- --json` prints one JSON object { "<name>": { "value": n, "unit": "…" } } instead.

import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import pg from 'pg';
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
    `SQLite reaches ${figures['ingest.sqlite.ofBaseline']!.value} % of the bare baseline.`,
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
