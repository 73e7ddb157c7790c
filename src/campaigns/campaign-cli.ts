import { createReadStream, createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { ImportView } from '../contacts/index.ts';
import type { Coxcox } from '../coxcox.ts';

export interface CampaignCliIo {
  out(text: string): void;
  err(text: string): void;
  /** Builds Coxcox from the environment for the work, and closes it after. */
  withCoxcox<T>(work: (coxcox: Coxcox) => Promise<T>): Promise<T>;
  /** Waits between progress lines of `campaign watch` (tests make it instant). */
  sleep?(ms: number): Promise<void>;
}

const progressLine = (view: ImportView) =>
  `${view.state}: ${view.rowsRead} rows read, ${view.imported} imported, ${view.merged} merged, ${view.invalid} invalid`;

/**
 * `coxcox import FILE --tenant ID [--country BR] [--kind contacts|do_not_contact] [--format csv|json]
 * [--opt-in-source S] [--tags a,b] [--errors report.csv]`: imports a file in this process, streaming it,
 * with a progress line every second; the rejected rows go to --errors (CSV) when given.
 */
export async function runImportCli(argv: string[], io: CampaignCliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      country: { type: 'string' },
      kind: { type: 'string', default: 'contacts' },
      format: { type: 'string' },
      'opt-in-source': { type: 'string' },
      tags: { type: 'string' },
      errors: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file || !values.tenant) {
    io.err(
      'import: usage: coxcox import FILE --tenant ID [--country BR] [--kind contacts|do_not_contact] [--errors report.csv]\n',
    );
    return 2;
  }
  if (values.kind !== 'contacts' && values.kind !== 'do_not_contact') {
    io.err('import: --kind is contacts or do_not_contact\n');
    return 2;
  }
  const format = values.format ?? (/\.(json|ndjson|jsonl)$/i.test(file) ? 'json' : 'csv');
  if (format !== 'csv' && format !== 'json') {
    io.err('import: --format is csv or json (json also reads NDJSON)\n');
    return 2;
  }
  const tenantId = values.tenant;
  return io.withCoxcox(async (coxcox) => {
    await coxcox.directory.getTenant(tenantId);
    const view = await coxcox.campaigns.imports.runFromStream(
      {
        tenantId,
        kind: values.kind as 'contacts' | 'do_not_contact',
        format,
        defaultCountry: values.country?.toUpperCase() ?? null,
        optInSource: values['opt-in-source'] ?? null,
        tags: (values.tags ?? '')
          .split(',')
          .map((tag) => tag.trim())
          .filter((tag) => tag !== ''),
      },
      createReadStream(file),
      (progress) => io.out(`${progressLine(progress)}\n`),
    );
    io.out(`${view.id} ${progressLine(view)}${view.problem ? ` (${view.problem})` : ''}\n`);
    if (values.errors && view.invalid > 0) {
      const report = createWriteStream(values.errors);
      for await (const chunk of coxcox.campaigns.imports.errorReport(tenantId, view.id)) {
        if (!report.write(chunk)) await new Promise<void>((resolve) => report.once('drain', () => resolve()));
      }
      report.end();
      await finished(report);
      io.out(`the ${view.invalid} rejected rows, with their line and reason, are in ${values.errors}\n`);
    } else if (view.invalid > 0) {
      io.out(
        `the rejected rows: GET /api/v1/imports/${view.id}/errors.csv (or run again with --errors FILE)\n`,
      );
    }
    if (view.mergeConflicts > 0) {
      io.out(
        `${view.mergeConflicts} merged rows had different values; the later row's were kept. Both values: ` +
          `GET /api/v1/imports/${view.id}/merges.csv\n`,
      );
    }
    return view.state === 'completed' ? 0 : 1;
  });
}

/**
 * `coxcox campaign launch ID` launches a draft (the server's scheduler plans and sends it);
 * `coxcox campaign watch ID [--interval S]` prints its progress until it completes or is cancelled.
 */
export async function runCampaignCli(argv: string[], io: CampaignCliIo): Promise<number> {
  const [action, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { interval: { type: 'string', default: '2' } },
  });
  const id = positionals[0];
  if ((action !== 'launch' && action !== 'watch') || !id) {
    io.err('campaign: usage: coxcox campaign launch ID | coxcox campaign watch ID [--interval SECONDS]\n');
    return 2;
  }
  const intervalMs = Number(values.interval) * 1000;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    io.err('campaign watch: --interval is a number of seconds\n');
    return 2;
  }
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return io.withCoxcox(async (coxcox) => {
    // The operator's CLI acts for whichever tenant owns the campaign.
    const owner = await coxcox.store.db
      .selectFrom('campaigns')
      .select('tenant_id')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!owner) {
      io.err(`campaign ${id} was not found\n`);
      return 1;
    }
    const { campaigns } = coxcox.campaigns;
    if (action === 'launch') {
      const view = await campaigns.launch(owner.tenant_id, id);
      io.out(
        `${view.id} ${view.state}: the server's scheduler plans and sends it (coxcox campaign watch ${id})\n`,
      );
      return 0;
    }
    let lastLine = '';
    for (;;) {
      const view = await campaigns.show(owner.tenant_id, id);
      const funnel = view.state === 'draft' ? null : (await campaigns.funnel(owner.tenant_id, id)).total;
      const line = [
        `${new Date().toISOString()} ${view.state}${view.pauseReason ? ` (${view.pauseReason})` : ''}`,
        `targeted ${view.progress.targeted}`,
        ...(funnel
          ? [
              `sent ${funnel.sent}`,
              `delivered ${funnel.delivered}`,
              `read ${funnel.read}`,
              `replied ${funnel.replied}`,
              `qualified ${funnel.qualified}`,
              `opted out ${funnel.optedOut}`,
              `failed ${funnel.failed}`,
              `waiting ${funnel.waiting}`,
              `in flight ${view.progress.inFlight}`,
            ]
          : []),
      ].join(', ');
      if (line.slice(25) !== lastLine.slice(25)) io.out(`${line}\n`);
      lastLine = line;
      if (view.state === 'completed' || view.state === 'cancelled') return 0;
      await sleep(intervalMs);
    }
  });
}
