import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variantFor } from '../../src/campaigns/plan-campaign.ts';
import { testDatabases } from '../support/databases.ts';
import { type CampaignHarness, startCampaignCoxcox } from './campaign-harness.ts';

const databases = await testDatabases();

const waId = (index: number) => `55119${10_000_000 + index}`;
const MARKETING_PRICING = { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' };

/**
 * One campaign from import to funnel on a pinned clock: sending hours in two time zones, A/B variants,
 * a follow-up after 24 h, replies, opt-outs of every kind, a do-not-contact entry, failures, a qualified
 * lead, and a funnel that matches exactly what the fake Graph API accepted and the webhooks said.
 */
describe.each(databases)('a campaign from import to funnel on $name', (database) => {
  let harness: CampaignHarness;
  let campaignId: string;
  const contactIds = new Map<string, string>();
  const templateOf = (to: string) =>
    harness
      .sentTo(to)
      .map((sent) => (sent.message.type === 'template' ? sent.message.template.name : sent.message.type));

  beforeAll(async () => {
    harness = await startCampaignCoxcox(database);
    const rows = ['phone,name,tags,plan,timeZone'];
    for (let index = 0; index < 12; index += 1)
      rows.push(`+${waId(index)},Cliente ${index},spring,${index % 3 === 0 ? '' : 'Gold'},`);
    for (const index of [20, 21, 22]) rows.push(`+${waId(index)},Tokyo ${index},spring,Gold,Asia/Tokyo`);
    rows.push(`+${waId(30)},Outsider,autumn,Gold,`);
    const imported = await harness.importFile(rows.join('\n'));
    expect(imported).toMatchObject({ imported: 16, invalid: 0 });
    for (const row of await harness.db.selectFrom('contacts').select(['id', 'wa_id']).execute())
      contactIds.set(row.wa_id!, row.id);
  });
  afterAll(async () => harness?.coxcox.dispose());

  it('plans the audience minus opt-outs and do-not-contact, and sends only where it is daytime', async () => {
    const { api } = harness;
    expect(
      (
        await api('POST', `/contacts/${contactIds.get(waId(11))}/opt-out`, {
          scope: 'all',
          reason: 'asked on the phone',
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await api('POST', '/do-not-contact', { phones: [`+${waId(10)}`], reason: 'legal' })).json(),
    ).toMatchObject({ added: 1 });
    expect(
      (await api('PUT', '/consent-settings', { pricesUsd: { marketing: 0.05, utility: 0.01 } })).statusCode,
    ).toBe(200);

    const created = await api('POST', '/campaigns', {
      name: 'Spring',
      variants: [
        {
          name: 'A',
          templateId: await harness.templateId('spring_offer'),
          parameters: {
            header: ['firstName'],
            body: ['firstName', { field: 'plan', fallback: 'Pro' }],
            buttons: { '1': ['waId'] },
          },
        },
        {
          name: 'B',
          templateId: await harness.templateId('spring_offer_b'),
          parameters: { body: ['firstName'] },
        },
      ],
      followUps: [
        {
          afterHours: 24,
          templateId: await harness.templateId('follow_up'),
          parameters: { body: ['firstName'] },
        },
      ],
      audience: { tags: ['spring'] },
      timeZone: 'America/Sao_Paulo',
    });
    expect(created.statusCode, created.body).toBe(201);
    campaignId = created.json().id;
    expect(created.json()).toMatchObject({ state: 'draft', sendingHours: { from: '09:00', until: '20:00' } });
    expect((await api('POST', `/campaigns/${campaignId}/launch`)).json().state).toBe('planning');

    await harness.runCampaigns();
    const shown = (await api('GET', `/campaigns/${campaignId}`)).json();
    expect(shown).toMatchObject({ state: 'running', progress: { targeted: 13, suppressedAtPlanning: 2 } });

    // 12:00 in São Paulo, midnight in Tokyo: only the ten Brazilian contacts.
    const sent = harness.graph.sent.filter((item) => item.message.type === 'template');
    expect(sent.map((item) => item.message.to.replace(/\D/g, '')).sort()).toEqual(
      Array.from({ length: 10 }, (_, index) => waId(index)).sort(),
    );
    for (const item of sent) {
      const to = item.message.to.replace(/\D/g, '');
      const index = Number(to.slice(-2));
      const variant = variantFor(contactIds.get(to)!, [
        { name: 'A', weight: 1 },
        { name: 'B', weight: 1 },
      ]);
      if (item.message.type !== 'template') continue;
      expect(item.message.template.name).toBe(variant === 'A' ? 'spring_offer' : 'spring_offer_b');
      expect(item.body).toMatchObject({ biz_opaque_callback_data: expect.stringMatching(/^out_/) });
      if (variant === 'A') {
        expect(item.message.template.components).toEqual([
          { type: 'header', parameters: [{ type: 'text', text: 'Cliente' }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Cliente' },
              { type: 'text', text: index % 3 === 0 ? 'Pro' : 'Gold' },
            ],
          },
          { type: 'button', subType: 'url', index: 1, parameters: [{ type: 'text', text: to }] },
        ]);
      }
    }
    // The agent answers in the campaign's conversations.
    const conversation = await harness.db
      .selectFrom('conversations')
      .select(['campaign_id'])
      .where('contact_id', '=', contactIds.get(waId(0))!)
      .executeTakeFirstOrThrow();
    expect(conversation.campaign_id).toBe(campaignId);
  });

  it('applies statuses, replies, keyword and Meta opt-outs and failures as they come', async () => {
    const first = (index: number) => harness.sentTo(waId(index))[0]!;
    await harness.statusesArrive(
      Array.from({ length: 8 }, (_, index) => ({
        sent: first(index),
        status: 'sent',
        pricing: MARKETING_PRICING,
      })),
    );
    await harness.statusesArrive(
      Array.from({ length: 8 }, (_, index) => ({ sent: first(index), status: 'delivered' })),
    );
    // Read before delivered is normal for an open chat; a duplicate read changes nothing.
    await harness.statusesArrive(
      Array.from({ length: 6 }, (_, index) => ({ sent: first(index), status: 'read' })),
    );
    await harness.statusesArrive([{ sent: first(0), status: 'read' }]);
    await harness.statusesArrive([
      {
        sent: first(8),
        status: 'failed',
        errors: [
          {
            code: 131050,
            title:
              'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages',
          },
        ],
      },
      { sent: first(9), status: 'failed', errors: [{ code: 131026, title: 'Message undeliverable' }] },
    ]);
    await harness.customerWrites(waId(0), 'Quero saber mais!');
    await harness.customerWrites(waId(1), 'Parar');
    // An opt-out after planning, before the contact's turn (Tokyo is still asleep).
    await harness.api('POST', `/contacts/${contactIds.get(waId(22))}/opt-out`, { scope: 'all' });
    // The agent qualifies the lead that replied.
    await harness.db
      .updateTable('conversations')
      .set({ outcome: 'qualified' })
      .where('contact_id', '=', contactIds.get(waId(0))!)
      .execute();

    const contact = (index: number) =>
      harness.db
        .selectFrom('contacts')
        .selectAll()
        .where('wa_id', '=', waId(index))
        .executeTakeFirstOrThrow();
    expect((await contact(1)).opted_out_at).not.toBeNull();
    expect((await contact(8)).marketing_opted_out_at).not.toBeNull();
    const ledger = await harness.api('GET', `/contacts/${contactIds.get(waId(8))}/consent`);
    expect(ledger.json().data).toEqual([
      expect.objectContaining({ kind: 'opt_out', scope: 'marketing', source: 'error_131050' }),
    ]);
    const failed = (await harness.api('GET', `/campaigns/${campaignId}/contacts?state=failed`)).json().data;
    expect(failed).toEqual([
      expect.objectContaining({ waId: waId(9), errorCode: 131026, errorTitle: 'Message undeliverable' }),
    ]);
  });

  it('sends to Tokyo at 09:00 Tokyo time, and the follow-up 24 h later only to those who did not reply', async () => {
    harness.clock.set('2026-03-02T23:55:00Z'); // 08:55 in Tokyo, 20:55 in São Paulo
    await harness.tickNow();
    await harness.runCampaigns();
    expect(templateOf(waId(20))).toEqual([]);

    harness.clock.set('2026-03-03T00:30:00Z'); // 09:30 in Tokyo
    await harness.tickNow();
    await harness.runCampaigns();
    expect(templateOf(waId(20))).toHaveLength(1);
    expect(templateOf(waId(21))).toHaveLength(1);
    expect(templateOf(waId(22))).toEqual([]); // opted out after planning: never messaged
    await harness.statusesArrive(
      [20, 21].map((index) => ({ sent: harness.sentTo(waId(index))[0]!, status: 'delivered' })),
    );

    harness.clock.set('2026-03-03T15:10:00Z'); // 24 h after the first sends; 12:10 in São Paulo
    await harness.tickNow();
    await harness.runCampaigns();
    const followedUp = harness.graph.sent
      .filter((item) => item.message.type === 'template' && item.message.template.name === 'follow_up')
      .map((item) => item.message.to.replace(/\D/g, ''))
      .sort();
    // Not 0 (replied), 1 (opted out in the chat), 8 (Meta's marketing stop), 9 (undeliverable); not Tokyo yet.
    expect(followedUp).toEqual([2, 3, 4, 5, 6, 7].map(waId));

    harness.clock.set('2026-03-04T01:00:00Z'); // 10:00 in Tokyo, 24 h after their first message
    await harness.tickNow();
    await harness.runCampaigns();
    for (const index of [20, 21]) {
      expect(templateOf(waId(index))).toEqual([expect.stringMatching(/^spring_offer/), 'follow_up']);
    }
    await harness.tickNow();
    await harness.runCampaigns();
    expect((await harness.api('GET', `/campaigns/${campaignId}`)).json().state).toBe('completed');
  });

  it('never messages anyone who opted out or is on the do-not-contact list', () => {
    for (const index of [10, 11, 22, 30]) expect(harness.sentTo(waId(index)), waId(index)).toEqual([]);
    expect(templateOf(waId(1))).toEqual([expect.stringMatching(/^spring_offer/)]);
    expect(templateOf(waId(8))).toEqual([expect.stringMatching(/^spring_offer/)]);
  });

  it('counts the funnel exactly, per variant and in total, with the cost from the pricing webhooks', async () => {
    const response = await harness.api('GET', `/campaigns/${campaignId}/funnel`);
    expect(response.statusCode).toBe(200);
    const funnel = response.json();
    const campaignTemplates = harness.graph.sent.filter((item) => item.message.type === 'template');
    expect(funnel.total).toMatchObject({
      targeted: 13,
      sent: 12,
      delivered: 10,
      read: 6,
      replied: 1,
      qualified: 1,
      converted: 0,
      optedOut: 3,
      suppressed: 0,
      failed: 1,
      waiting: 0,
      messagesSent: campaignTemplates.length,
      billableMessages: 8,
      costUsd: 0.4,
    });
    expect(campaignTemplates).toHaveLength(20);
    expect(funnel.total.failedByReason).toEqual([
      { code: 131026, reason: 'Message undeliverable', count: 1 },
    ]);
    // Per variant: what each variant's contacts got.
    const variantOf = (to: string) =>
      variantFor(contactIds.get(to)!, [
        { name: 'A', weight: 1 },
        { name: 'B', weight: 1 },
      ]);
    const targeted = [...Array.from({ length: 10 }, (_, index) => index), 20, 21, 22].map(waId);
    for (const variant of funnel.variants) {
      expect(variant.targeted).toBe(targeted.filter((to) => variantOf(to) === variant.variant).length);
      const firstSends = campaignTemplates.filter(
        (item) =>
          item.message.type === 'template' &&
          item.message.template.name !== 'follow_up' &&
          variantOf(item.message.to.replace(/\D/g, '')) === variant.variant,
      );
      expect(variant.sent).toBe(firstSends.length);
    }
    expect(funnel.variants.reduce((sum: number, row: { sent: number }) => sum + row.sent, 0)).toBe(12);

    const csv = await harness.api('GET', `/campaigns/${campaignId}/funnel.csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[0]).toBe(
      'variant,targeted,sent,delivered,read,replied,qualified,converted,optedOut,suppressed,failed,waiting,messagesSent,billableMessages,costUsd',
    );
    expect(csv.body).toContain('\r\nall,13,12,10,6,1,1,0,3,0,1,0,20,8,0.4\r\n');
    const contacts = await harness.api('GET', `/campaigns/${campaignId}/contacts.csv`);
    expect(contacts.body.trim().split('\r\n')).toHaveLength(14);
  });
});
