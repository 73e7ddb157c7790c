import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { testDatabases } from '../support/databases.ts';
import { makePdf } from '../support/make-pdf.ts';
import { admin, startAgentCoxcox } from './agent-harness.ts';
import { call, RecordingModel } from './recording-model.ts';

const databases = await testDatabases();

const catalog = `# Solar Co handbook

## Prices
The Basic plan costs 49 USD a month and covers up to 6 panels.
The Premium plan costs 99 USD a month, with battery storage included.

## Installation
Installation takes two days. Our team brings the scaffolding and cleans up afterwards.

## Warranty
Every panel has a 25-year performance warranty; inverters are covered for 10 years.

## Company
Solar Co was founded in 2009 in Campinas and has installed more than 12,000 roofs.`;

const portuguese = `## Preços
O plano básico custa R$ 199 por mês, com instalação grátis.

## Financiamento
Parcelamos em até 60 vezes sem entrada.`;

describe.each(databases)('knowledge base on $name', (database) => {
  let harness: Awaited<ReturnType<typeof startAgentCoxcox>>;
  const model = new RecordingModel(() => ({ replies: ['ok'], toolCalls: [] }));
  const url = (path: string, tenantId = SANDBOX_TENANT_ID) =>
    `/api/v1/agent/knowledge${path}${path.includes('?') ? '&' : '?'}tenantId=${tenantId}`;
  const search = async (q: string, tenantId = SANDBOX_TENANT_ID) => {
    const response = await harness.api('GET', url(`/search?q=${encodeURIComponent(q)}`, tenantId));
    expect(response.statusCode).toBe(200);
    return response.json().data as Array<{ documentId: string; title: string; text: string; score: number }>;
  };
  let catalogId: string;

  beforeAll(async () => {
    harness = await startAgentCoxcox(database, model);
    await harness.coxcox.directory.createTenant({ id: 'other', name: 'Other Co' });
  });
  afterAll(async () => harness?.coxcox.dispose());

  it('stores Markdown and plain text bodies, and JSON, split into passages under their headings', async () => {
    const markdown = await harness.coxcox.app.inject({
      method: 'POST',
      url: url(''),
      headers: { ...admin, 'content-type': 'text/markdown' },
      payload: catalog,
    });
    expect(markdown.statusCode).toBe(201);
    expect(markdown.json()).toMatchObject({ title: 'Solar Co handbook', contentType: 'text/markdown' });
    expect(markdown.json().chunkCount).toBeGreaterThanOrEqual(4);
    catalogId = markdown.json().id;

    const json = await harness.api('POST', url(''), { title: 'Preços e financiamento', content: portuguese });
    expect(json.statusCode).toBe(201);
    const plain = await harness.coxcox.app.inject({
      method: 'POST',
      url: url('?title=Opening%20hours'),
      headers: { ...admin, 'content-type': 'text/plain' },
      payload: 'We answer Monday to Friday, 9:00 to 18:00.',
    });
    expect(plain.json()).toMatchObject({ title: 'Opening hours', contentType: 'text/plain', chunkCount: 1 });
    // Another tenant's document with the same words must never show up for this one.
    await harness.api('POST', url('', 'other'), {
      title: 'Other prices',
      content: 'The Premium plan costs 5 USD a month.',
    });

    const listed = (await harness.api('GET', url(''))).json().data;
    expect(listed.map((document: { title: string }) => document.title)).toEqual(
      expect.arrayContaining(['Solar Co handbook', 'Preços e financiamento', 'Opening hours']),
    );
    expect(listed).toHaveLength(3);
    const shown = (await harness.api('GET', url(`/${catalogId}`))).json();
    expect(shown.body).toBe(catalog);
  });

  it('ranks the passage that answers the question first', async () => {
    const premium = await search('How much does the Premium plan cost per month?');
    expect(premium[0]!.text).toContain('Premium plan costs 99 USD');
    expect(premium.some((passage) => passage.text.includes('5 USD'))).toBe(false);
    expect((await search('warranty years inverter'))[0]!.text).toContain('25-year performance warranty');
    expect((await search('how long is the installation?'))[0]!.text).toContain('Installation takes two days');
    expect((await search('when was the company founded'))[0]!.text).toContain('founded in 2009');
    // Accents and case do not matter; Portuguese finds Portuguese.
    expect((await search('qual o PRECO do plano basico?'))[0]!.text).toContain('R$ 199');
    expect((await search('parcelamento financiamento'))[0]!.text).toContain('60 vezes');
    // Headings travel with their passage.
    expect(premium[0]!.text.startsWith('Prices')).toBe(true);
    // The other tenant sees only its own.
    const other = await search('Premium plan cost', 'other');
    expect(other).toHaveLength(1);
    expect(other[0]!.text).toContain('5 USD');
    expect(await search('the of and')).toEqual([]);
  });

  it('gives the agent the best passages for the customer’s messages', async () => {
    await harness.customerWrites('5511900002001', 'Hi! What does the premium plan cost?');
    await harness.runTurns();
    const input = model.inputs.at(-1)!;
    expect(input.knowledge[0]).toMatchObject({ documentId: catalogId, title: 'Solar Co handbook' });
    expect(input.knowledge[0]!.text).toContain('99 USD');
    expect(input.knowledge.length).toBeLessThanOrEqual(3);
  });

  it('sends a media asset from the knowledge base through the send_media tool', async () => {
    const asset = await harness.api('POST', url(''), {
      title: 'Product brochure',
      content: 'The brochure with photos of installed roofs and the full price table.',
      mediaUrl: 'https://cdn.example.com/solar/brochure.pdf',
      mediaKind: 'document',
    });
    expect(asset.statusCode).toBe(201);
    const documentId = asset.json().id;
    model.decide = (_input, previous) =>
      previous.length === 0
        ? {
            replies: ['Here is our brochure:'],
            toolCalls: [call('send_media', { documentId }), call('send_media', { documentId: 'nope' })],
          }
        : { replies: [], toolCalls: [] };
    await harness.customerWrites('5511900002002', 'can you send me the brochure?');
    await harness.runTurns();
    await harness.sendAll();
    const sent = harness.graph.sent.filter((message) => message.message.to === '+5511900002002');
    expect(sent.map((message) => message.message.type)).toEqual(['text', 'document']);
    expect(sent[1]!.body).toMatchObject({
      type: 'document',
      document: { link: 'https://cdn.example.com/solar/brochure.pdf', filename: 'Product brochure' },
    });
    const conversation = await harness.conversationOf('5511900002002');
    const [turn] = (await harness.api('GET', `/api/v1/conversations/${conversation.id}/turns`)).json().data;
    expect(turn.toolCalls[1]).toMatchObject({ name: 'send_media', isError: true });
  });

  it('deletes a document and its passages', async () => {
    const response = await harness.api('DELETE', url(`/${catalogId}`));
    expect(response.statusCode).toBe(204);
    expect((await harness.api('GET', url(`/${catalogId}`))).statusCode).toBe(404);
    expect((await search('Premium plan cost')).some((passage) => passage.documentId === catalogId)).toBe(
      false,
    );
    expect((await harness.api('DELETE', url(`/${catalogId}`))).statusCode).toBe(404);
  });

  it('reads a PDF’s text into passages the agent can find, under the PDF’s own title', async () => {
    const pdf = makePdf(
      [
        'Solar Co warranty terms',
        'Batteries carry an eight-year replacement guarantee from the day of installation.',
        'Claims go through the customer portal within thirty days.',
      ],
      'Warranty terms (2026)',
    );
    const response = await harness.coxcox.app.inject({
      method: 'POST',
      url: url(''),
      headers: { ...admin, 'content-type': 'application/pdf' },
      payload: pdf,
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ title: 'Warranty terms (2026)', contentType: 'text/plain' });
    const hits = await search('battery replacement guarantee');
    expect(hits[0]?.documentId).toBe(response.json().id);
    expect(hits[0]?.text).toContain('eight-year replacement guarantee');
  });

  it('refuses a PDF it cannot read, and one with no text layer, saying what to do', async () => {
    const broken = await harness.coxcox.app.inject({
      method: 'POST',
      url: url(''),
      headers: { ...admin, 'content-type': 'application/pdf' },
      payload: Buffer.from('%PDF-1.7 not really a pdf'),
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.code).toBe('validation_failed');
    expect(broken.json().error.message).toContain('PDF could not be read');
    const scan = await harness.coxcox.app.inject({
      method: 'POST',
      url: url(''),
      headers: { ...admin, 'content-type': 'application/pdf' },
      payload: makePdf([]),
    });
    expect(scan.statusCode).toBe(400);
    expect(scan.json().error.message).toContain('no text layer');
  });
});
