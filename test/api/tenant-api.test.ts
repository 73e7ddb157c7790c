import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/create-logger.ts';
import { startTestCoxcox, TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';
import { metaJson, signature, textMessageNotification, wamid } from '../support/meta-body.ts';

const databases = await testDatabases();

describe.each(databases)('tenant API on $name', (database) => {
  let coxcox: Awaited<ReturnType<typeof startTestCoxcox>>;
  const logLines: string[] = [];
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
  const secrets = {
    appSecretA: 'app-secret-of-acme-0001',
    verifyTokenA: 'verify-token-acme-0001',
    accessTokenA: 'EAAG-access-token-of-acme-000000000001',
    appSecretB: 'app-secret-of-globex-002',
    verifyTokenB: 'verify-token-globex-002',
  };
  let keyA: string;
  let keyB: string;
  let messageA: string;
  let deliveryA: number;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    coxcox = await startTestCoxcox(database, { LOG_LEVEL: 'debug' }, { logger: createLogger('debug', sink) });
  });
  afterAll(async () => coxcox?.dispose());

  const call = (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    headers: Record<string, string>,
    payload?: unknown,
  ) =>
    coxcox.app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  it('creates tenants, keys, apps, WABAs, numbers and tokens as admin', async () => {
    expect((await call('POST', '/api/v1/tenants', admin, { id: 'acme', name: 'Acme' })).statusCode).toBe(201);
    expect((await call('POST', '/api/v1/tenants', admin, { id: 'globex', name: 'Globex' })).statusCode).toBe(
      201,
    );
    keyA = (await call('POST', '/api/v1/tenants/acme/api-keys', admin, { name: 'ci' })).json().key;
    keyB = (await call('POST', '/api/v1/tenants/globex/api-keys', admin, { name: 'ci' })).json().key;
    expect(keyA).toMatch(/^cxk_/);
    const app = await call('POST', '/api/v1/tenants/acme/apps', admin, {
      appId: '7001',
      appSecret: secrets.appSecretA,
      verifyToken: secrets.verifyTokenA,
    });
    expect(app.statusCode).toBe(201);
    expect(JSON.stringify(app.json())).not.toContain(secrets.appSecretA);
    await call('POST', '/api/v1/tenants/globex/apps', admin, {
      appId: '7002',
      appSecret: secrets.appSecretB,
      verifyToken: secrets.verifyTokenB,
    });
    expect(
      (await call('POST', '/api/v1/tenants/acme/wabas', admin, { wabaId: '5001', appId: '7001' })).statusCode,
    ).toBe(201);
    expect(
      (await call('POST', '/api/v1/tenants/globex/wabas', admin, { wabaId: '5002', appId: '7002' }))
        .statusCode,
    ).toBe(201);
    const number = await call('POST', '/api/v1/tenants/acme/phone-numbers', admin, {
      wabaId: '5001',
      phoneNumberId: '6001',
      displayPhoneNumber: '+1 555 000 6001',
    });
    expect(number.statusCode).toBe(201);
    expect(number.json()).toMatchObject({ phoneNumberId: '6001', throughputMps: 80, isHealthy: true });
    await call('POST', '/api/v1/tenants/globex/phone-numbers', admin, {
      wabaId: '5002',
      phoneNumberId: '6002',
    });
    const token = await call('POST', '/api/v1/tenants/acme/access-tokens', keyHeader(keyA), {
      token: secrets.accessTokenA,
      kind: 'user',
      wabaId: '5001',
      expiresAt: '2030-01-01T00:00:00Z',
    });
    expect(token.statusCode).toBe(201);
    expect(token.json()).toMatchObject({
      kind: 'user',
      hint: '…0001',
      expiresAt: '2030-01-01T00:00:00.000Z',
    });
    expect(JSON.stringify(token.json())).not.toContain(secrets.accessTokenA);
    expect(await coxcox.directory.accessTokenFor('acme', '5001')).toBe(secrets.accessTokenA);
  });

  it('keeps secrets encrypted at rest', async () => {
    const apps = await coxcox.store.db.selectFrom('meta_apps').selectAll().execute();
    const tokens = await coxcox.store.db.selectFrom('access_tokens').selectAll().execute();
    const stored = JSON.stringify([apps, tokens]);
    for (const secret of Object.values(secrets)) expect(stored).not.toContain(secret);
    expect(apps.every((row) => row.app_secret_enc.startsWith('v1.k1.'))).toBe(true);
  });

  it('routes webhooks per app and tenant, verifying with each app’s own secret and token', async () => {
    const challenge = await call(
      'GET',
      `/webhooks/whatsapp/7001?hub.mode=subscribe&hub.verify_token=${secrets.verifyTokenA}&hub.challenge=abc`,
      {},
    );
    expect(challenge.body).toBe('abc');
    const crossed = await call(
      'GET',
      `/webhooks/whatsapp/7002?hub.mode=subscribe&hub.verify_token=${secrets.verifyTokenA}&hub.challenge=abc`,
      {},
    );
    expect(crossed.statusCode).toBe(403);
    messageA = wamid();
    const body = metaJson(
      textMessageNotification({
        wabaId: '5001',
        phoneNumberId: '6001',
        from: '15550101',
        text: 'acme only',
        id: messageA,
      }),
    );
    const wrongSecret = await coxcox.app.inject({
      method: 'POST',
      url: '/webhooks/whatsapp/7001',
      payload: body,
      headers: {
        'x-hub-signature-256': signature(body, secrets.appSecretB),
        'content-type': 'application/json',
      },
    });
    expect(wrongSecret.statusCode).toBe(401);
    const accepted = await coxcox.app.inject({
      method: 'POST',
      url: '/webhooks/whatsapp/7001',
      payload: body,
      headers: {
        'x-hub-signature-256': signature(body, secrets.appSecretA),
        'content-type': 'application/json',
      },
    });
    expect(accepted.statusCode).toBe(200);
    await coxcox.processor.drain();
    const listed = await call('GET', '/api/v1/messages', keyHeader(keyA));
    expect(listed.json().data.map((message: { wamid: string }) => message.wamid)).toContain(messageA);
    deliveryA = (await call('GET', '/api/v1/webhook-deliveries', keyHeader(keyA))).json().data[0].id;
  });

  it('refuses requests without a valid bearer token', async () => {
    expect((await call('GET', '/api/v1/tenants', {})).statusCode).toBe(401);
    expect(
      (await call('GET', '/api/v1/tenants', { authorization: 'Bearer cxk_not-a-key' })).json().error.code,
    ).toBe('unauthorized');
    expect((await call('POST', '/api/v1/tenants', keyHeader(keyA), { name: 'x' })).json().error.code).toBe(
      'forbidden',
    );
  });

  it('names what is wrong in bad input', async () => {
    const response = await call('POST', '/api/v1/tenants/acme/phone-numbers', admin, {
      wabaId: '5001',
      phoneNumberId: '',
      throughputMps: 5000,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
    expect(response.json().error.message).toContain('phoneNumberId');
    expect(response.json().error.message).toContain('throughputMps');
  });

  it('never lets one tenant see or touch another tenant’s data, on every route that carries an id', async () => {
    const b = keyHeader(keyB);
    const tenantRoutes = ['', '/api-keys', '/apps', '/wabas', '/phone-numbers', '/access-tokens'];
    for (const suffix of tenantRoutes) {
      const response = await call('GET', `/api/v1/tenants/acme${suffix}`, b);
      expect(response.statusCode, suffix).toBe(404);
      expect(response.body).not.toContain('7001');
    }
    for (const [suffix, payload] of [
      ['/api-keys', { name: 'steal' }],
      ['/apps', { appId: '7999', appSecret: 'xxxxxxxxxxxx', verifyToken: 'yyyyyyyyyy' }],
      ['/wabas', { wabaId: '5999' }],
      ['/phone-numbers', { wabaId: '5001', phoneNumberId: '6999' }],
      ['/access-tokens', { token: 'EAAG-xxxxxxxxxxxxxxxxxxxxx', kind: 'user' }],
    ] as const) {
      expect((await call('POST', `/api/v1/tenants/acme${suffix}`, b, payload)).statusCode, suffix).toBe(404);
    }
    // Globex cannot claim Acme's WABA for its own number either: a company registers no ids unchecked.
    expect(
      (
        await call('POST', '/api/v1/tenants/globex/phone-numbers', b, {
          wabaId: '5001',
          phoneNumberId: '6998',
        })
      ).statusCode,
    ).toBe(403);
    const acmeKeys = (await call('GET', '/api/v1/tenants/acme/api-keys', admin)).json().data;
    expect((await call('DELETE', `/api/v1/tenants/acme/api-keys/${acmeKeys[0].id}`, b)).statusCode).toBe(404);
    expect((await call('DELETE', `/api/v1/tenants/globex/api-keys/${acmeKeys[0].id}`, b)).statusCode).toBe(
      404,
    );

    expect((await call('GET', '/api/v1/tenants', b)).json().data.map((t: { id: string }) => t.id)).toEqual([
      'globex',
    ]);
    expect((await call('GET', '/api/v1/messages', b)).json().data).toEqual([]);
    expect((await call('GET', '/api/v1/messages?tenantId=acme', b)).statusCode).toBe(404);
    const messageId = (await call('GET', '/api/v1/messages', keyHeader(keyA))).json().data[0].id;
    expect((await call('GET', `/api/v1/messages/${messageId}/statuses`, b)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/messages/${messageId}/statuses`, keyHeader(keyA))).statusCode).toBe(
      200,
    );
    expect((await call('GET', '/api/v1/webhook-deliveries', b)).json().data).toEqual([]);
    expect((await call('GET', `/api/v1/webhook-deliveries/${deliveryA}`, b)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/webhook-deliveries/${deliveryA}`, keyHeader(keyA))).statusCode).toBe(
      200,
    );
    expect((await call('GET', '/api/v1/webhook-events?isUnrouted=true', b)).json().data).toEqual([]);
  });

  it("refuses a token scoped to another tenant's WABA as one for a missing WABA", async () => {
    const b = keyHeader(keyB);
    const tokensBefore = (await call('GET', '/api/v1/tenants/globex/access-tokens', b)).json().data;
    for (const wabaId of ['5001', '5999']) {
      // 5001 is Acme's, 5999 exists nowhere: the same answer, so the id reveals nothing.
      const response = await call('POST', '/api/v1/tenants/globex/access-tokens', b, {
        token: 'EAAG-globex-token-for-a-foreign-waba',
        kind: 'system_user',
        wabaId,
      });
      expect(response.statusCode, wabaId).toBe(404);
      expect(response.json().error).toMatchObject({
        code: 'not_found',
        message: `WABA ${wabaId} was not found`,
      });
    }
    expect((await call('GET', '/api/v1/tenants/globex/access-tokens', b)).json().data).toEqual(tokensBefore);
    // Its own WABA, and no WABA at all, are fine.
    for (const payload of [{ wabaId: '5002' }, {}]) {
      const own = await call('POST', '/api/v1/tenants/globex/access-tokens', b, {
        token: 'EAAG-globex-own-token-000000000',
        kind: 'system_user',
        ...payload,
      });
      expect(own.statusCode).toBe(201);
    }
  });

  it('revokes a key', async () => {
    const created = (await call('POST', '/api/v1/tenants/acme/api-keys', admin, { name: 'temp' })).json();
    expect((await call('GET', '/api/v1/tenants', keyHeader(created.key))).statusCode).toBe(200);
    expect(
      (await call('DELETE', `/api/v1/tenants/acme/api-keys/${created.id}`, keyHeader(keyA))).statusCode,
    ).toBe(204);
    expect((await call('GET', '/api/v1/tenants', keyHeader(created.key))).statusCode).toBe(401);
  });

  it('serves the OpenAPI document at /docs', async () => {
    const document = await call('GET', '/docs/json', {});
    expect(document.statusCode).toBe(200);
    const paths = Object.keys(document.json().paths);
    expect(paths).toContain('/api/v1/tenants/{tenantId}/phone-numbers');
    expect(paths).toContain('/api/v1/webhook-deliveries');
    expect(paths).not.toContain('/webhooks/whatsapp');
  });

  it('never writes a secret to the log', async () => {
    await call(
      'GET',
      `/webhooks/whatsapp/7001?hub.mode=subscribe&hub.verify_token=${secrets.verifyTokenA}&hub.challenge=1`,
      {},
    );
    coxcox.app.log.info({ appSecret: secrets.appSecretA, token: secrets.accessTokenA }, 'probe');
    const log = logLines.join('');
    expect(log).toContain('probe');
    for (const secret of [...Object.values(secrets), keyA, keyB, TEST_ADMIN_TOKEN])
      expect(log).not.toContain(secret);
  });
});

function keyHeader(key: string) {
  return { authorization: `Bearer ${key}` };
}
