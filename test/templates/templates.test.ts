import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_WABA_ID } from '../../src/coxcox.ts';
import { checkMapping, templateShape } from '../../src/templates/template-parameters.ts';
import { type CampaignHarness, startCampaignCoxcox } from '../campaigns/campaign-harness.ts';
import { testDatabases } from '../support/databases.ts';

const databases = await testDatabases();

describe('template parameters', () => {
  it('reads positional and named placeholders, media headers and URL buttons', () => {
    const shape = templateShape(
      [
        { type: 'HEADER', format: 'IMAGE' },
        { type: 'BODY', text: 'Hi {{2}}, {{1}} and {{2}} again' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'URL', text: 'Go', url: 'https://x.test/{{1}}' },
            { type: 'COPY_CODE', text: 'Copy' },
          ],
        },
      ],
      null,
    );
    expect(shape).toMatchObject({ parameterFormat: 'positional', header: ['media'], body: ['1', '2'] });
    expect(shape.buttons).toEqual([
      { index: 0, type: 'URL', parameters: ['1'] },
      { index: 1, type: 'COPY_CODE', parameters: ['1'] },
    ]);
    expect(
      checkMapping(
        shape,
        {
          header: [{ image: { link: 'https://x.test/a.png' } }],
          body: ['name', 'phone'],
          buttons: { '0': ['waId'], '1': [{ text: 'SAVE10' }] },
        },
        'p',
      ),
    ).toEqual([]);
    expect(
      checkMapping(
        shape,
        { header: ['name'], body: ['name', 'phone'], buttons: { '0': ['waId'], '1': ['x'] } },
        'p',
      ),
    ).toEqual(["p.header: the template's header is IMAGE; map it to { image: { link } }"]);
    expect(templateShape([{ type: 'BODY', text: 'Hi {{first_name}}' }], null).parameterFormat).toBe('named');
  });
});

describe.each(databases)('templates on $name', (database) => {
  let harness: CampaignHarness;

  beforeAll(async () => {
    harness = await startCampaignCoxcox(database);
    await harness.importFile('phone,name,plan\n+5511987650001,Ana Souza,Gold\n');
  });
  afterAll(async () => harness?.coxcox.dispose());

  it('lists the synced templates with the parameters a campaign must map', async () => {
    const list = (await harness.api('GET', '/templates')).json().data;
    expect(list.map((template: { name: string }) => template.name).sort()).toEqual([
      'follow_up',
      'named_offer',
      'spring_offer',
      'spring_offer_b',
    ]);
    const offer = list.find((template: { name: string }) => template.name === 'spring_offer');
    expect(offer).toMatchObject({
      status: 'APPROVED',
      category: 'MARKETING',
      parameters: {
        header: ['1'],
        body: ['1', '2'],
        buttons: [{ index: 1, type: 'URL', parameters: ['1'] }],
      },
    });
  });

  it('creates a template in the WABA, keeps it PENDING until Meta approves it, and refuses to launch it before', async () => {
    const created = await harness.api('POST', '/templates', {
      name: 'winter_offer',
      category: 'MARKETING',
      language: 'pt_BR',
      components: [{ type: 'BODY', text: 'Oi {{1}}, chegou o inverno!' }],
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ status: 'PENDING', wabaId: SANDBOX_WABA_ID });
    const duplicate = await harness.api('POST', '/templates', {
      name: 'winter_offer',
      category: 'MARKETING',
      language: 'pt_BR',
      components: [{ type: 'BODY', text: 'x' }],
    });
    expect(duplicate.json().error.code).toBe('validation_failed');

    const campaign = await harness.api('POST', '/campaigns', {
      name: 'Winter',
      templateId: created.json().id,
      parameters: { body: ['firstName'] },
    });
    expect(campaign.statusCode).toBe(201);
    const launch = await harness.api('POST', `/campaigns/${campaign.json().id}/launch`);
    expect(launch.statusCode).toBe(400);
    expect(launch.json().error.message).toContain('winter_offer (pt_BR) is PENDING');

    harness.graph.setTemplateStatus(SANDBOX_WABA_ID, 'winter_offer', 'pt_BR', 'APPROVED');
    await harness.api('POST', '/templates/sync');
    expect((await harness.api('GET', `/templates/${created.json().id}`)).json().status).toBe('APPROVED');
    expect((await harness.api('POST', `/campaigns/${campaign.json().id}/launch`)).statusCode).toBe(200);
  });

  it('previews a template with given values, with Meta’s samples, and for a contact through a mapping', async () => {
    const id = await harness.templateId('spring_offer');
    const given = await harness.api('POST', `/templates/${id}/preview`, {
      values: { header: ['Ana'], body: ['Ana', 'Gold'], buttons: { '1': ['abc'] } },
    });
    expect(given.json()).toMatchObject({
      header: 'Oferta para Ana',
      body: 'Olá Ana! O plano Gold está com desconto. Quer saber mais?',
      footer: 'Responda PARAR para não receber mais',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Quero saber', url: null },
        { type: 'URL', text: 'Ver', url: 'https://example.com/o/abc' },
      ],
      problems: [],
    });
    const samples = await harness.api('POST', `/templates/${id}/preview`);
    expect(samples.json().body).toBe('Olá Ana! O plano Pro está com desconto. Quer saber mais?');
    const contact = await harness.db.selectFrom('contacts').select('id').executeTakeFirstOrThrow();
    const mapped = await harness.api('POST', `/templates/${id}/preview`, {
      contactId: contact.id,
      parameters: {
        header: ['firstName'],
        body: ['firstName', { field: 'plan' }],
        buttons: { '1': ['waId'] },
      },
    });
    expect(mapped.json()).toMatchObject({
      header: 'Oferta para Ana',
      body: 'Olá Ana! O plano Gold está com desconto. Quer saber mais?',
    });
    const wrong = await harness.api('POST', `/templates/${id}/preview`, {
      parameters: { body: ['firstName'] },
    });
    expect(wrong.json().problems.length).toBeGreaterThan(0);
  });
});
