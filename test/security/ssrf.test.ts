import { lookup as dnsLookup } from 'node:dns';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createModel } from '../../src/agent/models/create-model.ts';
import { startFakeOpenAiServer } from '../../src/agent/models/fake-openai-server.ts';
import { testModelConnection } from '../../src/agent/test-model-connection.ts';
import { SANDBOX_PHONE_NUMBER_ID, SANDBOX_TENANT_ID, SANDBOX_WABA_ID } from '../../src/coxcox.ts';
import { createSafeDispatcher, createSafeFetch } from '../../src/net/index.ts';
import { emitTenantEvent } from '../../src/tenant-webhooks/index.ts';
import { createWebhookPoster } from '../../src/tenant-webhooks/outbound-webhooks.ts';
import { createGraphTarget, GraphError, UndiciGraphClient } from '../../src/whatsapp/graph/index.ts';
import { startTestCoxcox, TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { sqliteDatabase } from '../support/databases.ts';

// SSRF is decided by the HTTP clients, not the store: one dialect is enough here.
const database = sqliteDatabase;
const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

interface Listener {
  port: number;
  url: string;
  requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/**
 * An internal service on loopback that must never hear from a tenant-chosen URL. It listens on `::` (both
 * stacks), so `localhost` reaches it whether it resolves to 127.0.0.1 or ::1. With `redirectTo`, it
 * answers every request with a 307 there (which keeps the method and body).
 */
async function startListener(redirectTo?: () => string): Promise<Listener> {
  const requests: Listener['requests'] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers });
      if (redirectTo) {
        response.writeHead(307, { location: `${redirectTo()}${request.url ?? '/'}` }).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '::', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `rebind.example` resolves to loopback, as a tenant's DNS would make it at connection time. */
const rebindingLookup: LookupFunction = (hostname, options, callback) => {
  if (hostname !== 'rebind.example') {
    dnsLookup(hostname, options, callback);
    return;
  }
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

/** The host forms that reached loopback (or the cloud metadata address) before; PORT is the listener's. */
const literalForms = [
  { form: 'IPv4-mapped IPv6 loopback', url: 'http://[::ffff:127.0.0.1]:PORT' },
  { form: 'IPv4-mapped IPv6 metadata address', url: 'http://[::ffff:a9fe:a9fe]' },
  { form: 'decimal IPv4', url: 'http://2130706433:PORT' },
  { form: 'octal IPv4', url: 'http://0177.0.0.1:PORT' },
];
const nameForms = [
  { form: 'localhost', url: 'http://localhost:PORT' },
  { form: 'a name that resolves to loopback', url: 'http://rebind.example:PORT' },
];

describe('tenant-chosen URLs that reach private addresses are refused (SSRF)', () => {
  let coxcox: Awaited<ReturnType<typeof startTestCoxcox>>;
  let victim: Listener;
  const at = (url: string) => url.replace('PORT', String(victim.port));

  const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    coxcox.app.inject({
      method,
      url: `/api/v1${url}${url.includes('?') ? '&' : '?'}tenantId=${SANDBOX_TENANT_ID}`,
      headers: admin,
      ...(payload ? { payload } : {}),
    });

  beforeAll(async () => {
    victim = await startListener();
    // Sandbox mode as `npm start` runs it: the built-in simulator plays Meta on loopback, and must keep working.
    coxcox = await startTestCoxcox(database, {}, { lookup: rebindingLookup });
  });
  afterAll(async () => {
    await coxcox?.dispose();
    await victim?.close();
  });

  describe('webhook endpoints', () => {
    it.each(literalForms)('refuses a $form when the endpoint is written', async ({ url }) => {
      const response = await api('POST', '/webhook-endpoints', { url: `${at(url)}/hook` });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
      expect(response.json().error.message).toContain('ALLOW_PRIVATE_NETWORK_TARGETS');
    });

    it.each(nameForms)(
      'never delivers to $form: the delivery fails once with a refusal, not a status',
      async ({ url }) => {
        const created = await api('POST', '/webhook-endpoints', { url: `${at(url)}/hook` });
        expect(created.statusCode).toBe(201);
        await emitTenantEvent(coxcox.store.db, {
          tenantId: SANDBOX_TENANT_ID,
          event: 'contact.opted_out',
          data: { probe: url },
        });
        await coxcox.campaigns.jobs.drain();
        const deliveries = (await api('GET', `/webhook-endpoints/${created.json().id}/deliveries`)).json()
          .data;
        expect(deliveries).toHaveLength(1);
        expect(deliveries[0]).toMatchObject({ state: 'failed', attempts: 1, responseStatus: null });
        expect(deliveries[0].lastError).toMatch(
          /^target_refused: .*127\.0\.0\.1.*ALLOW_PRIVATE_NETWORK_TARGETS/,
        );
        expect(victim.requests).toEqual([]);
      },
    );
  });

  describe("a number's graphApiUrl", () => {
    const setGraphApiUrl = (graphApiUrl: string) =>
      api('POST', `/tenants/${SANDBOX_TENANT_ID}/phone-numbers`, {
        wabaId: SANDBOX_WABA_ID,
        phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
        graphApiUrl,
      });

    it.each(literalForms)('refuses a $form when the number is written', async ({ url }) => {
      const response = await setGraphApiUrl(at(url));
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
      expect(response.json().error.message).toContain('ALLOW_PRIVATE_NETWORK_TARGETS');
    });

    it.each(nameForms)('never sends the access token to $form, and does not retry', async ({ url }) => {
      expect((await setGraphApiUrl(at(url))).statusCode).toBe(201);
      const syncError = await coxcox.campaigns.templates.sync(SANDBOX_TENANT_ID, SANDBOX_WABA_ID).then(
        () => null,
        (failure: unknown) => failure,
      );
      expect(syncError).toMatchObject({ code: 'validation_failed' });
      expect((syncError as Error).message).toContain('target_refused');
      // What the dispatcher gets for a send: fix-request, which it fails at once instead of retrying.
      const sendError = await coxcox.graph
        .sendMessage(
          createGraphTarget({
            phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
            accessToken: 'tenant-token',
            graphApiUrl: at(url),
          }),
          { to: '5511987650001', type: 'text', text: { body: 'hi' } },
        )
        .then(
          () => null,
          (failure: unknown) => failure,
        );
      expect(sendError).toBeInstanceOf(GraphError);
      expect(sendError).toMatchObject({
        category: 'fix-request',
        reason: 'target-refused',
        outcome: 'not-sent',
      });
      expect((sendError as GraphError).message).toContain('ALLOW_PRIVATE_NETWORK_TARGETS');
      expect(victim.requests).toEqual([]);
    });

    it("keeps the operator's own Graph URL (the simulator on loopback) reachable, also when a number names it", async () => {
      const simulatorUrl = coxcox.simulator?.url;
      if (!simulatorUrl) throw new Error('sandbox mode should have started the built-in simulator');
      expect((await setGraphApiUrl(simulatorUrl)).statusCode).toBe(201);
      await expect(
        coxcox.campaigns.templates.sync(SANDBOX_TENANT_ID, SANDBOX_WABA_ID),
      ).resolves.toBeDefined();
    });
  });

  describe('the model base URL', () => {
    it.each([...literalForms, ...nameForms])(
      'does not call a $form in the connection test, nor report a status',
      async ({ url }) => {
        const put = await api('PUT', '/agent/model-settings', {
          provider: 'openai-compatible',
          baseUrl: `${at(url)}/v1`,
          model: 'gpt-4o-mini',
          apiKey: 'sk-tenant-key',
        });
        expect(put.statusCode).toBe(200);
        const check = (await api('POST', '/agent/model-settings/test')).json();
        expect(check.isOk).toBe(false);
        expect(check.error).toContain('target_refused');
        expect(check.error).toContain('ALLOW_PRIVATE_NETWORK_TARGETS');
        expect(check.error).not.toMatch(/HTTP \d{3}/);
        expect(victim.requests).toEqual([]);
      },
    );
  });
});

describe('redirects to loopback are refused at the hop', () => {
  let victim: Listener;
  let redirector: Listener;

  // A fresh pair per test, so that what one test let through cannot be blamed on another.
  beforeEach(async () => {
    victim = await startListener();
    // Trusted stands in for a public host (offline, no public host answers): only the hop is checked.
    redirector = await startListener(() => victim.url);
  });
  afterEach(async () => {
    await victim?.close();
    await redirector?.close();
  });

  const trustedRedirector = () =>
    createSafeDispatcher({ allowPrivateNetworkTargets: false, trustedOrigins: [redirector.url] });

  it('the model connection test does not follow a redirect to loopback', async () => {
    const dispatcher = trustedRedirector();
    try {
      const model = createModel(
        {
          provider: 'openai-compatible',
          baseUrl: `${redirector.url}/v1`,
          apiKey: 'sk-1',
          model: 'gpt-4o-mini',
        },
        { fetch: createSafeFetch(dispatcher), maxRetries: 0 },
      );
      const check = await testModelConnection(model, 'sk-1', 5_000);
      expect(check.isOk).toBe(false);
      expect(check.error).toContain('target_refused');
      expect(redirector.requests.length).toBeGreaterThan(0);
      expect(victim.requests).toEqual([]);
    } finally {
      await dispatcher.close();
    }
  });

  it('a webhook POST is not bounced inward', async () => {
    const dispatcher = trustedRedirector();
    try {
      const answer = await createWebhookPoster(dispatcher)(
        `${redirector.url}/hook`,
        '{}',
        { 'content-type': 'application/json' },
        AbortSignal.timeout(5_000),
      );
      expect(answer.status).toBe(307);
      expect(redirector.requests).toHaveLength(1);
      expect(victim.requests).toEqual([]);
    } finally {
      await dispatcher.close();
    }
  });

  it('a Graph call is not bounced inward with the token', async () => {
    const graph = new UndiciGraphClient({
      sendTimeoutMs: 5_000,
      targetPolicy: { allowPrivateNetworkTargets: false, trustedOrigins: [redirector.url] },
    });
    try {
      const target = createGraphTarget({
        phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
        accessToken: 'tenant-token',
        graphApiUrl: redirector.url,
      });
      await expect(
        graph.sendMessage(target, { to: '5511987650001', type: 'text', text: { body: 'hi' } }),
      ).rejects.toBeInstanceOf(GraphError);
      expect(victim.requests).toEqual([]);
    } finally {
      await graph.close();
    }
  });
});

describe('ALLOW_PRIVATE_NETWORK_TARGETS=true opens loopback for every tenant-chosen URL', () => {
  let coxcox: Awaited<ReturnType<typeof startTestCoxcox>>;
  let listener: Listener;
  let model: Awaited<ReturnType<typeof startFakeOpenAiServer>>;

  const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    coxcox.app.inject({
      method,
      url: `/api/v1${url}${url.includes('?') ? '&' : '?'}tenantId=${SANDBOX_TENANT_ID}`,
      headers: admin,
      ...(payload ? { payload } : {}),
    });

  beforeAll(async () => {
    listener = await startListener();
    model = await startFakeOpenAiServer();
    coxcox = await startTestCoxcox(database, { ALLOW_PRIVATE_NETWORK_TARGETS: 'true' });
  });
  afterAll(async () => {
    await coxcox?.dispose();
    await listener?.close();
    await model?.close();
  });

  it('delivers webhooks, calls the Graph URL and the model on loopback', async () => {
    const created = await api('POST', '/webhook-endpoints', {
      url: `http://[::ffff:127.0.0.1]:${listener.port}/hook`,
    });
    expect(created.statusCode).toBe(201);
    await emitTenantEvent(coxcox.store.db, {
      tenantId: SANDBOX_TENANT_ID,
      event: 'contact.opted_out',
      data: {},
    });
    await coxcox.campaigns.jobs.drain();
    expect(listener.requests.map((request) => request.path)).toEqual(['/hook']);

    const number = await api('POST', `/tenants/${SANDBOX_TENANT_ID}/phone-numbers`, {
      wabaId: SANDBOX_WABA_ID,
      phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
      graphApiUrl: `http://2130706433:${listener.port}`,
    });
    expect(number.statusCode).toBe(201);
    await coxcox.campaigns.templates.sync(SANDBOX_TENANT_ID, SANDBOX_WABA_ID);
    expect(listener.requests[1]?.path).toMatch(new RegExp(`^/v23\\.0/${SANDBOX_WABA_ID}/message_templates`));

    model.enqueue({ text: 'Hi' });
    await api('PUT', '/agent/model-settings', {
      provider: 'openai-compatible',
      baseUrl: model.baseUrl,
      model: 'gpt-4o-mini',
      apiKey: 'sk-tenant-key',
    });
    const check = (await api('POST', '/agent/model-settings/test')).json();
    expect(check).toMatchObject({ isOk: true, error: null });
    expect(model.requests).toHaveLength(1);
  });
});
