import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONSENT_SETTINGS, matchOptOutKeyword } from '../../src/contacts/index.ts';
import { SANDBOX_PHONE_NUMBER_ID, SANDBOX_WABA_ID } from '../../src/coxcox.ts';
import { type CampaignHarness, startCampaignCoxcox } from '../campaigns/campaign-harness.ts';
import { testDatabases } from '../support/databases.ts';

const databases = await testDatabases();

describe('opt-out keywords', () => {
  it('match whole messages in any configured language, ignoring case, accents and punctuation', () => {
    const keywords = DEFAULT_CONSENT_SETTINGS.optOutKeywords;
    expect(matchOptOutKeyword('STOP', keywords)).toBe('en');
    expect(matchOptOutKeyword('  parar! ', keywords)).toBe('pt');
    expect(matchOptOutKeyword('Parar promoções', keywords)).toBe('pt');
    expect(matchOptOutKeyword('baja', keywords)).toBe('es');
    expect(matchOptOutKeyword('quero cancelar meu pedido', keywords)).toBeNull();
    expect(matchOptOutKeyword('stopped by the store', keywords)).toBeNull();
  });
});

const waId = (index: number) => `55319${10_000_000 + index}`;

describe.each(databases)('consent on $name', (database) => {
  let harness: CampaignHarness;

  beforeAll(async () => {
    // The real time: the 24-hour window of a keyword opt-out's confirmation is checked against it.
    harness = await startCampaignCoxcox(database, {}, Date.now());
    const rows = ['phone,name,tags'];
    for (let index = 0; index < 6; index += 1) rows.push(`+${waId(index)},Cliente ${index},consent`);
    expect(await harness.importFile(rows.join('\n'))).toMatchObject({ imported: 6 });
  });
  afterAll(async () => harness?.coxcox.dispose());

  const contact = (index: number) =>
    harness.db.selectFrom('contacts').selectAll().where('wa_id', '=', waId(index)).executeTakeFirstOrThrow();

  it('stops everything at a keyword in the chat, withdraws queued campaign messages, and confirms once', async () => {
    const created = await harness.api('POST', '/campaigns', {
      name: 'Consent',
      templateId: await harness.templateId('spring_offer_b'),
      parameters: { body: ['firstName'] },
      audience: { tags: ['consent'] },
      sendingHours: { from: '00:00', until: '23:59' },
    });
    const id = created.json().id;
    await harness.api('POST', `/campaigns/${id}/launch`);
    await harness.coxcox.campaigns.scheduler.drain(); // queued in the outbox, not yet sent
    await harness.customerWrites(waId(0), 'PARAR');
    await harness.customerWrites(waId(0), 'parar');
    await harness.coxcox.dispatcher.runOnce();
    const toZero = harness.sentTo(waId(0));
    expect(toZero.map((sent) => sent.message.type)).toEqual(['text']);
    expect(toZero[0]!.message).toMatchObject({
      text: { body: DEFAULT_CONSENT_SETTINGS.confirmationTexts.pt },
    });
    expect(harness.sentTo(waId(1))).toHaveLength(1);
    const ledger = (await harness.api('GET', `/contacts/${(await contact(0)).id}/consent`)).json().data;
    expect(ledger.map((event: { kind: string; source: string }) => [event.kind, event.source])).toEqual([
      ['opt_out', 'keyword'],
    ]);
    const state = await harness.db
      .selectFrom('campaign_contacts')
      .select('state')
      .where('contact_id', '=', (await contact(0)).id)
      .executeTakeFirstOrThrow();
    expect(state.state).toBe('opted_out');
  });

  it('records Meta’s marketing stop and resume, and 131050 at send time, as marketing opt-outs', async () => {
    await harness.deliver({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: SANDBOX_WABA_ID,
          changes: [
            {
              field: 'user_preferences',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550000001', phone_number_id: SANDBOX_PHONE_NUMBER_ID },
                contacts: [{ wa_id: waId(2), profile: { name: 'Cliente 2' } }],
                user_preferences: [
                  {
                    wa_id: waId(2),
                    detail: 'User requested to stop marketing messages',
                    category: 'marketing_messages',
                    value: 'stop',
                    timestamp: harness.clock.seconds(),
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    expect((await contact(2)).marketing_opted_out_at).not.toBeNull();

    // A marketing template refused at send time with 131050: the sweep records the opt-out.
    harness.graph.failNext(131050, { method: 'sendMessage' });
    const queued = await harness.api('POST', '/messages', {
      category: 'MARKETING',
      message: {
        to: `+${waId(3)}`,
        type: 'template',
        template: {
          name: 'follow_up',
          languageCode: 'pt_BR',
          components: [{ type: 'body', parameters: [{ type: 'text', text: 'x' }] }],
        },
      },
    });
    expect(queued.statusCode).toBe(202);
    await harness.coxcox.dispatcher.runOnce();
    await harness.coxcox.campaigns.runOnce();
    expect((await contact(3)).marketing_opted_out_at).not.toBeNull();
    const ledger = (await harness.api('GET', `/contacts/${(await contact(3)).id}/consent`)).json().data;
    expect(ledger).toEqual([
      expect.objectContaining({ kind: 'opt_out', scope: 'marketing', source: 'error_131050' }),
    ]);
  });

  it('lifts an opt-out only on a recorded opt-in, never on a re-import', async () => {
    const optedOut = await contact(0);
    const again = await harness.importFile(`phone,name,optInSource\n+${waId(0)},Cliente 0,web_form\n`);
    expect(again).toMatchObject({ merged: 1 });
    expect((await contact(0)).opted_out_at).toBe(optedOut.opted_out_at);
    const lifted = await harness.api('POST', `/contacts/${optedOut.id}/opt-in`, {
      scope: 'all',
      source: 'web_form',
      proof: 'form 42',
    });
    expect(lifted.json().optedOutAt).toBeNull();
    const ledger = (await harness.api('GET', `/contacts/${optedOut.id}/consent`)).json().data;
    expect(ledger.map((event: { kind: string; source: string }) => `${event.kind}:${event.source}`)).toEqual([
      'opt_out:keyword',
      'opt_in:web_form',
      'opt_in:web_form',
    ]);
  });

  it('keeps the tenant’s own keywords and prices', async () => {
    const saved = await harness.api('PUT', '/consent-settings', { optOutKeywords: { pt: ['CHEGA'] } });
    expect(saved.json().optOutKeywords).toEqual({ pt: ['CHEGA'] });
    expect(saved.json().pricesUsd).toEqual(DEFAULT_CONSENT_SETTINGS.pricesUsd);
    const contactRow = await contact(4);
    const response = await harness.api('POST', `/contacts/${contactRow.id}/opt-out`, {
      scope: 'marketing',
      reason: 'called the store',
    });
    expect(response.json()).toMatchObject({
      isNew: true,
      marketingOptedOutAt: expect.any(String),
      optedOutAt: null,
    });
    expect(
      (await harness.api('POST', `/contacts/${contactRow.id}/opt-out`, { scope: 'marketing' })).json().isNew,
    ).toBe(false);
  });
});
