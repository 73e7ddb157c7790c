import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { Users } from '../../src/users/index.ts';
import { TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';
import { openEventStream, startSandboxCoxcox } from '../support/sandbox-coxcox.ts';
import { waitFor } from '../support/simulated-coxcox.ts';

const databases = await testDatabases();
const PASSWORD = 'correct horse battery staple';
const csrf = { 'x-coxcox-csrf': '1' };

describe.each(databases)('live events and the inbox on $name', (database) => {
  let coxcox: Awaited<ReturnType<typeof startSandboxCoxcox>>;
  let sandboxCookie: string;
  let acmeCookie: string;

  const signIn = async (email: string) => {
    const response = await coxcox.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email, password: PASSWORD },
    });
    return String(response.headers['set-cookie']).split(';')[0]!;
  };

  beforeAll(async () => {
    coxcox = await startSandboxCoxcox(database);
    await coxcox.directory.createTenant({ id: 'acme', name: 'Acme' });
    const users = new Users(coxcox.store.db);
    await users.create({
      tenantId: SANDBOX_TENANT_ID,
      email: 'sandbox@example.com',
      password: PASSWORD,
      role: 'admin',
    });
    await users.create({ tenantId: 'acme', email: 'acme@example.com', password: PASSWORD, role: 'admin' });
    sandboxCookie = await signIn('sandbox@example.com');
    acmeCookie = await signIn('acme@example.com');
  });
  afterAll(async () => coxcox?.dispose());

  it("streams a tenant's own events, and none of another tenant's", async () => {
    const sandboxStream = await openEventStream(`${coxcox.url}/api/v1/events`, { cookie: sandboxCookie });
    const acmeStream = await openEventStream(`${coxcox.url}/api/v1/events`, { cookie: acmeCookie });
    expect(sandboxStream.contentType).toContain('text/event-stream');
    try {
      const sent = await coxcox.app.inject({
        method: 'POST',
        url: '/api/v1/sandbox/messages',
        headers: { cookie: sandboxCookie, ...csrf },
        payload: { from: '5511900000101', name: 'Bia', text: 'Oi! Quero saber mais sobre o plano' },
      });
      expect(sent.statusCode).toBe(202);
      await waitFor('the message-received event', () =>
        sandboxStream.events.some((event) => event.type === 'message-received'),
      );
      await waitFor(
        'the agent reply being sent',
        () => sandboxStream.events.some((event) => event.type === 'message-sent'),
        15_000,
      );
      await waitFor(
        'a delivery status',
        () => sandboxStream.events.some((event) => event.type === 'message-status'),
        15_000,
      );
      const received = sandboxStream.events.find((event) => event.type === 'message-received')!;
      expect(received.conversationId).toEqual(expect.any(String));
      expect(acmeStream.events).toEqual([]);
    } finally {
      await sandboxStream.close();
      await acmeStream.close();
    }
  });

  it('lists conversations by activity with a preview, and keeps them from other tenants', async () => {
    const list = await coxcox.app.inject({
      method: 'GET',
      url: '/api/v1/inbox/conversations',
      headers: { cookie: sandboxCookie },
    });
    const rows = list.json().data as Array<{
      id: string;
      contact: { waId: string };
      preview: { text: string } | null;
      isWindowOpen: boolean;
    }>;
    const row = rows.find((candidate) => candidate.contact.waId === '5511900000101')!;
    expect(row.preview?.text).toEqual(expect.any(String));
    expect(row.isWindowOpen).toBe(true);

    const filtered = await coxcox.app.inject({
      method: 'GET',
      url: '/api/v1/inbox/conversations?q=bia',
      headers: { cookie: sandboxCookie },
    });
    expect(filtered.json().data.map((candidate: { id: string }) => candidate.id)).toEqual([row.id]);
    const none = await coxcox.app.inject({
      method: 'GET',
      url: '/api/v1/inbox/conversations?owner=human',
      headers: { cookie: sandboxCookie },
    });
    expect(none.json().data.find((candidate: { id: string }) => candidate.id === row.id)).toBeUndefined();

    const thread = await coxcox.app.inject({
      method: 'GET',
      url: `/api/v1/inbox/conversations/${row.id}/thread`,
      headers: { cookie: sandboxCookie },
    });
    const messages = thread.json().messages as Array<{ direction: string; source: string; text: string }>;
    expect(messages[0]).toMatchObject({
      direction: 'in',
      source: 'customer',
      text: 'Oi! Quero saber mais sobre o plano',
    });
    expect(messages.some((message) => message.direction === 'out' && message.source === 'agent')).toBe(true);

    const acmeList = await coxcox.app.inject({
      method: 'GET',
      url: '/api/v1/inbox/conversations',
      headers: { cookie: acmeCookie },
    });
    expect(acmeList.json().data).toEqual([]);
    for (const url of [`/api/v1/inbox/conversations/${row.id}/thread`, `/api/v1/conversations/${row.id}`]) {
      expect(
        (await coxcox.app.inject({ method: 'GET', url, headers: { cookie: acmeCookie } })).statusCode,
      ).toBe(404);
    }
    const takeover = await coxcox.app.inject({
      method: 'POST',
      url: `/api/v1/conversations/${row.id}/takeover`,
      headers: { cookie: acmeCookie, ...csrf },
      payload: {},
    });
    expect(takeover.statusCode).toBe(404);
    // The admin token names the tenant it looks at.
    const asAdmin = await coxcox.app.inject({
      method: 'GET',
      url: `/api/v1/inbox/conversations?tenantId=${SANDBOX_TENANT_ID}`,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(asAdmin.json().data.length).toBeGreaterThan(0);
  });

  it('tells every open dashboard of the tenant about a takeover', async () => {
    const rows = (
      await coxcox.app.inject({
        method: 'GET',
        url: '/api/v1/inbox/conversations',
        headers: { cookie: sandboxCookie },
      })
    ).json().data;
    const stream = await openEventStream(`${coxcox.url}/api/v1/events`, { cookie: sandboxCookie });
    try {
      const takeover = await coxcox.app.inject({
        method: 'POST',
        url: `/api/v1/conversations/${rows[0].id}/takeover`,
        headers: { cookie: sandboxCookie, ...csrf },
        payload: {},
      });
      expect(takeover.json().owner).toBe('human');
      await waitFor('the conversation-changed event', () =>
        stream.events.some(
          (event) => event.type === 'conversation-changed' && event.conversationId === rows[0].id,
        ),
      );
    } finally {
      await stream.close();
    }
  });

  it('refuses the sandbox phone to tenants the simulator does not host', async () => {
    const info = await coxcox.app.inject({
      method: 'GET',
      url: '/api/v1/sandbox',
      headers: { cookie: acmeCookie },
    });
    expect(info.json()).toMatchObject({ isAvailable: false, reason: 'other-tenant' });
    const send = await coxcox.app.inject({
      method: 'POST',
      url: '/api/v1/sandbox/messages',
      headers: { cookie: acmeCookie, ...csrf },
      payload: { from: '5511900000102', text: 'hello' },
    });
    expect(send.statusCode).toBe(403);
  });

  it('serves the dashboard at / with a strict content security policy, and leaves the API alone', async () => {
    const page = await coxcox.app.inject({ method: 'GET', url: '/inbox/some-conversation' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    expect((await coxcox.app.inject({ method: 'GET', url: '/api/v1/nothing-here' })).statusCode).toBe(404);
    expect((await coxcox.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
