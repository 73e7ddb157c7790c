import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/tenant-webhooks/index.ts';
import { type CampaignHarness, startCampaignCoxcox } from '../campaigns/campaign-harness.ts';
import { testDatabases } from '../support/databases.ts';

const databases = await testDatabases();

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A tenant's system: records what it receives, and answers 500 to the first `failures` requests. */
async function startReceiver() {
  const received: Received[] = [];
  let failures = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = failures > 0 ? 500 : 200;
      failures = Math.max(0, failures - 1);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/coxcox`,
    received,
    failNext: (count: number) => {
      failures = count;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(databases)('signed webhooks to the tenant’s systems on $name', (database) => {
  let harness: CampaignHarness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let secret: string;
  let endpointId: string;

  beforeAll(async () => {
    harness = await startCampaignCoxcox(database, { allowPrivateNetworkTargets: true });
    receiver = await startReceiver();
    expect(
      await harness.importFile('phone,name,tags\n+5541987650001,Ana Lima,hooks\n+5541987650002,Beto,hooks\n'),
    ).toMatchObject({ imported: 2 });
  });
  afterAll(async () => {
    await receiver?.close();
    await harness?.coxcox.dispose();
  });

  it('refuses endpoints on private networks unless allowed, and unknown events', async () => {
    const strict = await startCampaignCoxcox(database);
    try {
      const refused = await strict.api('POST', '/webhook-endpoints', { url: 'http://10.0.0.5/hook' });
      expect(refused.json().error.code).toBe('validation_failed');
    } finally {
      await strict.coxcox.dispose();
    }
    const unknown = await harness.api('POST', '/webhook-endpoints', {
      url: receiver.url,
      events: ['lead.lost'],
    });
    expect(unknown.statusCode).toBe(400);
  });

  it('signs each event, retries a failed delivery with backoff, and logs every attempt', async () => {
    const created = await harness.api('POST', '/webhook-endpoints', { url: receiver.url });
    expect(created.statusCode).toBe(201);
    secret = created.json().secret;
    endpointId = created.json().id;
    expect(secret).toMatch(/^whsec_/);
    expect((await harness.api('GET', '/webhook-endpoints')).json().data[0]).not.toHaveProperty('secret');

    receiver.failNext(1);
    const contact = await harness.db
      .selectFrom('contacts')
      .select('id')
      .where('wa_id', '=', '5541987650002')
      .executeTakeFirstOrThrow();
    await harness.api('POST', `/contacts/${contact.id}/opt-out`, { scope: 'all', reason: 'by phone' });
    await harness.coxcox.campaigns.jobs.drain();
    expect(receiver.received).toHaveLength(1);
    let log = (await harness.api('GET', `/webhook-endpoints/${endpointId}/deliveries`)).json().data;
    expect(log[0]).toMatchObject({
      event: 'contact.opted_out',
      state: 'pending',
      attempts: 1,
      responseStatus: 500,
    });

    harness.clock.set(new Date(harness.clock.now() + 11_000).toISOString()); // the first retry waits 10 s
    await harness.coxcox.campaigns.jobs.drain();
    expect(receiver.received).toHaveLength(2);
    log = (await harness.api('GET', `/webhook-endpoints/${endpointId}/deliveries`)).json().data;
    expect(log[0]).toMatchObject({
      event: 'contact.opted_out',
      state: 'delivered',
      attempts: 2,
      responseStatus: 200,
    });

    const delivery = receiver.received[1]!;
    const header = String(delivery.headers['x-coxcox-signature']);
    const timestamp = Number(/^t=(\d+),v1=[0-9a-f]{64}$/.exec(header)![1]);
    expect(header).toBe(signWebhook(secret, delivery.body, timestamp));
    expect(delivery.headers['x-coxcox-event']).toBe('contact.opted_out');
    expect(JSON.parse(delivery.body)).toMatchObject({
      type: 'contact.opted_out',
      data: { contactId: contact.id, waId: '5541987650002', scope: 'all', source: 'api' },
    });
  });

  it('tells of a qualified lead once and of a completed campaign', async () => {
    const created = await harness.api('POST', '/campaigns', {
      name: 'Hooks',
      templateId: await harness.templateId('follow_up'),
      parameters: { body: ['firstName'] },
      audience: { tags: ['hooks'] },
    });
    const id = created.json().id;
    await harness.api('POST', `/campaigns/${id}/launch`);
    await harness.runCampaigns();
    expect(harness.sentTo('5541987650001')).toHaveLength(1);
    expect(harness.sentTo('5541987650002')).toHaveLength(0); // opted out above
    await harness.customerWrites('5541987650001', 'Tenho interesse sim');
    await harness.db
      .updateTable('conversations')
      .set({ outcome: 'qualified', lead_fields: '{"budget":"5k"}' })
      .where('campaign_id', '=', id)
      .execute();
    await harness.tickNow();
    await harness.runCampaigns();
    await harness.tickNow();
    await harness.runCampaigns();
    expect((await harness.api('GET', `/campaigns/${id}`)).json().state).toBe('completed');
    await harness.coxcox.campaigns.jobs.drain();
    const events = receiver.received.map(
      (item) => JSON.parse(item.body) as { type: string; data: Record<string, unknown> },
    );
    const leads = events.filter((event) => event.type === 'lead.qualified');
    expect(leads).toHaveLength(1);
    expect(leads[0]!.data).toMatchObject({
      campaignId: id,
      waId: '5541987650001',
      leadFields: { budget: '5k' },
    });
    const completed = events.filter((event) => event.type === 'campaign.completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]!.data).toMatchObject({
      campaignId: id,
      funnel: { targeted: 1, sent: 1, replied: 1, qualified: 1 },
    });
    const all = (await harness.api('GET', '/outbound-deliveries')).json().data;
    expect(all.every((delivery: { state: string }) => delivery.state === 'delivered')).toBe(true);
  });

  it('stops sending to a deleted endpoint', async () => {
    expect((await harness.api('DELETE', `/webhook-endpoints/${endpointId}`)).statusCode).toBe(204);
    const before = receiver.received.length;
    const contact = await harness.db
      .selectFrom('contacts')
      .select('id')
      .where('wa_id', '=', '5541987650001')
      .executeTakeFirstOrThrow();
    await harness.api('POST', `/contacts/${contact.id}/opt-out`, { scope: 'all' });
    await harness.coxcox.campaigns.jobs.drain();
    expect(receiver.received).toHaveLength(before);
  });
});
