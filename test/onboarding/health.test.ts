import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_APP_ID, SANDBOX_PHONE_NUMBER_ID, SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { enqueueMessage } from '../../src/dispatch/index.ts';
import { HEALTH_CHECK_WABA_JOB, HEALTH_SWEEP_JOB, scheduleHealthSweep } from '../../src/health/index.ts';
import { testDatabases } from '../support/databases.ts';
import { waitFor } from '../support/simulated-coxcox.ts';
import { movableClock, type OnboardingWorld, startOnboardingWorld } from './onboarding-world.ts';

const databases = await testDatabases();

interface Check {
  name: string;
  status: string;
  summary: string;
  details: Record<string, unknown>;
}

describe.each(databases)('number health on $name', (database) => {
  let world: OnboardingWorld;
  // Health's clock: real time, moved forward by the version test.
  const healthClock = movableClock();

  beforeAll(async () => {
    world = await startOnboardingWorld(database, {
      health: {
        now: healthClock.now,
        schedule: { spacingMs: 0, maxWabasPerSweep: 500, intervalMs: 3_600_000 },
      },
    });
  });
  afterAll(async () => world?.dispose());

  /** A tenant connected through the signup, with the token options Meta would give. */
  const connect = async (
    name: string,
    signup: Parameters<OnboardingWorld['simulator']['issueSignupCode']>[0] = {},
  ) => {
    const { tenantId, path } = await world.newTenant(name);
    const issued = world.simulator.issueSignupCode({ businessName: name, ...signup });
    const completed = await world.api(
      'POST',
      `${path}/complete`,
      { code: issued.code, wabaId: issued.wabaId, phoneNumberId: issued.phoneNumberId },
      {},
    );
    expect(completed.json.state, completed.body).toBe('completed');
    const token = (await world.coxcox.directory.accessTokenFor(tenantId, issued.wabaId))!;
    return { tenantId, wabaId: issued.wabaId, phoneNumberId: issued.phoneNumberId, token };
  };
  const healthOf = async (tenantId: string, phoneNumberId: string) => {
    const response = await world.api('GET', `/api/v1/tenants/${tenantId}/health/${phoneNumberId}`);
    expect(response.status, response.body).toBe(200);
    return {
      ...response.json,
      check: (name: string) => (response.json.checks as Check[]).find((check) => check.name === name)!,
    };
  };
  const eventsOf = async (tenantId: string, phoneNumberId: string) =>
    (await world.api('GET', `/api/v1/tenants/${tenantId}/health/events?phoneNumberId=${phoneNumberId}`)).json
      .data as Array<{
      check: string;
      status: string;
      previousStatus: string | null;
      summary: string;
    }>;
  const outboxStates = async (ids: string[]) =>
    world.coxcox.store.db
      .selectFrom('outbox')
      .select(['id', 'state', 'hold_reason'])
      .where('id', 'in', ids)
      .execute();

  it('warns before a user token expires; when it expires mid-campaign sends are held, nothing is marked sent, and the event is raised', async () => {
    const number = await connect('Campanha Ltda', { tokenType: 'USER', tokenExpiresInSeconds: 3600 });
    const created = await world.api('POST', `/api/v1/webhook-endpoints?tenantId=${number.tenantId}`, {
      url: 'https://hooks.example.com/coxcox',
      events: ['number.health_changed'],
    });
    expect(created.status, created.body).toBe(201);

    const before = await healthOf(number.tenantId, number.phoneNumberId);
    expect(before.check('token')).toMatchObject({ status: 'warning', details: { kind: 'user' } });
    expect(before.check('token').summary).toContain('expires on');

    // A slow number, so that the token runs out while the campaign is under way.
    await world.coxcox.store.db
      .updateTable('phone_numbers')
      .set({ throughput_mps: 5, messaging_tier: 'TIER_UNLIMITED' })
      .where('phone_number_id', '=', number.phoneNumberId)
      .execute();
    const ids: string[] = [];
    await world.coxcox.store.db.transaction().execute(async (trx) => {
      for (let index = 0; index < 40; index += 1) {
        const { id } = await enqueueMessage(trx, {
          tenantId: number.tenantId,
          phoneNumberId: number.phoneNumberId,
          source: 'campaign',
          category: 'UTILITY',
          message: {
            to: `4915100${String(index).padStart(5, '0')}`,
            type: 'template',
            template: { name: 'hello_world', languageCode: 'en_US' },
          },
        });
        ids.push(id);
      }
    });
    world.coxcox.dispatcher.wake();
    await waitFor(
      'the first sends',
      async () => (await outboxStates(ids)).filter((row) => row.state === 'sent').length >= 3,
      20_000,
    );
    world.simulator.expireAccessToken(number.token);

    // 40 messages at 5 a second take 8 s; 30 s leaves room for a busy machine.
    await waitFor(
      'every message to be sent or held',
      async () => (await outboxStates(ids)).every((row) => row.state === 'sent' || row.state === 'held'),
      30_000,
      async () => JSON.stringify(await outboxStates(ids)),
    );
    const rows = await outboxStates(ids);
    const held = rows.filter((row) => row.state === 'held');
    expect(held.length).toBeGreaterThan(0);
    for (const row of rows) {
      const accepted = world.simulator.state.acceptedByCallbackData.get(row.id) ?? 0;
      // Nothing Meta refused is marked sent, and nothing held reached Meta.
      expect(accepted, `${row.id} ${row.state}`).toBe(row.state === 'sent' ? 1 : 0);
    }

    await waitFor('the connection event', async () =>
      (await eventsOf(number.tenantId, number.phoneNumberId)).some(
        (event) => event.check === 'connection' && event.status === 'critical',
      ),
    );
    const after = await healthOf(number.tenantId, number.phoneNumberId);
    expect(after.status).toBe('critical');
    expect(after.check('connection').summary).toContain('held');
    // The scheduled check (run now) asks debug_token: the token is reported expired.
    await world.api('POST', `/api/v1/tenants/${number.tenantId}/health/check`);
    const checked = await healthOf(number.tenantId, number.phoneNumberId);
    expect(checked.check('token')).toMatchObject({ status: 'critical', details: { isValid: false } });
    const deliveries = await world.coxcox.store.db
      .selectFrom('outbound_webhook_deliveries')
      .select(['event', 'payload'])
      .where('tenant_id', '=', number.tenantId)
      .execute();
    expect(
      deliveries.some(
        (delivery) => delivery.event === 'number.health_changed' && delivery.payload.includes('"critical"'),
      ),
    ).toBe(true);

    // A new token releases what was held.
    world.simulator.addAccessToken('EAAG-replacement-system-user-token-0001', [number.wabaId]);
    const added = await world.api('POST', `/api/v1/tenants/${number.tenantId}/access-tokens`, {
      token: 'EAAG-replacement-system-user-token-0001',
      kind: 'system_user',
      wabaId: number.wabaId,
    });
    expect(added.status).toBe(201);
    world.coxcox.dispatcher.wake();
    await waitFor(
      'the held messages to go out',
      async () => (await outboxStates(ids)).every((row) => row.state === 'sent'),
      30_000,
    );
    for (const id of ids) expect(world.simulator.state.acceptedByCallbackData.get(id)).toBe(1);
  }, 120_000);

  it('reports a revoked permission by name, and holds the number until it is granted again', async () => {
    const number = await connect('Permissões SA');
    world.simulator.revokePermission(number.token, 'whatsapp_business_messaging');
    const checked = await world.api('POST', `/api/v1/tenants/${number.tenantId}/health/check`);
    expect(checked.status).toBe(200);
    const health = await healthOf(number.tenantId, number.phoneNumberId);
    expect(health.check('token')).toMatchObject({
      status: 'critical',
      details: { missingPermissions: ['whatsapp_business_messaging'] },
    });
    expect(health.check('token').summary).toContain('whatsapp_business_messaging');
    const numbers = await world.api('GET', `/api/v1/tenants/${number.tenantId}/phone-numbers`);
    expect(numbers.json.data[0]).toMatchObject({ isHealthy: false });
    expect(numbers.json.data[0].healthProblem).toContain('whatsapp_business_messaging');
    const events = await eventsOf(number.tenantId, number.phoneNumberId);
    expect(events.find((event) => event.check === 'token')?.summary).toContain('whatsapp_business_messaging');
  });

  it('applies a quality downgrade webhook: the tier drops, the pacer follows, and the event is raised', async () => {
    const number = await connect('Qualidade ME');
    expect(
      (await healthOf(number.tenantId, number.phoneNumberId)).check('messaging-tier').details.messagingTier,
    ).toBe('TIER_250');
    world.simulator.changePhoneNumberQuality(number.phoneNumberId, { messagingLimitTier: 'TIER_50' });
    await waitFor('the downgrade to be applied', async () => {
      const row = await world.coxcox.store.db
        .selectFrom('phone_numbers')
        .select('messaging_tier')
        .where('phone_number_id', '=', number.phoneNumberId)
        .executeTakeFirst();
      return row?.messaging_tier === 'TIER_50';
    });
    const health = await healthOf(number.tenantId, number.phoneNumberId);
    expect(health.check('messaging-tier')).toMatchObject({
      status: 'warning',
      details: { messagingTier: 'TIER_50' },
    });
    const events = await eventsOf(number.tenantId, number.phoneNumberId);
    expect(events.some((event) => event.check === 'messaging-tier' && event.status === 'warning')).toBe(true);

    // Business-initiated templates to 60 new customers: the pacer stops at the new limit of 50.
    const ids: string[] = [];
    await world.coxcox.store.db.transaction().execute(async (trx) => {
      for (let index = 0; index < 60; index += 1) {
        const { id } = await enqueueMessage(trx, {
          tenantId: number.tenantId,
          phoneNumberId: number.phoneNumberId,
          source: 'campaign',
          category: 'UTILITY',
          message: {
            to: `4915200${String(index).padStart(5, '0')}`,
            type: 'template',
            template: { name: 'hello_world', languageCode: 'en_US' },
          },
        });
        ids.push(id);
      }
    });
    world.coxcox.dispatcher.wake();
    await waitFor(
      '50 sent and 10 deferred for the tier',
      async () => {
        const rows = await outboxStates(ids);
        return (
          rows.filter((row) => row.state === 'sent').length === 50 &&
          rows.filter((row) => row.hold_reason === 'tier').length === 10
        );
      },
      30_000,
      async () => JSON.stringify((await outboxStates(ids)).map((row) => `${row.state}/${row.hold_reason}`)),
    );
  }, 60_000);

  it('counts webhook deliveries that failed their signature, durably, and warns', async () => {
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
    const forged = `sha256=${createHmac('sha256', 'not-the-app-secret').update(body).digest('hex')}`;
    for (let index = 0; index < 3; index += 1) {
      const response = await world.coxcox.app.inject({
        method: 'POST',
        url: '/webhooks/whatsapp',
        payload: body,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': forged },
      });
      expect(response.statusCode).toBe(401);
    }
    await world.coxcox.health.flushActivity();
    const stats = await world.coxcox.store.db
      .selectFrom('webhook_app_stats')
      .selectAll()
      .where('app_id', '=', SANDBOX_APP_ID)
      .executeTakeFirstOrThrow();
    expect(stats.signature_failures).toBeGreaterThanOrEqual(3);
    const health = await healthOf(SANDBOX_TENANT_ID, SANDBOX_PHONE_NUMBER_ID);
    expect(health.check('webhooks').status).toBe('warning');
    expect(health.check('webhooks').summary).toContain('failed their signature');
  });

  it('runs the scheduled check as spaced jobs, and keeps each WABA within its hourly call budget', async () => {
    const number = await connect('Agenda Ltda');
    const now = healthClock.now();
    await scheduleHealthSweep(
      world.coxcox.store.db,
      { intervalMs: 3_600_000, spacingMs: 0, maxWabasPerSweep: 500 },
      now,
    );
    const period = Math.floor(now / 3_600_000);
    await waitFor('the sweep to check this WABA and queue the next sweep', async () => {
      const checked = await world.coxcox.store.db
        .selectFrom('waba_call_budgets')
        .select('calls')
        .where('waba_id', '=', number.wabaId)
        .executeTakeFirst();
      const next = await world.coxcox.store.db
        .selectFrom('jobs')
        .select('run_at')
        .where('kind', '=', HEALTH_SWEEP_JOB)
        .where('dedupe_key', '=', `${HEALTH_SWEEP_JOB}:${period + 1}`)
        .executeTakeFirst();
      const pending = await world.coxcox.store.db
        .selectFrom('jobs')
        .select('id')
        .where('kind', '=', HEALTH_CHECK_WABA_JOB)
        .execute();
      return (checked?.calls ?? 0) > 0 && next?.run_at === (period + 1) * 3_600_000 && pending.length === 0;
    });
    // Each check takes 4 calls of the WABA's 40 an hour: the checks past the budget wait for the next hour.
    const listed = () => world.graph.calls.filter((call) => call === 'listPhoneNumbers').length;
    const before = listed();
    for (let index = 0; index < 12; index += 1) await world.coxcox.health.checkNow(number.tenantId);
    const budget = await world.coxcox.store.db
      .selectFrom('waba_call_budgets')
      .selectAll()
      .where('waba_id', '=', number.wabaId)
      .executeTakeFirstOrThrow();
    expect(budget.calls).toBeLessThanOrEqual(40);
    expect(listed() - before).toBe((40 - 4) / 4);
  }, 60_000);

  it('warns 90 days before the Graph API version is retired, on a pinned clock', async () => {
    healthClock.advance(Date.parse('2027-07-20T00:00:00Z') - healthClock.now());
    try {
      const warned = await healthOf(SANDBOX_TENANT_ID, SANDBOX_PHONE_NUMBER_ID);
      expect(warned.check('graph-api-version')).toMatchObject({
        status: 'warning',
        details: { version: 'v23.0', retiresAt: '2027-10-09T00:00:00.000Z' },
      });
      healthClock.advance(Date.parse('2027-10-10T00:00:00Z') - healthClock.now());
      const retired = await healthOf(SANDBOX_TENANT_ID, SANDBOX_PHONE_NUMBER_ID);
      expect(retired.check('graph-api-version').status).toBe('critical');
      const events = (await eventsOf(SANDBOX_TENANT_ID, SANDBOX_PHONE_NUMBER_ID)).filter(
        (event) => event.check === 'graph-api-version',
      );
      expect(events.map((event) => event.status)).toEqual(['critical', 'warning']);
    } finally {
      healthClock.advance(Date.now() - healthClock.now());
    }
  });
});
