import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { sandboxSecret } from '../src/coxcox.ts';
import { startChildServer } from '../test/support/child-server.ts';
import { metaJson, signature, textMessageNotification } from '../test/support/meta-body.ts';

const SECRET_KEY = '42'.repeat(32);
const APP_SECRET = sandboxSecret(Buffer.from(SECRET_KEY, 'hex'), 'app secret');

export interface IngestFigures {
  rps: number;
  p99Ms: number;
  p50Ms: number;
  non2xx: number;
  errors: number;
  durableRows?: number;
}

/** Distinct signed webhook bodies (one text message each), cycled by the load generator. */
function signedRequests(count: number) {
  return Array.from({ length: count }, (_, index) => {
    const body = metaJson(
      textMessageNotification({
        wabaId: '100000000000001',
        phoneNumberId: '100000000000002',
        from: `55119${String(index).padStart(8, '0')}`,
        text: `Olá! Quero saber o preço do plano ${index} / mês`,
        id: `wamid.BENCH${index}`,
      }),
    );
    return {
      method: 'POST' as const,
      path: '/webhooks/whatsapp',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature(body, APP_SECRET) },
      body,
    };
  });
}

async function load(url: string, durationSeconds: number, connections: number): Promise<IngestFigures> {
  const result = await autocannon({
    url,
    connections,
    duration: durationSeconds,
    pipelining: 1,
    requests: signedRequests(2000),
  });
  return {
    rps: Math.round(result.requests.average),
    p99Ms: result.latency.p99,
    p50Ms: result.latency.p50,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

export async function benchIngest(options: {
  durationSeconds: number;
  connections: number;
  postgresUrl: string | null;
}) {
  const figures: Record<string, IngestFigures> = {};

  // Warm-up and baseline: bare Fastify on the same route, same bodies, same machine, same run.
  const bare = await startChildServer('bench/bare-fastify.ts', {}, { readyPath: '/webhooks/whatsapp' });
  try {
    await load(bare.url, 2, options.connections);
    figures.baseline = await load(bare.url, options.durationSeconds, options.connections);
  } finally {
    await bare.stop();
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'coxcox-bench-'));
  const env = {
    DATA_DIR: dataDir,
    SECRET_KEY,
    ADMIN_TOKEN: 'bench-admin-token-0123456789',
    LOG_LEVEL: 'error',
  };
  try {
    const sqlite = await startChildServer('src/main.ts', env);
    try {
      await load(sqlite.url, 2, options.connections);
      figures.sqlite = await load(sqlite.url, options.durationSeconds, options.connections);
    } finally {
      await sqlite.stop();
    }
    // The same intake with no worker in the process (WORKERS=none): what storing and acknowledging cost
    // alone, apart from processing, agent turns and their status webhooks, which share the one core above.
    const intakeDir = join(dataDir, 'intake-only');
    mkdirSync(intakeDir);
    const intake = await startChildServer('src/main.ts', { ...env, DATA_DIR: intakeDir, WORKERS: 'none' });
    try {
      await load(intake.url, 2, options.connections);
      figures['sqlite intake only'] = await load(intake.url, options.durationSeconds, options.connections);
    } finally {
      await intake.stop();
    }

    if (options.postgresUrl) {
      const schema = `bench_${Date.now()}`;
      const admin = new pg.Client({ connectionString: options.postgresUrl });
      await admin.connect();
      await admin.query(`create schema "${schema}"`);
      const url = new URL(options.postgresUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      try {
        const postgres = await startChildServer('src/main.ts', { ...env, DATABASE_URL: url.toString() });
        try {
          await load(postgres.url, 2, options.connections);
          figures.postgres = await load(postgres.url, options.durationSeconds, options.connections);
        } finally {
          await postgres.stop();
        }
      } finally {
        await admin.query(`drop schema "${schema}" cascade`);
        await admin.end();
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return figures;
}

// `node bench/ingest.ts [postgres://…]` runs it alone and prints the figures.
if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await benchIngest({
    durationSeconds: Number(process.env.BENCH_SECONDS ?? 10),
    connections: 100,
    postgresUrl: process.argv[2] ?? null,
  });
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}
