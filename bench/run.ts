// `npm run bench`: runs every benchmark, prints the figures, and rewrites BENCHMARKS.md.
// `npm run bench -- --json` prints one JSON object { "<name>": { "value": n, "unit": "…" } } instead.

import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
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
