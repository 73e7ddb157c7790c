import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_TENANT_ID, SANDBOX_WABA_ID } from '../../src/coxcox.ts';
import type { Persona, SentRecord } from '../../src/simulator/index.ts';
import { testDatabases } from '../support/databases.ts';
import { startSimulatedCoxcox, waitFor } from '../support/simulated-coxcox.ts';
import { admin, TestClock } from './campaign-harness.ts';

const databases = await testDatabases();

const waId = (index: number) => `55119${String(10_000_000 + index)}`;
/** Rows 0–39 are the campaign's São Paulo contacts, 40–59 its Tokyo contacts; the rest another list. */
const SAO_PAULO = Array.from({ length: 40 }, (_, index) => index);
const TOKYO = Array.from({ length: 20 }, (_, index) => 40 + index);
const INTERESTED = [0, 1, 2, 3];
const NOT_INTERESTED = [4, 5, 6, 7];
const STOPS = [8, 9, 10, 11];
const DO_NOT_CONTACT = 38;
const OPTED_OUT_BEFORE = 39;

const personas: Persona[] = [
  ...INTERESTED.map((index) => ({
    waId: waId(index),
    name: `Ana ${index}`,
    profile: 'interested' as const,
    language: 'pt' as const,
    replyDelayMs: 20,
  })),
  ...NOT_INTERESTED.map((index) => ({
    waId: waId(index),
    name: `Bia ${index}`,
    profile: 'not-interested' as const,
    language: 'pt' as const,
    replyDelayMs: 20,
  })),
  ...STOPS.map((index) => ({
    waId: waId(index),
    name: `Caio ${index}`,
    profile: 'opt-out' as const,
    language: 'pt' as const,
    replyDelayMs: 20,
  })),
];

/**
 * The proof of the campaigns issue, over real HTTP both ways: 10,000 contacts imported (bad rows
 * reported), a campaign in sending hours on a pinned clock across two time zones, simulated customers
 * who reply, decline or tap "stop", a follow-up 24 hours later, and a funnel equal to what the simulator
 * saw. Nobody who opted out or is on the do-not-contact list is ever messaged.
 */
