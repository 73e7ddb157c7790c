import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_WABA_ID } from '../../src/coxcox.ts';
import { testDatabases } from '../support/databases.ts';
import { type CampaignHarness, startCampaignCoxcox } from './campaign-harness.ts';

const databases = await testDatabases();

const waId = (index: number) => `55219${10_000_000 + index}`;

describe.each(databases)('campaign checks and controls on $name', (database) => {
  let harness: CampaignHarness;

  beforeAll(async () => {
    harness = await startCampaignCoxcox(database);
    const rows = ['phone,name,tags,code'];
    for (let index = 0; index < 30; index += 1)
      rows.push(
        `+${waId(index)},Cliente ${index},${index < 10 ? 'cap' : index < 20 ? 'quality' : 'tier'},C${index}`,
      );
    expect(await harness.importFile(rows.join('\n'))).toMatchObject({ imported: 30 });
  });
  afterAll(async () => harness?.coxcox.dispose());

  const create = async (body: Record<string, unknown>) =>
    harness.api('POST', '/campaigns', { name: 'Test', ...body });
  const launchAndRun = async (id: string) => {
    expect((await harness.api('POST', `/campaigns/${id}/launch`)).statusCode).toBe(200);
    await harness.runCampaigns();
  };

  it("counts an audience before launch, and a draft's, leaving out opt-outs", async () => {
    const count = await harness.api('POST', '/campaigns/audience-count', { audience: { tags: ['cap'] } });
    expect(count.statusCode).toBe(200);
    expect(count.json()).toEqual({ matched: 10, reachable: 10 });
    expect(
      (await harness.api('POST', '/campaigns/audience-count', { audience: { tags: ['nobody'] } })).json(),
    ).toEqual({ matched: 0, reachable: 0 });
    // A do-not-contact number still matches the filters, but no campaign may reach it.
    const optOut = await harness.api('POST', '/do-not-contact', {
      phones: [`+${waId(0)}`],
      reason: 'asked by phone',
    });
    expect(optOut.statusCode).toBeLessThan(300);
    expect(
      (await harness.api('POST', '/campaigns/audience-count', { audience: { tags: ['cap'] } })).json(),
    ).toEqual({ matched: 10, reachable: 9 });

    const draft = await create({
      templateId: await harness.templateId('named_offer'),
      parameters: { body: { first_name: 'firstName', code: 'code' } },
      audience: { tags: ['quality'] },
    });
    expect(draft.statusCode).toBe(201);
    expect(draft.json().progress.targeted).toBe(0);
    const reach = await harness.api('GET', `/campaigns/${draft.json().id}/audience-count`);
    expect(reach.json()).toEqual({ matched: 10, reachable: 10 });
    await harness.api('DELETE', `/do-not-contact/${waId(0)}`);
  });

  it('rejects a parameter mapping that does not fit the template at creation, naming each problem', async () => {
    const offer = await harness.templateId('spring_offer');
    const response = await create({ templateId: offer, parameters: { body: ['firstName'] } });
    expect(response.statusCode).toBe(400);
    const error = response.json().error;
    expect(error.code).toBe('validation_failed');
    expect(error.message).toContain(
      "parameters.header: the template's header takes 1 parameter(s), the mapping gives 0",
    );
    expect(error.message).toContain(
      "parameters.body: the template's body takes 2 parameter(s), the mapping gives 1",
    );
    expect(error.message).toContain(
      'parameters.buttons.1: the URL button takes 1 parameter(s), the mapping gives 0',
    );

    const named = await harness.templateId('named_offer');
    const wrongNames = await create({
      templateId: named,
      parameters: { body: { first_name: 'firstName', coupon: 'code' } },
    });
    expect(wrongNames.statusCode).toBe(400);
    expect(wrongNames.json().error.message).toContain('no value for {{code}}');
    expect(wrongNames.json().error.message).toContain('the template has no {{coupon}}');
    const positional = await create({ templateId: named, parameters: { body: ['firstName', 'code'] } });
    expect(positional.json().error.message).toContain('uses named parameters');

    const followUp = await create({
      templateId: await harness.templateId('spring_offer_b'),
      parameters: { body: ['firstName'] },
      followUps: [
        { afterHours: 24, templateId: await harness.templateId('follow_up'), parameters: { body: [] } },
      ],
    });
    expect(followUp.json().error.message).toContain('followUps.0.parameters.body');
    expect((await create({ templateId: 'tpl_nope' })).json().error.message).toContain('was not found');
    expect(
      (
        await create({
          templateId: named,
          parameters: { body: { first_name: 'firstName', code: 'code' } },
          sendingHours: { from: '21:00', until: '08:00' },
        })
      ).json().error.message,
    ).toContain('sendingHours');
    expect(
      (await create({ templateId: named, parameters: { body: { first_name: 'firstName', code: 'code' } } }))
        .statusCode,
    ).toBe(201);
  });

  it('releases no more than the daily cap a day, then continues the next day', async () => {
    const created = await create({
      templateId: await harness.templateId('spring_offer_b'),
      parameters: { body: ['firstName'] },
      audience: { tags: ['cap'] },
      dailyCap: 4,
      timeZone: 'America/Sao_Paulo',
    });
    const id = created.json().id;
    await launchAndRun(id);
    const sentToCap = () =>
      harness.graph.sent.filter(
        (sent) => Number(sent.message.to.slice(-2)) < 10 && sent.message.to.includes('55219'),
      ).length;
    expect(sentToCap()).toBe(4);
    await harness.tickNow();
    await harness.runCampaigns();
    expect(sentToCap()).toBe(4);
    harness.clock.set('2026-03-03T12:00:00Z'); // 09:00 the next day in São Paulo
    await harness.tickNow();
    await harness.runCampaigns();
    expect(sentToCap()).toBe(8);
    expect((await harness.api('POST', `/campaigns/${id}/cancel`)).json().state).toBe('cancelled');
    await harness.tickNow();
    await harness.runCampaigns();
    expect(sentToCap()).toBe(8);
  });

  it('pauses itself when the number’s quality drops, says why, takes back queued messages, and resumes', async () => {
    const created = await create({
      templateId: await harness.templateId('spring_offer_b'),
      parameters: { body: ['firstName'] },
      audience: { tags: ['quality'] },
    });
    const id = created.json().id;
    expect((await harness.api('POST', `/campaigns/${id}/launch`)).statusCode).toBe(200);
    await harness.coxcox.campaigns.scheduler.drain(); // released into the outbox, not sent yet
    const queued = await harness.db
      .selectFrom('outbox')
      .select('id')
      .where('campaign_id', '=', id)
      .where('state', '=', 'queued')
      .execute();
    expect(queued).toHaveLength(10);

    await harness.deliver({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: SANDBOX_WABA_ID,
          time: harness.clock.seconds(),
          changes: [
            {
              field: 'phone_number_quality_update',
              value: { display_phone_number: '15550000001', event: 'DOWNGRADE', current_limit: 'TIER_250' },
            },
          ],
        },
      ],
    });
    const paused = (await harness.api('GET', `/campaigns/${id}`)).json();
    expect(paused).toMatchObject({ state: 'paused', pauseReason: 'quality_downgrade' });
    await harness.coxcox.dispatcher.runOnce();
    const sentToQuality = () =>
      harness.graph.sent.filter(
        (sent) =>
          sent.message.to.includes('55219') &&
          Number(sent.message.to.slice(-2)) >= 10 &&
          Number(sent.message.to.slice(-2)) < 20,
      ).length;
    expect(sentToQuality()).toBe(0);
    const states = await harness.db
      .selectFrom('outbox')
      .select('state')
      .where('campaign_id', '=', id)
      .execute();
    expect(states.every((row) => row.state === 'cancelled')).toBe(true);

    expect((await harness.api('POST', `/campaigns/${id}/resume`)).json()).toMatchObject({
      state: 'running',
      pauseReason: null,
    });
    await harness.runCampaigns();
    expect(sentToQuality()).toBe(10);
    expect(
      new Set(
        harness.graph.sent
          .filter((sent) => sent.message.to.includes('5521910000'))
          .map((sent) => sent.message.to),
      ).size,
    ).toBe(harness.graph.sent.filter((sent) => sent.message.to.includes('5521910000')).length);
  });

  it('pauses when the number reaches its daily tier, and when a template is paused by Meta', async () => {
    await harness.db.updateTable('phone_numbers').set({ messaging_tier: 'TIER_50' }).execute();
    await harness.db.deleteFrom('tier_recipients').execute();
    // Fill the tier: 48 other customers reached today.
    await harness.db
      .insertInto('tier_recipients')
      .values(
        Array.from({ length: 48 }, (_, index) => ({
          phone_number_id: '100000000000002',
          recipient: `4470000000${index}`,
          last_initiated_at: harness.clock.now(),
        })),
      )
      .execute();
    const created = await create({
      templateId: await harness.templateId('spring_offer_b'),
      parameters: { body: ['firstName'] },
      audience: { tags: ['tier'] },
    });
    const id = created.json().id;
    await launchAndRun(id);
    await harness.tickNow();
    await harness.runCampaigns();
    const shown = (await harness.api('GET', `/campaigns/${id}`)).json();
    expect(shown).toMatchObject({ state: 'paused', pauseReason: 'tier_limit_reached' });
    expect(
      harness.graph.sent.filter(
        (sent) => sent.message.to.includes('55219') && Number(sent.message.to.slice(-2)) >= 20,
      ),
    ).toHaveLength(2);
    await harness.db.updateTable('phone_numbers').set({ messaging_tier: 'TIER_UNLIMITED' }).execute();

    // A template Meta pauses stops the campaigns using it.
    expect((await harness.api('POST', `/campaigns/${id}/resume`)).statusCode).toBe(200);
    const template = await harness.db
      .selectFrom('message_templates')
      .selectAll()
      .where('name', '=', 'spring_offer_b')
      .executeTakeFirstOrThrow();
    await harness.deliver({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: SANDBOX_WABA_ID,
          time: harness.clock.seconds(),
          changes: [
            {
              field: 'message_template_status_update',
              value: {
                event: 'PAUSED',
                message_template_id: template.meta_template_id,
                message_template_name: template.name,
                message_template_language: template.language,
                reason: 'LOW_QUALITY',
              },
            },
          ],
        },
      ],
    });
    expect((await harness.api('GET', `/templates/${template.id}`)).json()).toMatchObject({
      status: 'PAUSED',
      statusReason: 'LOW_QUALITY',
    });
    expect((await harness.api('GET', `/campaigns/${id}`)).json()).toMatchObject({
      state: 'paused',
      pauseReason: 'template_paused',
    });
    // Resuming cannot send a paused template: the scheduler pauses it again, with the same reason.
    await harness.api('POST', `/campaigns/${id}/resume`);
    await harness.runCampaigns();
    expect((await harness.api('GET', `/campaigns/${id}`)).json()).toMatchObject({
      state: 'paused',
      pauseReason: 'template_paused',
    });
  });

  it('answers conflicts for controls that do not fit the state', async () => {
    const created = await create({
      templateId: await harness.templateId('follow_up'),
      parameters: { body: ['name'] },
    });
    const id = created.json().id;
    expect((await harness.api('POST', `/campaigns/${id}/pause`)).json().error.code).toBe('conflict');
    expect((await harness.api('POST', `/campaigns/${id}/resume`)).json().error.code).toBe('conflict');
    expect((await harness.api('POST', `/campaigns/${id}/cancel`)).json().state).toBe('cancelled');
    expect((await harness.api('POST', `/campaigns/${id}/launch`)).statusCode).toBe(409);
    const list = (await harness.api('GET', '/campaigns')).json();
    expect(list.data.length).toBeGreaterThanOrEqual(4);
  });
});
