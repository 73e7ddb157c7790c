import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAiServer, startFakeOpenAiServer } from '../../src/agent/models/fake-openai-server.ts';
import { SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { startTestCoxcox, TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { sqliteDatabase, testDatabases } from '../support/databases.ts';

const databases = await testDatabases();
const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const SAVED_KEY = 'sk-saved-key-0123456789';

/** A loopback port nobody listens on: an endpoint that cannot be reached. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

type Coxcox = Awaited<ReturnType<typeof startTestCoxcox>>;
const apiOf = (coxcox: Coxcox) => (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  coxcox.app.inject({
    method,
    url: `/api/v1${url}?tenantId=${SANDBOX_TENANT_ID}`,
    headers: admin,
    ...(payload ? { payload } : {}),
  });

describe.each(databases)(
  '"Test the connection" tests the form, not the saved settings, on $name',
  (database) => {
    let coxcox: Coxcox;
    let model: FakeOpenAiServer;
    let api: ReturnType<typeof apiOf>;

    beforeAll(async () => {
      // The fake model listens on loopback, which tenant-chosen URLs may reach only when the operator says so.
      coxcox = await startTestCoxcox(database, { ALLOW_PRIVATE_NETWORK_TARGETS: 'true' });
      api = apiOf(coxcox);
      model = await startFakeOpenAiServer({ apiKey: SAVED_KEY, responder: () => ({ text: 'Hi' }) });
      const saved = await api('PUT', '/agent/model-settings', {
        provider: 'openai-compatible',
        baseUrl: model.baseUrl,
        model: 'saved-model',
        apiKey: SAVED_KEY,
      });
      expect(saved.statusCode).toBe(200);
    });
    afterAll(async () => {
      await coxcox?.dispose();
      await model?.close();
    });

    const savedSettings = async () => (await api('GET', '/agent/model-settings')).json();

    it('reports an unsaved, unreachable endpoint as failed, with the reason, and saves nothing', async () => {
      const before = await savedSettings();
      const requestsBefore = model.requests.length;
      const unreachable = `http://127.0.0.1:${await closedPort()}/v1`;
      const response = await api('POST', '/agent/model-settings/test', {
        provider: 'openai-compatible',
        baseUrl: unreachable,
        model: 'unsaved-model',
      });
      expect(response.statusCode).toBe(200);
      const check = response.json();
      expect(check).toMatchObject({ isOk: false, reply: null });
      expect(check.error).toMatch(/ECONNREFUSED|connect/i);
      expect(check.error).not.toContain(SAVED_KEY);
      expect(model.requests).toHaveLength(requestsBefore); // the saved endpoint was not the one tried
      expect(await savedSettings()).toEqual(before);
    });

    it('tests the model and URL typed in the form with the stored key when the key field is blank', async () => {
      const requestsBefore = model.requests.length;
      const check = (
        await api('POST', '/agent/model-settings/test', {
          provider: 'openai-compatible',
          baseUrl: model.baseUrl,
          model: 'typed-model',
        })
      ).json();
      expect(check).toMatchObject({ isOk: true, error: null });
      const sent = model.requests.slice(requestsBefore);
      expect(sent.map((request) => request.model)).toEqual(['typed-model']);
      expect(sent[0]?.headers.authorization).toBe(`Bearer ${SAVED_KEY}`);
      expect((await savedSettings()).model).toBe('saved-model');
    });

    it('tests a typed key instead of the stored one, and never echoes it', async () => {
      const typedKey = 'sk-typed-but-wrong-9876543210';
      const check = (
        await api('POST', '/agent/model-settings/test', {
          provider: 'openai-compatible',
          baseUrl: model.baseUrl,
          model: 'saved-model',
          apiKey: typedKey,
        })
      ).json();
      // The fake model accepts only the stored key, so a failure shows that the typed one was sent.
      expect(check.isOk).toBe(false);
      expect(check.error).not.toContain(typedKey);
      expect((await savedSettings()).hasApiKey).toBe(true);
    });

    it('still tests the saved settings when no form is sent', async () => {
      const requestsBefore = model.requests.length;
      for (const payload of [undefined, {}]) {
        const check = (await api('POST', '/agent/model-settings/test', payload)).json();
        expect(check).toMatchObject({ isOk: true });
      }
      expect(model.requests.slice(requestsBefore).map((request) => request.model)).toEqual([
        'saved-model',
        'saved-model',
      ]);
    });

    it('refuses a malformed form as it refuses it on save', async () => {
      const response = await api('POST', '/agent/model-settings/test', { provider: 'skynet' });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    });
  },
);

describe('the form under test goes through the SSRF guard', () => {
  let coxcox: Coxcox;
  beforeAll(async () => {
    coxcox = await startTestCoxcox(sqliteDatabase);
  });
  afterAll(async () => coxcox?.dispose());

  it('refuses an unsaved loopback URL with the reason', async () => {
    const check = (
      await apiOf(coxcox)('POST', '/agent/model-settings/test', {
        provider: 'openai-compatible',
        baseUrl: `http://127.0.0.1:${await closedPort()}/v1`,
        model: 'gpt-4o-mini',
        apiKey: 'sk-anything',
      })
    ).json();
    expect(check.isOk).toBe(false);
    expect(check.error).toContain('target_refused');
  });
});
