import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_APP_ID, SANDBOX_PHONE_NUMBER_ID, SANDBOX_WABA_ID, sandboxSecret } from '../../src/coxcox.ts';
import { startTestCoxcox, TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';
import { metaJson, signature, textMessageNotification } from '../support/meta-body.ts';

const databases = await testDatabases();

describe.each(databases)('webhook intake on $name', (database) => {
  let coxcox: Awaited<ReturnType<typeof startTestCoxcox>>;
  let appSecret: string;
  let verifyToken: string;
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

  beforeAll(async () => {
    coxcox = await startTestCoxcox(database);
    appSecret = sandboxSecret(coxcox.config.secretKey, 'app secret');
    verifyToken = sandboxSecret(coxcox.config.secretKey, 'verify token');
  });
  afterAll(async () => coxcox?.dispose());

  const post = (body: string | Buffer, headers: Record<string, string> = {}, url = '/webhooks/whatsapp') =>
    coxcox.app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  const deliveryCount = async () =>
    Number(
      (
        await coxcox.store.db
          .selectFrom('webhook_deliveries')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  describe('verification GET', () => {
    it('answers the challenge as plain text when the token matches', async () => {
      for (const url of ['/webhooks/whatsapp', `/webhooks/whatsapp/${SANDBOX_APP_ID}`]) {
        const response = await coxcox.app.inject({
          method: 'GET',
          url,
          query: { 'hub.mode': 'subscribe', 'hub.verify_token': verifyToken, 'hub.challenge': '1158201444' },
        });
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toMatch(/^text\/plain/);
        expect(response.body).toBe('1158201444');
      }
    });

    it('refuses a wrong token, a wrong mode, and an unknown app with 403', async () => {
      const cases = [
        {
          url: '/webhooks/whatsapp',
          query: { 'hub.mode': 'subscribe', 'hub.verify_token': 'wrong', 'hub.challenge': 'x' },
        },
        {
          url: '/webhooks/whatsapp',
          query: { 'hub.mode': 'unsubscribe', 'hub.verify_token': verifyToken, 'hub.challenge': 'x' },
        },
        {
          url: '/webhooks/whatsapp',
          query: { 'hub.mode': 'subscribe', 'hub.verify_token': verifyToken } as Record<string, string>,
        },
        {
          url: '/webhooks/whatsapp/no-such-app',
          query: { 'hub.mode': 'subscribe', 'hub.verify_token': verifyToken, 'hub.challenge': 'x' },
        },
      ];
      for (const { url, query } of cases) {
        const response = await coxcox.app.inject({ method: 'GET', url, query });
        expect(response.statusCode, JSON.stringify(query)).toBe(403);
        expect(response.body).not.toBe('x');
      }
    });
  });

  describe('signed POST', () => {
    it('stores the exact bytes before answering 200, escaped unicode and \\/ included', async () => {
      const notification = textMessageNotification({
        wabaId: SANDBOX_WABA_ID,
        phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
        from: '5511987654321',
        text: 'Olá, preço? https://exemplo.com/produto 🙂 ünïcödé',
      });
      const body = metaJson(notification);
      expect(body).toContain('\\/');
      expect(body).toContain('\\u00e1');
      const before = await deliveryCount();
      const response = await post(body, { 'x-hub-signature-256': signature(body, appSecret) });
      expect(response.statusCode).toBe(200);
      expect(await deliveryCount()).toBe(before + 1);
      const stored = await coxcox.store.db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(stored.body.equals(Buffer.from(body))).toBe(true);
      expect(stored.app_id).toBe(SANDBOX_APP_ID);
    });

    it('refuses a re-serialised body whose signature was computed over the escaped bytes', async () => {
      const notification = textMessageNotification({
        wabaId: SANDBOX_WABA_ID,
        phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
        from: '5511987654321',
        text: 'ação / reação',
      });
      const escaped = metaJson(notification);
      const plain = JSON.stringify(notification);
      expect(plain).not.toBe(escaped);
      const response = await post(plain, { 'x-hub-signature-256': signature(escaped, appSecret) });
      expect(response.statusCode).toBe(401);
    });

    it('answers 401 to missing, malformed and wrong signatures, stores nothing, and counts them', async () => {
      const body = metaJson(
        textMessageNotification({
          wabaId: SANDBOX_WABA_ID,
          phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
          from: '1',
          text: 'hi',
        }),
      );
      const before = await deliveryCount();
      const failuresBefore = coxcox.metrics.value('coxcox_webhook_signature_failures_total', {
        app: SANDBOX_APP_ID,
      });
      const bad: Record<string, string>[] = [
        {},
        { 'x-hub-signature-256': 'sha256=' },
        { 'x-hub-signature-256': 'sha1=abcdef' },
        { 'x-hub-signature-256': signature(body, 'not-the-secret') },
        { 'x-hub-signature-256': `${signature(body, appSecret)}00` },
        { 'x-hub-signature-256': signature(`${body} `, appSecret) },
      ];
      for (const headers of bad) {
        const response = await post(body, headers);
        expect(response.statusCode, JSON.stringify(headers)).toBe(401);
        expect(response.json().error.code).toBe('invalid_signature');
      }
      expect(await deliveryCount()).toBe(before);
      expect(coxcox.metrics.value('coxcox_webhook_signature_failures_total', { app: SANDBOX_APP_ID })).toBe(
        failuresBefore + bad.length,
      );
      const metrics = await coxcox.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toContain('coxcox_webhook_signature_failures_total{app="sandbox-app"}');
    });

    it('accepts an uppercase hex signature', async () => {
      const body = metaJson(
        textMessageNotification({
          wabaId: SANDBOX_WABA_ID,
          phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
          from: '1',
          text: 'x',
        }),
      );
      const upper = `sha256=${signature(body, appSecret).slice(7).toUpperCase()}`;
      expect((await post(body, { 'x-hub-signature-256': upper })).statusCode).toBe(200);
    });

    it('stores a signed body that is not JSON and flags it, still answering 200', async () => {
      const body = '{"object":"whatsapp_business_account","entry":[{"id":';
      const response = await post(body, { 'x-hub-signature-256': signature(body, appSecret) });
      expect(response.statusCode).toBe(200);
      await coxcox.processor.drain();
      const stored = await coxcox.store.db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(stored.body.toString()).toBe(body);
      expect(stored.state).toBe('invalid');
      expect(stored.problem).toBeTruthy();
      const listed = await coxcox.app.inject({
        method: 'GET',
        url: '/api/v1/webhook-deliveries?state=invalid',
        headers: admin,
      });
      expect(listed.json().data.map((row: { id: number }) => row.id)).toContain(stored.id);
    });

    it('accepts any content type and bodies up to 3 MiB, and refuses larger ones with 413', async () => {
      const padding = 'x'.repeat(3 * 1024 * 1024 - 200);
      const big = metaJson({ object: 'whatsapp_business_account', entry: [], padding });
      expect(Buffer.byteLength(big)).toBeLessThanOrEqual(3 * 1024 * 1024);
      const ok = await post(big, {
        'x-hub-signature-256': signature(big, appSecret),
        'content-type': 'text/plain',
      });
      expect(ok.statusCode).toBe(200);
      const tooBig = `${big}${'y'.repeat(1024)}`;
      const refused = await post(tooBig, { 'x-hub-signature-256': signature(tooBig, appSecret) });
      expect(refused.statusCode).toBe(413);
    });

    it('answers 404 for an app no tenant owns, and stores nothing', async () => {
      const body = '{}';
      const before = await deliveryCount();
      const response = await post(
        body,
        { 'x-hub-signature-256': signature(body, appSecret) },
        '/webhooks/whatsapp/424242',
      );
      expect(response.statusCode).toBe(404);
      expect(await deliveryCount()).toBe(before);
    });

    it('commits concurrent deliveries in groups and answers every one', async () => {
      const before = await deliveryCount();
      const bodies = Array.from({ length: 300 }, (_, index) =>
        metaJson(
          textMessageNotification({
            wabaId: SANDBOX_WABA_ID,
            phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
            from: '4477',
            text: `m${index}`,
          }),
        ),
      );
      const responses = await Promise.all(
        bodies.map((body) => post(body, { 'x-hub-signature-256': signature(body, appSecret) })),
      );
      expect(responses.every((response) => response.statusCode === 200)).toBe(true);
      expect(await deliveryCount()).toBe(before + 300);
    });
  });
});
