import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCampaignCli, runImportCli } from '../../src/campaigns/campaign-cli.ts';
import type { Coxcox } from '../../src/coxcox.ts';
import { SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { sqliteDatabase } from '../support/databases.ts';
import { type CampaignHarness, startCampaignCoxcox } from './campaign-harness.ts';

describe('the campaigns CLI', () => {
  let harness: CampaignHarness;
  const output: string[] = [];
  const errors: string[] = [];
  const io = () => ({
    out: (text: string) => output.push(text),
    err: (text: string) => errors.push(text),
    withCoxcox: <T>(work: (coxcox: Coxcox) => Promise<T>) => work(harness.coxcox),
    // Between two progress lines, the server's workers would plan and send: here the test runs them.
    sleep: async () => {
      await harness.tickNow();
      await harness.runCampaigns();
    },
  });

  beforeAll(async () => {
    harness = await startCampaignCoxcox(sqliteDatabase);
  });
  afterAll(async () => harness?.coxcox.dispose());

  it('imports a file with progress, and writes the rejected rows to a report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coxcox-cli-'));
    const file = join(dir, 'contacts.csv');
    writeFileSync(file, 'telefone;nome;tags\n11987650001;Ana;cli\n11987650002;Beto;cli\n123;Bad;cli\n');
    const report = join(dir, 'errors.csv');
    const code = await runImportCli(
      [file, '--tenant', SANDBOX_TENANT_ID, '--country', 'BR', '--errors', report],
      io(),
    );
    expect(code).toBe(0);
    expect(output.join('')).toMatch(/imp_\S+ completed: 3 rows read, 2 imported, 0 merged, 1 invalid/);
    expect(readFileSync(report, 'utf8')).toBe(
      'line,reason,row\r\n4,"""123"" is not a valid number in BR",123;Bad;cli\r\n',
    );
    expect(await runImportCli([file], io())).toBe(2);
  });

  it('launches a campaign and watches it until it completes', async () => {
    const created = await harness.api('POST', '/campaigns', {
      name: 'CLI',
      templateId: await harness.templateId('follow_up'),
      parameters: { body: ['firstName'] },
      audience: { tags: ['cli'] },
    });
    const id = created.json().id;
    output.length = 0;
    expect(await runCampaignCli(['launch', id], io())).toBe(0);
    expect(output.join('')).toContain(`${id} planning`);
    output.length = 0;
    expect(await runCampaignCli(['watch', id, '--interval', '0.01'], io())).toBe(0);
    const lines = output.join('').trim().split('\n');
    expect(lines.at(-1)).toMatch(/completed, targeted 2, sent 2/);
    expect(await runCampaignCli(['watch', 'cmp_nope'], io())).toBe(1);
    expect(await runCampaignCli(['stop', id], io())).toBe(2);
  });
});
