import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/contacts/parse-csv.ts';
import { type CampaignHarness, startCampaignCoxcox } from '../campaigns/campaign-harness.ts';
import { testDatabases } from '../support/databases.ts';

const databases = await testDatabases();

async function readCsv(text: string): Promise<string[][]> {
  const rows: string[][] = [];
  for await (const record of parseCsv([text])) rows.push(record.fields);
  return rows;
}

/** A São Paulo mobile number for row `index` (valid in Brazil's numbering plan). */
const phone = (index: number) =>
  `(11) 9${String(10_000_000 + index).slice(0, 4)}-${String(10_000_000 + index).slice(4)}`;
const waId = (index: number) => `55119${10_000_000 + index}`;

describe.each(databases)('contact import on $name', (database) => {
  let harness: CampaignHarness;

  beforeAll(async () => {
    harness = await startCampaignCoxcox(database);
  });
  afterAll(async () => harness?.coxcox.dispose());

  it('imports 10,000 rows, reports every bad row with its line and reason, and merges duplicates', async () => {
    // An existing contact (a customer who wrote before): the import merges into it.
    await harness.customerWrites(waId(7), 'oi');
    const lines = ['\uFEFFphone,name,tags,plan,timeZone,optInSource,optInAt'];
    const bad = new Map<number, string>();
    for (let index = 0; index < 10_000; index += 1) {
      const line = index + 2; // the header is line 1
      if (index === 100) {
        lines.push(',Nobody,,,,,');
        bad.set(line, 'missing phone number');
      } else if (index === 200) {
        lines.push('12345,Shorty,,,,,');
        bad.set(line, 'is not a valid number');
      } else if (index === 300) {
        lines.push(`${phone(index)},Zoned,,,Mars/Olympus,,`);
        bad.set(line, 'unknown time zone "Mars/Olympus"');
      } else if (index === 400) {
        lines.push(`${phone(index)},Dated,,,,web,yesterday`);
        bad.set(line, 'opt-in time "yesterday" is not a date');
      } else if (index === 500) {
        lines.push(`${phone(index)},Too,many,fields,here,,,`);
        bad.set(line, 'the row has 8 fields and the header 7');
      } else if (index === 600) {
        // A duplicate of row 0, written differently: merged, its tag and plan win.
        lines.push(
          `+55 11 9${String(10_000_000).slice(0, 4)} ${String(10_000_000).slice(4)},"Souza, Ana",vip,Gold,,,`,
        );
      } else {
        lines.push(
          `${phone(index)},Customer ${index},${index % 2 === 0 ? 'even;all' : 'odd;all'},Pro,,web_form,2026-01-0${1 + (index % 9)}T10:00:00Z`,
        );
      }
    }
    const shown = await harness.importFile(`${lines.join('\r\n')}\r\n`);
    expect(shown).toMatchObject({
      state: 'completed',
      rowsRead: 10_000,
      invalid: 5,
      imported: 9_993,
      merged: 2,
      problem: null,
    });

    const report = await harness.api('GET', `/imports/${shown.id}/errors.csv`);
    expect(report.statusCode).toBe(200);
    expect(report.headers['content-type']).toContain('text/csv');
    const rows = (await readCsv(report.body)).slice(1);
    expect(rows.map((row) => Number(row[0]))).toEqual([...bad.keys()]);
    for (const [line, reason] of bad) {
      const row = rows.find((candidate) => candidate[0] === String(line))!;
      expect(row[1], `line ${line}`).toContain(reason);
    }
    expect(rows.find((row) => row[0] === '202')![2]).toBe('12345,Shorty,,,,,');

    const db = harness.db;
    expect(
      Number(
        (
          await db
            .selectFrom('contacts')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(9_994);
    const merged = await db
      .selectFrom('contacts')
      .selectAll()
      .where('wa_id', '=', waId(0))
      .executeTakeFirstOrThrow();
    expect(merged).toMatchObject({ name: 'Souza, Ana', time_zone: 'America/Sao_Paulo', country: 'BR' });
    expect(JSON.parse(merged.fields)).toEqual({ plan: 'Gold' });
    const tags = await db
      .selectFrom('contact_tags')
      .select('tag')
      .where('contact_id', '=', merged.id)
      .orderBy('tag')
      .execute();
    expect(tags.map((tag) => tag.tag)).toEqual(['all', 'even', 'vip']);
    const existing = await db
      .selectFrom('contacts')
      .selectAll()
      .where('wa_id', '=', waId(7))
      .executeTakeFirstOrThrow();
    expect(existing.name).toBe('Customer 7');
    const consent = await db
      .selectFrom('consent_events')
      .selectAll()
      .where('contact_id', '=', existing.id)
      .execute();
    expect(consent).toEqual([
      expect.objectContaining({
        kind: 'opt_in',
        source: 'web_form',
        occurred_at: Date.parse('2026-01-08T10:00:00Z'),
      }),
    ]);
  });

  it('imports a JSON array and NDJSON, with fields, tags, opt-in and an explicit time zone', async () => {
    const records = [
      {
        phone: '+52 55 1234 5678',
        name: 'Carlos',
        tags: ['mx'],
        fields: { city: 'CDMX' },
        optIn: { source: 'checkout', proof: 'order 77' },
      },
      { phone: '+1 212 555 0147', name: 'Jo', timeZone: 'America/Los_Angeles', plan: 'Basic' },
      { phone: 'nope' },
      'not an object',
    ];
    const json = await harness.importFile(JSON.stringify(records, null, 2), 'country=MX', 'application/json');
    expect(json).toMatchObject({ state: 'completed', rowsRead: 4, imported: 2, invalid: 2 });
    const report = await readCsv((await harness.api('GET', `/imports/${json.id}/errors.csv`)).body);
    expect(report.slice(1).map((row) => [row[0], row[1]])).toEqual([
      ['22', '"nope" is not a phone number'], // the line of the record's opening brace
      ['25', 'a record must be a JSON object'],
    ]);
    const carlos = await harness.db
      .selectFrom('contacts')
      .selectAll()
      .where('wa_id', '=', '525512345678')
      .executeTakeFirstOrThrow();
    expect(carlos).toMatchObject({ country: 'MX', time_zone: 'America/Mexico_City' });
    const jo = await harness.db
      .selectFrom('contacts')
      .selectAll()
      .where('wa_id', '=', '12125550147')
      .executeTakeFirstOrThrow();
    expect(jo.time_zone).toBe('America/Los_Angeles');
    expect(JSON.parse(jo.fields)).toEqual({ plan: 'Basic' });

    const ndjson = await harness.importFile(
      '{"phone":"5511987650123","name":"Nd"}\n{"phone":\n',
      'country=BR',
      'application/x-ndjson',
    );
    expect(ndjson).toMatchObject({ state: 'completed', rowsRead: 2, imported: 1, invalid: 1 });
  });

  it('streams an upload larger than the API’s 1 MiB body limit', async () => {
    const note = 'x'.repeat(900);
    const rows = ['phone,note'];
    for (let index = 0; index < 2500; index += 1) rows.push(`+5511955${String(100_000 + index)},${note}`);
    const body = rows.join('\n');
    expect(body.length).toBeGreaterThan(2 * 2 ** 20);
    expect(await harness.importFile(body)).toMatchObject({
      state: 'completed',
      rowsRead: 2500,
      imported: 2500,
      invalid: 0,
    });
  });

  it('reports a duplicate row that changes a name or field as a merge, with both values and which was kept', async () => {
    // Numbers no other test uses (indexes far above the 10,000 rows).
    const [saved, twice, blank] = [20_001, 20_002, 20_003];
    const first = await harness.importFile(`phone,name,plan\n${phone(saved)},Ana Souza,Gold\n`);
    expect(first).toMatchObject({ imported: 1, merged: 0, mergeConflicts: 0 });

    const shown = await harness.importFile(
      [
        'phone,name,plan',
        `${phone(twice)},Bruno,Pro`, // line 2
        `${phone(blank)},Carla,`, // line 3
        `+55 11 9${String(10_000_000 + twice).slice(0, 4)} ${String(10_000_000 + twice).slice(4)},Bruno Lima,Pro`, // line 4
        `${phone(saved)},Ana S.,Silver`, // line 5: differs from the saved contact
        `${phone(blank)},,`, // line 6: blank cells replace nothing
        '',
      ].join('\n'),
    );
    expect(shown).toMatchObject({
      state: 'completed',
      imported: 2,
      merged: 3,
      mergeConflicts: 2,
      mergeRule: 'later_row_wins',
    });

    const report = await harness.api('GET', `/imports/${shown.id}/merges.csv`);
    expect(report.statusCode).toBe(200);
    expect(report.headers['content-type']).toContain('text/csv');
    expect(await readCsv(report.body)).toEqual([
      ['phone', 'field', 'kept', 'keptLine', 'replaced', 'replacedLine'],
      [waId(twice), 'name', 'Bruno Lima', '4', 'Bruno', '2'],
      [waId(saved), 'name', 'Ana S.', '5', 'Ana Souza', ''],
      [waId(saved), 'plan', 'Silver', '5', 'Gold', ''],
    ]);
    const contacts = await harness.db
      .selectFrom('contacts')
      .select(['wa_id', 'name', 'fields'])
      .where('wa_id', 'in', [waId(saved), waId(twice), waId(blank)])
      .orderBy('wa_id')
      .execute();
    expect(contacts.map((contact) => [contact.name, JSON.parse(contact.fields)])).toEqual([
      ['Ana S.', { plan: 'Silver' }],
      ['Bruno Lima', { plan: 'Pro' }],
      ['Carla', {}],
    ]);
  });

  it('fails an import without a phone column, saying so', async () => {
    const shown = await harness.importFile('name,city\nAna,Rio\n');
    expect(shown.state).toBe('failed');
    expect(shown.problem).toContain('no phone column');
  });

  it('imports a do-not-contact list that suppresses', async () => {
    const shown = await harness.importFile(
      `phone,reason\n${phone(1)},asked by phone\n${phone(1)},twice\nbad,\n`,
      'country=BR&kind=do_not_contact',
    );
    expect(shown).toMatchObject({
      kind: 'do_not_contact',
      state: 'completed',
      imported: 1,
      merged: 1,
      invalid: 1,
    });
    const list = (await harness.api('GET', '/do-not-contact')).json();
    expect(list.data).toEqual([
      expect.objectContaining({ waId: waId(1), reason: 'asked by phone', source: 'import' }),
    ]);
    const contact = await harness.db
      .selectFrom('contacts')
      .select('id')
      .where('wa_id', '=', waId(1))
      .executeTakeFirstOrThrow();
    expect((await harness.api('GET', `/contacts/${contact.id}`)).json().isDoNotContact).toBe(true);
  });
});
