import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueMessage } from '../../src/dispatch/index.ts';
import { testDatabases } from '../support/databases.ts';
import { waitFor } from '../support/simulated-coxcox.ts';
import { type OnboardingWorld, startOnboardingWorld } from './onboarding-world.ts';

const databases = await testDatabases();

describe.each(databases)('manual connections, disconnects and tenant isolation on $name', (database) => {
  let world: OnboardingWorld;
  let tokenCount = 0;

  beforeAll(async () => {
    world = await startOnboardingWorld(database);
  });
  afterAll(async () => world?.dispose());

  const newTenant = async (name: string) =>
    (await world.api('POST', '/api/v1/tenants', { name })).json.id as string;
  /** A WABA and number on Meta's side, and a system user token for it with the given permissions. */
  const metaAccount = (
    options: {
      scopes?: Array<'business_management' | 'whatsapp_business_management' | 'whatsapp_business_messaging'>;
      isRegistered?: boolean;
    } = {},
  ) => {
    const issued = world.simulator.issueSignupCode({
      businessName: 'Manual Co',
      isRegistered: options.isRegistered ?? true,
    });
    tokenCount += 1;
    const token = `EAAG-manual-system-user-token-${database.name}-${tokenCount}`;
    world.simulator.addAccessToken(token, [issued.wabaId], {
      ...(options.scopes ? { scopes: options.scopes } : {}),
      type: 'SYSTEM_USER',
    });
    return { wabaId: issued.wabaId, phoneNumberId: issued.phoneNumberId, token };
  };
  const connect = (
    tenantId: string,
    account: { wabaId: string; phoneNumberId: string; token: string },
    extra: Record<string, unknown> = {},
  ) =>
    world.api('POST', `/api/v1/tenants/${tenantId}/connections`, {
      wabaId: account.wabaId,
      phoneNumberId: account.phoneNumberId,
      accessToken: account.token,
      ...extra,
    });

  describe('manual connection', () => {
    it('checks the token and the number with Meta before saving, and connects', async () => {
      const tenantId = await newTenant('Manual Sucesso');
      const account = metaAccount();
      const connected = await connect(tenantId, account);
      expect(connected.status, connected.body).toBe(201);
      expect(connected.json).toMatchObject({
        method: 'manual',
        state: 'completed',
        wabaId: account.wabaId,
        phoneNumberId: account.phoneNumberId,
      });
      const tokens = await world.api('GET', `/api/v1/tenants/${tenantId}/access-tokens`);
      expect(tokens.json.data).toMatchObject([{ kind: 'system_user', wabaId: account.wabaId }]);
      const health = await world.api('GET', `/api/v1/tenants/${tenantId}/health/${account.phoneNumberId}`);
      expect(health.json.checks.find((check: { name: string }) => check.name === 'token').status).toBe('ok');
    });

    it('names the missing permission and saves nothing', async () => {
      const tenantId = await newTenant('Manual Sem Permissão');
      const account = metaAccount({
        scopes: ['whatsapp_business_management', 'whatsapp_business_messaging'],
      });
      const refused = await connect(tenantId, account);
      expect(refused.status).toBe(400);
      expect(refused.json.error.code).toBe('validation_failed');
      expect(refused.json.error.details).toMatchObject({
        step: 'check-token',
        reason: 'permission_missing',
        missingPermissions: ['business_management'],
      });
      expect(refused.json.error.message).toContain('business_management');
      expect((await world.api('GET', `/api/v1/tenants/${tenantId}/wabas`)).json.data).toEqual([]);
      expect((await world.api('GET', `/api/v1/tenants/${tenantId}/access-tokens`)).json.data).toEqual([]);
    });

    it('refuses a token Meta does not accept, one granted for another account, and a number the account does not have', async () => {
      const tenantId = await newTenant('Manual Recusas');
      const account = metaAccount();
      const invalid = await connect(tenantId, { ...account, token: 'EAAG-this-token-was-never-issued-0000' });
      expect(invalid.json.error.details).toMatchObject({ step: 'check-token', reason: 'token_invalid' });

      const other = metaAccount();
      const elsewhere = await connect(tenantId, { ...account, token: other.token });
      expect(elsewhere.json.error.details).toMatchObject({
        step: 'check-token',
        reason: 'permission_missing',
        missingPermissions: ['whatsapp_business_management', 'whatsapp_business_messaging'],
      });

      const wrongNumber = await connect(tenantId, { ...account, phoneNumberId: other.phoneNumberId });
      expect(wrongNumber.json.error.details).toMatchObject({
        step: 'discover-assets',
        reason: 'number_not_found',
      });
      expect((await world.api('GET', `/api/v1/tenants/${tenantId}/phone-numbers`)).json.data).toEqual([]);
    });

    it('asks for the two-step PIN of a number not yet registered, and resumes with it', async () => {
      const tenantId = await newTenant('Manual PIN');
      const account = metaAccount({ isRegistered: false });
      const first = await connect(tenantId, account);
      expect(first.status).toBe(201);
      expect(first.json).toMatchObject({
        state: 'failed',
        failure: { step: 'register-number', reason: 'pin_required' },
      });
      const resumed = await world.api(
        'POST',
        `/api/v1/tenants/${tenantId}/onboardings/${first.json.id}/resume`,
        { pin: '246810' },
      );
      expect(resumed.json).toMatchObject({ state: 'completed', failure: null });
    });
  });

  describe('disconnect', () => {
    /** A connected number with a conversation, and messages held (the number is paused). */
    const numberWithTraffic = async (name: string) => {
      const tenantId = await newTenant(name);
      const account = metaAccount();
      expect((await connect(tenantId, account)).json.state).toBe('completed');
      const customer = '5511966660001';
      const inbound = world.simulator.customerSays({ from: customer, to: account.phoneNumberId, text: 'Oi' });
      await waitFor('the inbound message', async () =>
        Boolean(
          await world.coxcox.store.db
            .selectFrom('messages')
            .select('id')
            .where('wamid', '=', inbound.id)
            .executeTakeFirst(),
        ),
      );
      await world.coxcox.store.db
        .updateTable('phone_numbers')
        .set({ is_healthy: 0, health_problem: 'token invalid: paused by the test' })
        .where('phone_number_id', '=', account.phoneNumberId)
        .execute();
      const ids: string[] = [];
      for (let index = 0; index < 3; index += 1) {
        const { id } = await enqueueMessage(world.coxcox.store.db, {
          tenantId,
          phoneNumberId: account.phoneNumberId,
          source: 'campaign',
          category: 'UTILITY',
          message: {
            to: `4915300${index}`,
            type: 'template',
            template: { name: 'hello_world', languageCode: 'en_US' },
          },
        });
        ids.push(id);
      }
      world.coxcox.dispatcher.wake();
      await waitFor('the messages to be held', async () => {
        const rows = await world.coxcox.store.db
          .selectFrom('outbox')
          .select('state')
          .where('id', 'in', ids)
          .execute();
        return rows.every((row) => row.state === 'held');
      });
      return { tenantId, account, ids };
    };

    it('keeps the data when asked: the number stops sending, held messages are cancelled with the reason', async () => {
      const { tenantId, account, ids } = await numberWithTraffic('Desconecta Mantém');
      const result = await world.api(
        'POST',
        `/api/v1/tenants/${tenantId}/phone-numbers/${account.phoneNumberId}/disconnect`,
        {
          data: 'keep',
          reason: 'moving to another provider',
        },
      );
      expect(result.status, result.body).toBe(200);
      expect(result.json).toMatchObject({ data: 'keep', cancelledMessages: 3 });
      const rows = await world.coxcox.store.db
        .selectFrom('outbox')
        .select(['state', 'hold_reason', 'error_title'])
        .where('id', 'in', ids)
        .execute();
      for (const row of rows) {
        expect(row).toMatchObject({ state: 'cancelled', hold_reason: 'number-disconnected' });
        expect(row.error_title).toContain('moving to another provider');
      }
      const numbers = await world.api('GET', `/api/v1/tenants/${tenantId}/phone-numbers`);
      expect(numbers.json.data[0]).toMatchObject({ phoneNumberId: account.phoneNumberId, isHealthy: false });
      expect(
        (
          await world.coxcox.store.db
            .selectFrom('messages')
            .select('id')
            .where('tenant_id', '=', tenantId)
            .execute()
        ).length,
      ).toBe(1);
      const health = await world.api('GET', `/api/v1/tenants/${tenantId}/health/${account.phoneNumberId}`);
      expect(health.json.checks.find((check: { name: string }) => check.name === 'connection')).toMatchObject(
        { status: 'critical' },
      );

      // Nothing new goes out, even after a new token (which clears token problems, not a disconnect).
      await world.api('POST', `/api/v1/tenants/${tenantId}/access-tokens`, {
        token: `${account.token}-renewed`,
        kind: 'system_user',
        wabaId: account.wabaId,
      });
      const sent = await world.api('POST', `/api/v1/messages?tenantId=${tenantId}`, {
        phoneNumberId: account.phoneNumberId,
        message: {
          to: '+4915300999',
          type: 'template',
          template: { name: 'hello_world', languageCode: 'en_US' },
        },
      });
      expect(sent.status).toBe(202);
      await world.coxcox.dispatcher.runOnce();
      const late = await world.coxcox.store.db
        .selectFrom('outbox')
        .select('state')
        .where('id', '=', sent.json.id)
        .executeTakeFirstOrThrow();
      expect(late.state).toBe('held');
      expect(world.simulator.state.acceptedByCallbackData.get(sent.json.id)).toBeUndefined();
    });

    it('deletes the number and its data when asked', async () => {
      const { tenantId, account } = await numberWithTraffic('Desconecta Apaga');
      const result = await world.api(
        'POST',
        `/api/v1/tenants/${tenantId}/phone-numbers/${account.phoneNumberId}/disconnect`,
        { data: 'delete' },
      );
      expect(result.status, result.body).toBe(200);
      // One conversation with the customer who wrote, and one per recipient of the queued messages.
      expect(result.json).toMatchObject({
        data: 'delete',
        cancelledMessages: 3,
        deleted: { phone_numbers: 1, messages: 1, conversations: 4, outbox: 3, wabas: 1 },
      });
      const db = world.coxcox.store.db;
      for (const table of [
        'messages',
        'conversations',
        'outbox',
        'phone_numbers',
        'wabas',
        'access_tokens',
      ] as const) {
        expect(
          await db.selectFrom(table).select('tenant_id').where('tenant_id', '=', tenantId).execute(),
          table,
        ).toEqual([]);
      }
      expect(
        (await world.api('GET', `/api/v1/tenants/${tenantId}/health/${account.phoneNumberId}`)).status,
      ).toBe(404);
    });
  });

  it('keeps every route with an id to its own tenant', async () => {
    const mine = await newTenant('Isolamento A');
    const theirs = await newTenant('Isolamento B');
    const key = (await world.api('POST', `/api/v1/tenants/${mine}/api-keys`, { name: 'test' })).json
      .key as string;
    const asMine = { authorization: `Bearer ${key}` };
    const account = metaAccount();
    const connected = await connect(theirs, account);
    expect(connected.json.state).toBe('completed');
    const link = await world.api('POST', `/api/v1/tenants/${theirs}/setup-links`, {});
    const onboardingId = connected.json.id as string;
    const number = account.phoneNumberId;

    const theirRoutes: Array<[method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown]> = [
      ['POST', `/api/v1/tenants/${theirs}/setup-links`, {}],
      ['GET', `/api/v1/tenants/${theirs}/setup-links`],
      ['DELETE', `/api/v1/tenants/${theirs}/setup-links/${link.json.id}`],
      ['GET', `/api/v1/tenants/${theirs}/onboardings`],
      ['GET', `/api/v1/tenants/${theirs}/onboardings/${onboardingId}`],
      ['POST', `/api/v1/tenants/${theirs}/onboardings/${onboardingId}/resume`, {}],
      [
        'POST',
        `/api/v1/tenants/${theirs}/connections`,
        { wabaId: account.wabaId, phoneNumberId: number, accessToken: account.token },
      ],
      ['POST', `/api/v1/tenants/${theirs}/phone-numbers/${number}/disconnect`, { data: 'delete' }],
      ['GET', `/api/v1/tenants/${theirs}/health`],
      ['GET', `/api/v1/tenants/${theirs}/health/events`],
      ['POST', `/api/v1/tenants/${theirs}/health/check`],
      ['GET', `/api/v1/tenants/${theirs}/health/${number}`],
      // Their ids under my tenant.
      ['DELETE', `/api/v1/tenants/${mine}/setup-links/${link.json.id}`],
      ['GET', `/api/v1/tenants/${mine}/onboardings/${onboardingId}`],
      ['POST', `/api/v1/tenants/${mine}/onboardings/${onboardingId}/resume`, {}],
      ['POST', `/api/v1/tenants/${mine}/phone-numbers/${number}/disconnect`, { data: 'delete' }],
      ['GET', `/api/v1/tenants/${mine}/health/${number}`],
    ];
    for (const [method, url, body] of theirRoutes) {
      const response = await world.api(method, url, body, asMine);
      expect(response.status, `${method} ${url}`).toBe(404);
      expect(response.json.error.code, `${method} ${url}`).toBe('not_found');
    }
    // Creating a tenant with a link is the admin's.
    expect(
      (await world.api('POST', '/api/v1/setup-links', { tenantName: 'Sneaky' }, asMine)).json.error.code,
    ).toBe('forbidden');
    // Nothing of theirs changed.
    expect((await world.api('GET', `/api/v1/tenants/${theirs}/phone-numbers`)).json.data).toMatchObject([
      { phoneNumberId: number, isHealthy: true },
    ]);
    expect(
      (await world.api('GET', `/api/v1/tenants/${theirs}/setup-links`)).json.data[0].revokedAt,
    ).toBeNull();
    // And my own routes answer.
    expect((await world.api('GET', `/api/v1/tenants/${mine}/health`, undefined, asMine)).json.data).toEqual(
      [],
    );
    expect((await world.api('POST', `/api/v1/tenants/${mine}/setup-links`, {}, asMine)).status).toBe(201);
  });
});
