import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';
import { startSandboxCoxcox } from '../support/sandbox-coxcox.ts';
import { waitFor } from '../support/simulated-coxcox.ts';

const databases = await testDatabases();
const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/**
 * A second company onboarded in sandbox mode, as a new user does it: a setup link, the page's sandbox
 * signup, then the WhatsApp screen. Its webhooks come through the platform's sandbox app, which the sandbox
 * company's own traffic also uses: none of that traffic may speak for the new company's number.
 */
describe.each(databases)('a second sandbox company on $name', (database) => {
  let coxcox: Awaited<ReturnType<typeof startSandboxCoxcox>>;
  let tenantId: string;
  let phoneNumberId: string;

  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const response = await coxcox.app.inject({
      method,
      url,
      headers: admin,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return { status: response.statusCode, json: response.json() };
  };

  beforeAll(async () => {
    coxcox = await startSandboxCoxcox(database);
    // The sandbox company's customer writes first, so the shared sandbox app has been heard from.
    const sent = await api('POST', '/api/v1/sandbox/messages?tenantId=sandbox', {
      from: '5511900000201',
      name: 'Bia',
      text: 'Oi',
    });
    expect(sent.status).toBe(202);
    await waitFor('the sandbox message to be applied', async () => {
      const deliveries = await coxcox.store.db
        .selectFrom('webhook_deliveries')
        .select('state')
        .where('state', '=', 'processed')
        .execute();
      return deliveries.length > 0;
    });
    await coxcox.health.flushActivity();

    const link = await api('POST', '/api/v1/setup-links', { tenantName: 'Padaria Central' });
    expect(link.status).toBe(201);
    tenantId = link.json.tenant.id;
    const path = new URL(link.json.setupLink.url).pathname;
    const signup = await coxcox.app.inject({ method: 'POST', url: `${path}/sandbox-signup`, payload: {} });
    const code = signup.json();
    const completed = await coxcox.app.inject({
      method: 'POST',
      url: `${path}/complete`,
      payload: { code: code.code, wabaId: code.wabaId, phoneNumberId: code.phoneNumberId },
    });
    expect(completed.json().state).toBe('completed');
    phoneNumberId = code.phoneNumberId;
  });
  afterAll(async () => coxcox?.dispose());

  it("says where its webhooks come from, and shows no other company's as its own", async () => {
    const overview = await api('GET', `/api/v1/whatsapp/overview?tenantId=${tenantId}`);
    expect(overview.status).toBe(200);
    // No app of its own, but not "no app connected": the platform's sandbox app carries its webhooks.
    expect(overview.json.apps).toEqual([]);
    expect(overview.json.platformAppId).toEqual(expect.any(String));
    const number = overview.json.numbers.find(
      (candidate: { phoneNumberId: string }) => candidate.phoneNumberId === phoneNumberId,
    );
    expect(number.webhookLastSeenAt).toBeNull();

    const health = await api('GET', `/api/v1/tenants/${tenantId}/health/${phoneNumberId}`);
    expect(health.status).toBe(200);
    const webhooks = health.json.checks.find((check: { name: string }) => check.name === 'webhooks');
    // The sandbox company's delivery, from before this company existed, is not this number's.
    expect(webhooks.status).toBe('unknown');
    expect(webhooks.summary).toBe('No webhook from Meta seen yet.');
  });
});