describe.each(databases)('a campaign through the simulator over HTTP on $name', (database) => {
  let world: Awaited<ReturnType<typeof startSimulatedCoxcox>>;
  const clock = new TestClock(Date.parse('2026-03-02T15:00:00Z')); // 12:00 in São Paulo, midnight in Tokyo
  const api = (method: 'GET' | 'POST', url: string, payload?: unknown, contentType?: string) =>
    world.coxcox.app.inject({
      method,
      url: `/api/v1${url}${url.includes('?') ? '&' : '?'}tenantId=${SANDBOX_TENANT_ID}`,
      headers: { ...admin, ...(contentType ? { 'content-type': contentType } : {}) },
      ...(payload === undefined ? {} : { payload: payload as string }),
    });
  const campaignSends = (): SentRecord[] =>
    world.simulator.state.sent.filter(
      (sent) => sent.templateName === 'coxcox_offer' || sent.templateName === 'coxcox_follow',
    );
  const sendsOf = (name: string) => campaignSends().filter((sent) => sent.templateName === name);
  /** Every webhook the simulator owes has been posted and recorded. */
  const settle = async () => {
    await world.simulator.idle(20_000);
    await waitFor('the inbox to catch up', async () => {
      const pending = await world.coxcox.store.db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return pending === undefined;
    });
  };

  beforeAll(async () => {
    world = await startSimulatedCoxcox(database, {
      throughputMps: 200,
      dispatcher: { now: clock.now, pairBurst: 20 },
      campaigns: { now: clock.now, pollIntervalMs: 50, activeTickMs: 100, idleTickMs: 1000 },
      simulator: { personas },
    });
    world.simulator.addTemplate(SANDBOX_WABA_ID, {
      name: 'coxcox_follow',
      language: 'pt_BR',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: '{{1}}, ainda tem interesse na oferta?' }],
    });
  });
  afterAll(async () => world?.dispose());

  it('imports 10,000 contacts and reports the bad rows', { timeout: 120_000 }, async () => {
    const lines = ['phone,name,tags,timeZone'];
    for (let index = 0; index < 10_000; index += 1) {
      if (index === 5000) lines.push('999,Bad,bulk,');
      else if (index === 6000) lines.push(`+${waId(index)},Zone,bulk,Nowhere/City`);
      else if (index === 7000) lines.push(`"+${waId(index)}"x,Quote,bulk,`);
      else {
        const tag = index < 60 ? 'e2e' : 'bulk';
        lines.push(`+${waId(index)},Cliente ${index},${tag},${TOKYO.includes(index) ? 'Asia/Tokyo' : ''}`);
      }
    }
    const response = await api(
      'POST',
      '/imports?country=BR&optInSource=landing_page',
      lines.join('\n'),
      'text/csv',
    );
    expect(response.statusCode).toBe(202);
    await waitFor(
      'the import',
      async () => (await api('GET', `/imports/${response.json().id}`)).json().state === 'completed',
      60_000,
    );
    const shown = (await api('GET', `/imports/${response.json().id}`)).json();
    expect(shown).toMatchObject({ rowsRead: 10_000, imported: 9_997, merged: 0, invalid: 3 });
    const report = (await api('GET', `/imports/${response.json().id}/errors.csv`)).body.trim().split('\r\n');
    expect(report.slice(1).map((row) => row.split(',')[0])).toEqual(['5002', '6002', '7002']);
  });

  it('runs the campaign in each contact’s sending hours, with replies, stops and a follow-up', {
    timeout: 180_000,
  }, async () => {
    expect((await api('POST', '/templates/sync')).statusCode).toBe(200);
    const templates = (await api('GET', '/templates')).json().data as Array<{
      id: string;
      name: string;
      language: string;
    }>;
    const offer = templates.find(
      (template) => template.name === 'coxcox_offer' && template.language === 'pt_BR',
    )!;
    const follow = templates.find((template) => template.name === 'coxcox_follow')!;
    await api(
      'POST',
      '/do-not-contact',
      JSON.stringify({ phones: [`+${waId(DO_NOT_CONTACT)}`] }),
      'application/json',
    );
    const optedOut = await world.coxcox.store.db
      .selectFrom('contacts')
      .select('id')
      .where('wa_id', '=', waId(OPTED_OUT_BEFORE))
      .executeTakeFirstOrThrow();
    await api(
      'POST',
      `/contacts/${optedOut.id}/opt-out`,
      JSON.stringify({ scope: 'all' }),
      'application/json',
    );

    const created = await api(
      'POST',
      '/campaigns',
      JSON.stringify({
        name: 'Simulated spring',
        templateId: offer.id,
        parameters: { body: ['firstName', { text: 'O plano Pro está com 20% de desconto.' }] },
        followUps: [{ afterHours: 24, templateId: follow.id, parameters: { body: ['firstName'] } }],
        audience: { tags: ['e2e'] },
        timeZone: 'America/Sao_Paulo',
      }),
      'application/json',
    );
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    expect((await api('POST', `/campaigns/${id}/launch`)).statusCode).toBe(200);

    const saoPaulo = SAO_PAULO.filter((index) => index !== DO_NOT_CONTACT && index !== OPTED_OUT_BEFORE);
    await waitFor('the São Paulo sends', () => sendsOf('coxcox_offer').length === saoPaulo.length);
    await settle();
    expect(
      sendsOf('coxcox_offer')
        .map((sent) => sent.recipient)
        .sort(),
    ).toEqual(saoPaulo.map(waId).sort());

    clock.set('2026-03-03T00:30:00Z'); // 09:30 in Tokyo
    await waitFor('the Tokyo sends', () => sendsOf('coxcox_offer').length === saoPaulo.length + TOKYO.length);
    await settle();

    clock.set('2026-03-03T15:10:00Z'); // a day after the São Paulo sends
    const answered = new Set([...INTERESTED, ...NOT_INTERESTED, ...STOPS]);
    const silentSaoPaulo = saoPaulo.filter((index) => !answered.has(index));
    await waitFor(
      'the São Paulo follow-ups',
      () => sendsOf('coxcox_follow').length === silentSaoPaulo.length,
    );
    clock.set('2026-03-04T01:00:00Z'); // a day after the Tokyo sends
    await waitFor(
      'the Tokyo follow-ups',
      () => sendsOf('coxcox_follow').length === silentSaoPaulo.length + TOKYO.length,
    );
    await waitFor(
      'the campaign to complete',
      async () => (await api('GET', `/campaigns/${id}`)).json().state === 'completed',
    );
    await settle();
    expect(
      sendsOf('coxcox_follow')
        .map((sent) => sent.recipient)
        .sort(),
    ).toEqual([...silentSaoPaulo, ...TOKYO].map(waId).sort());

    // Nobody who opted out or is on the do-not-contact list was messaged; those who said stop got no follow-up.
    const recipients = world.simulator.state.sent.map((sent) => sent.recipient);
    expect(recipients).not.toContain(waId(DO_NOT_CONTACT));
    expect(recipients).not.toContain(waId(OPTED_OUT_BEFORE));
    for (const index of STOPS)
      expect(campaignSends().filter((sent) => sent.recipient === waId(index))).toHaveLength(1);
    expect(world.simulator.state.duplicateCallbackData()).toEqual([]);

    // The funnel is what the simulator saw.
    const funnel = (await api('GET', `/campaigns/${id}/funnel`)).json().total;
    const byRecipient = new Map<string, SentRecord[]>();
    for (const sent of campaignSends())
      byRecipient.set(sent.recipient, [...(byRecipient.get(sent.recipient) ?? []), sent]);
    const withStatus = (...statuses: string[]) =>
      [...byRecipient.values()].filter((sends) =>
        sends.some((sent) => sent.statuses.some((status) => statuses.includes(status))),
      ).length;
    expect(funnel).toMatchObject({
      targeted: saoPaulo.length + TOKYO.length,
      sent: byRecipient.size,
      delivered: withStatus('delivered', 'read'),
      read: withStatus('read'),
      replied: INTERESTED.length + NOT_INTERESTED.length,
      optedOut: STOPS.length,
      failed: 0,
      waiting: 0,
      messagesSent: campaignSends().length,
    });
    // Each customer who tapped "stop" was told once.
    for (const index of STOPS) {
      const texts = world.simulator.state.sent.filter(
        (sent) => sent.recipient === waId(index) && sent.type === 'text',
      );
      expect(texts).toHaveLength(1);
    }
  });
});
