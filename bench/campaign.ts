// The campaign benchmark: import, plan and send a 100,000-contact campaign against the in-memory Graph
// client. `node bench/campaign.ts [--contacts N] [--send-seconds S] [--database postgres://…]` prints the
// figures; bench/run.ts calls benchCampaign().

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readCampaign } from '../src/campaigns/campaign-definition.ts';
import { planCampaign } from '../src/campaigns/plan-campaign.ts';
import { parseConfig } from '../src/config.ts';
import { createCoxcox, SANDBOX_TENANT_ID, SANDBOX_WABA_ID, sandboxSecret } from '../src/coxcox.ts';
import { createLogger } from '../src/http/create-logger.ts';
import { FakeGraphClient } from '../src/whatsapp/graph/fake-graph-client.ts';

export interface CampaignBenchOptions {
  /** Contacts imported and targeted (100,000 by default). */
  contacts?: number;
  /** How long to send for before measuring the rate (20 s by default); everything is sent if sooner. */
  sendSeconds?: number;
  /** A postgres:// URL, or SQLite in a temporary directory when omitted. */
  databaseUrl?: string;
}

export interface CampaignBenchFigures {
  database: 'sqlite' | 'postgres';
  contacts: number;
  /** Streaming CSV import into contacts, tags and the consent ledger. */
  importSeconds: number;
  importRowsPerSecond: number;
  /** Planning: the audience INSERT … SELECT, A/B split and counts. */
  planSeconds: number;
  /** Messages the Graph client accepted per second, through scheduler, outbox and dispatcher (paced at 1,000/s). */
  sendRate: number;
  sent: number;
  /** The process's peak resident memory during the whole run, in MB. */
  peakRssMb: number;
  /** Resident memory once Coxcox was up, before any import: the peak minus this is what the run added. */
  baselineRssMb: number;
}

/** A CSV of `count` São Paulo mobile numbers, made in pieces so the file is never whole in memory. */
async function* csv(count: number): AsyncGenerator<string> {
  yield 'phone,name,tags,plan\n';
  for (let start = 0; start < count; start += 5000) {
    const lines: string[] = [];
    for (let index = start; index < Math.min(count, start + 5000); index += 1) {
      lines.push(`+55119${10_000_000 + index},Cliente ${index},bench,${index % 2 === 0 ? 'Gold' : 'Pro'}\n`);
    }
    yield lines.join('');
  }
}

export async function benchCampaign(options: CampaignBenchOptions = {}): Promise<CampaignBenchFigures> {
  const contacts = options.contacts ?? 100_000;
  const sendSeconds = options.sendSeconds ?? 20;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const dataDir = mkdtempSync(join(tmpdir(), 'coxcox-bench-campaign-'));
  const isPostgres = options.databaseUrl?.startsWith('postgres') ?? false;
  const config = parseConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: options.databaseUrl ?? `sqlite:${join(dataDir, 'coxcox.sqlite')}`,
    ADMIN_TOKEN: 'bench-admin-token-0123456789',
    SECRET_KEY: '42'.repeat(32),
    LOG_LEVEL: 'silent',
  });
  const schema = `bench_campaign_${Date.now()}`;
  const graph = new FakeGraphClient();
  const coxcox = await createCoxcox(config, {
    logger: createLogger('silent'),
    graph,
    ...(isPostgres ? { postgresSchema: schema } : {}),
  });
  const { db, flags } = coxcox.store;
  const baselineRss = process.memoryUsage().rss;
  try {
    // Meta's highest throughput (1,000 messages/s) and no daily tier: the benchmark measures Coxcox.
    await db
      .updateTable('phone_numbers')
      .set({ messaging_tier: 'TIER_UNLIMITED', throughput_mps: 1000 })
      .execute();
    const access = {
      accessToken: sandboxSecret(config.secretKey, 'access token'),
      graphApiUrl: 'https://fake.invalid',
      graphApiVersion: 'v23.0',
    };
    await graph.createTemplate(access, SANDBOX_WABA_ID, {
      name: 'bench_offer',
      category: 'MARKETING',
      language: 'pt_BR',
      components: [{ type: 'BODY', text: 'Olá {{1}}, o plano {{2}} está com desconto!' }],
    });
    graph.setTemplateStatus(SANDBOX_WABA_ID, 'bench_offer', 'pt_BR', 'APPROVED');
    const [template] = await coxcox.campaigns.templates.sync(SANDBOX_TENANT_ID);

    let started = performance.now();
    const imported = await coxcox.campaigns.imports.runFromStream(
      {
        tenantId: SANDBOX_TENANT_ID,
        kind: 'contacts',
        format: 'csv',
        defaultCountry: 'BR',
        optInSource: 'bench',
        tags: [],
      },
      csv(contacts),
    );
    const importSeconds = (performance.now() - started) / 1000;
    if (imported.imported !== contacts) throw new Error(`imported ${imported.imported} of ${contacts}`);

    const campaign = await coxcox.campaigns.campaigns.create(SANDBOX_TENANT_ID, {
      name: 'Bench',
      variants: [
        { name: 'A', templateId: template!.id, parameters: { body: ['firstName', { field: 'plan' }] } },
        { name: 'B', templateId: template!.id, parameters: { body: ['name', { text: 'Max' }] } },
      ],
      audience: { tags: ['bench'], fields: [{ field: 'plan', in: ['Gold', 'Pro'] }] },
      sendingHours: { from: '00:00', until: '23:59' },
      timeZone: 'America/Sao_Paulo',
    });
    started = performance.now();
    const plan = await planCampaign(
      db,
      flags,
      readCampaign(await coxcox.campaigns.campaigns.row(SANDBOX_TENANT_ID, campaign.id)),
      Date.now(),
    );
    const planSeconds = (performance.now() - started) / 1000;
    if (plan.targeted !== contacts) throw new Error(`planned ${plan.targeted} of ${contacts}`);
    await db
      .updateTable('campaigns')
      .set({ state: 'running', launched_at: Date.now(), next_tick_at: Date.now() })
      .where('id', '=', campaign.id)
      .execute();

    // The scheduler and the dispatcher run as the workers would, in this process.
    coxcox.startWorkers();
    started = performance.now();
    const deadline = started + sendSeconds * 1000;
    while (graph.sent.length < contacts && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const elapsedSeconds = (performance.now() - started) / 1000;
    const sent = graph.sent.length;
    return {
      database: flags.name,
      contacts,
      importSeconds: round(importSeconds, 2),
      importRowsPerSecond: Math.round(contacts / importSeconds),
      planSeconds: round(planSeconds, 2),
      sendRate: Math.round(sent / elapsedSeconds),
      sent,
      peakRssMb: Math.round(peakRss / 2 ** 20),
      baselineRssMb: Math.round(baselineRss / 2 ** 20),
    };
  } finally {
    clearInterval(sampler);
    await coxcox.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (isPostgres) {
      const pg = await import('pg');
      const client = new pg.default.Client({ connectionString: options.databaseUrl });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    }
  }
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      contacts: { type: 'string' },
      'send-seconds': { type: 'string' },
      database: { type: 'string' },
    },
  });
  const figures = await benchCampaign({
    ...(values.contacts ? { contacts: Number(values.contacts) } : {}),
    ...(values['send-seconds'] ? { sendSeconds: Number(values['send-seconds']) } : {}),
    ...(values.database ? { databaseUrl: values.database } : {}),
  });
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}
