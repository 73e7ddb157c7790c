import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperatorSessions } from '../../src/users/operator-sessions.ts';
import { TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';
import { startSandboxCoxcox } from '../support/sandbox-coxcox.ts';
import { waitFor } from '../support/simulated-coxcox.ts';

const databases = await testDatabases();
const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const csrf = { 'x-coxcox-csrf': '1' };

/** The `name=value` of a Set-Cookie header, to send back as a Cookie header. */
const cookieOf = (setCookie: string | string[] | undefined) =>
  String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0]!;

/**
 * Issue 11, item 6: a second company onboarded in sandbox mode goes the whole way: its first admin from
 * the setup page, the operator switching to it, the sandbox phone writing to its number, and a held
 * message in its inbox.
 */
describe.each(databases)('the second company’s whole path on $name', (database) => {
  let coxcox: Awaited<ReturnType<typeof startSandboxCoxcox>>;

  const api = async (
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = admin,
  ) => {
    const response = await coxcox.app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return { status: response.statusCode, json: response.json(), headers: response.headers };
  };

  /** A company onboarded through its setup link's sandbox signup, as a new user does it. */
  const onboardCompany = async (tenantName: string, options: { isCompleted?: boolean } = {}) => {
    const link = await api('POST', '/api/v1/setup-links', { tenantName });
    expect(link.status).toBe(201);
    const path = new URL(link.json.setupLink.url).pathname;
    const signup = (
      await coxcox.app.inject({ method: 'POST', url: `${path}/sandbox-signup`, payload: {} })
    ).json();
    if (options.isCompleted !== false) {
      const completed = await coxcox.app.inject({
        method: 'POST',
        url: `${path}/complete`,
        payload: { code: signup.code, wabaId: signup.wabaId, phoneNumberId: signup.phoneNumberId },
      });
      expect(completed.json().state).toBe('completed');
    }
    return {
      tenantId: link.json.tenant.id as string,
      path,
      phoneNumberId: signup.phoneNumberId as string,
      wabaId: signup.wabaId as string,
    };
  };

  const createAdmin = (path: string, body: Record<string, string>) =>
    coxcox.app.inject({ method: 'POST', url: `${path}/admin`, payload: body });

  beforeAll(async () => {
    coxcox = await startSandboxCoxcox(database);
  });
  afterAll(async () => coxcox?.dispose());

  it('ends the setup link with the company’s first admin, once, signed in', async () => {
    const company = await onboardCompany('Padaria Central');
    const status = await coxcox.app.inject({ method: 'GET', url: `${company.path}/status` });
    expect(status.json().canCreateAdmin).toBe(true);

    const short = await createAdmin(company.path, { email: 'ana@padaria.example', password: 'short' });
    expect(short.json().error.code).toBe('validation_failed');

    const created = await createAdmin(company.path, {
      name: 'Ana Souza',
      email: 'Ana@Padaria.example',
      password: 'a long enough password',
    });
    expect(created.statusCode).toBe(201);
    const cookie = cookieOf(created.headers['set-cookie']);
    const session = await api('GET', '/api/v1/session', undefined, { cookie });
    expect(session.status).toBe(200);
    expect(session.json.user).toMatchObject({
      email: 'ana@padaria.example',
      name: 'Ana Souza',
      role: 'admin',
    });
    expect(session.json.tenant).toEqual({ id: company.tenantId, name: 'Padaria Central' });

    // Once per company: the link cannot make a second admin, nor take the first one's place.
    const again = await createAdmin(company.path, {
      email: 'eve@evil.example',
      password: 'a long enough password',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('conflict');
    const after = await coxcox.app.inject({ method: 'GET', url: `${company.path}/status` });
    expect(after.json().canCreateAdmin).toBe(false);
    const users = await api('GET', `/api/v1/users?tenantId=${company.tenantId}`);
    expect(users.json.data.map((user: { email: string }) => user.email)).toEqual(['ana@padaria.example']);
  });

  it('never makes an admin for a company that has users, nor before its number is connected', async () => {
    const inUse = await onboardCompany('Loja em Uso');
    const added = await api('POST', `/api/v1/users?tenantId=${inUse.tenantId}`, {
      email: 'dono@loja.example',
      role: 'admin',
      password: 'the owner password',
    });
    expect(added.status).toBe(201);
    const takeover = await createAdmin(inUse.path, {
      email: 'intruder@evil.example',
      password: 'a long enough password',
    });
    expect(takeover.statusCode).toBe(409);

    const unfinished = await onboardCompany('Ainda Não', { isCompleted: false });
    const early = await createAdmin(unfinished.path, {
      email: 'cedo@ainda.example',
      password: 'a long enough password',
    });
    expect(early.statusCode).toBe(409);
    const users = await api('GET', `/api/v1/users?tenantId=${unfinished.tenantId}`);
    expect(users.json.data).toEqual([]);
  });

  it('lets the operator sign in with the ADMIN_TOKEN and switch companies, and no user switch', async () => {
    const company = await onboardCompany('Oficina Dois');
    const wrong = await api('POST', '/api/v1/session/operator', { adminToken: 'not the admin token' }, {});
    expect(wrong.status).toBe(401);

    const signedIn = await api('POST', '/api/v1/session/operator', { adminToken: TEST_ADMIN_TOKEN }, {});
    expect(signedIn.status).toBe(200);
    expect(signedIn.json.tenant.id).toBe('sandbox');
    const companies = signedIn.json.operator.companies.map((candidate: { id: string }) => candidate.id);
    expect(companies).toEqual(expect.arrayContaining(['sandbox', company.tenantId]));
    const operator = { cookie: cookieOf(signedIn.headers['set-cookie']) };

    const switched = await api(
      'PUT',
      '/api/v1/session/company',
      { tenantId: company.tenantId },
      {
        ...operator,
        ...csrf,
      },
    );
    expect(switched.status).toBe(200);
    expect(switched.json.tenant).toEqual({ id: company.tenantId, name: 'Oficina Dois' });
    const overview = await api('GET', '/api/v1/whatsapp/overview', undefined, operator);
    expect(overview.status).toBe(200);
    expect(overview.json.numbers.map((number: { phoneNumberId: string }) => number.phoneNumberId)).toEqual([
      company.phoneNumberId,
    ]);
    // The operator acts for the company it picked, not for every company at once.
    const other = await api('GET', '/api/v1/inbox/conversations?tenantId=sandbox', undefined, operator);
    expect(other.status).toBe(404);

    // Rotating the ADMIN_TOKEN ends the operator's sessions signed in with the old one.
    const token = operator.cookie.split('=')[1]!;
    expect(await new OperatorSessions(coxcox.store.db, TEST_ADMIN_TOKEN).find(token)).not.toBeNull();
    expect(await new OperatorSessions(coxcox.store.db, 'a-rotated-admin-token-0123').find(token)).toBeNull();

    // A company's own user can never switch, even to a company that exists.
    const own = await onboardCompany('Casa Três');
    const created = await createAdmin(own.path, {
      email: 'tres@casa.example',
      password: 'a long enough password',
    });
    const user = { cookie: cookieOf(created.headers['set-cookie']) };
    const refused = await api(
      'PUT',
      '/api/v1/session/company',
      { tenantId: company.tenantId },
      { ...user, ...csrf },
    );
    expect(refused.status).toBe(403);
    const session = await api('GET', '/api/v1/session', undefined, user);
    expect(session.json.tenant.id).toBe(own.tenantId);
    expect(session.json.operator).toBeUndefined();
  });

  it('lets the sandbox phone write to the company’s own number', async () => {
    const company = await onboardCompany('Mercado Quatro');
    const sandbox = await api('GET', `/api/v1/sandbox?tenantId=${company.tenantId}`);
    expect(sandbox.json.isAvailable).toBe(true);
    expect(sandbox.json.businessNumber.phoneNumberId).toBe(company.phoneNumberId);

    const sent = await api('POST', `/api/v1/sandbox/messages?tenantId=${company.tenantId}`, {
      from: '5511900000404',
      name: 'Caio',
      text: 'Vocês entregam hoje?',
    });
    expect(sent.status).toBe(202);
    let conversationId: string | null = null;
    await waitFor('the message to reach the company', async () => {
      const found = await api(
        'GET',
        `/api/v1/sandbox/conversation?tenantId=${company.tenantId}&from=5511900000404`,
      );
      conversationId = found.json.conversationId;
      return conversationId !== null;
    });
    const thread = await api(
      'GET',
      `/api/v1/inbox/conversations/${conversationId}/thread?tenantId=${company.tenantId}`,
    );
    expect(thread.json.messages[0]).toMatchObject({ direction: 'in', text: 'Vocês entregam hoje?' });
    // Not the sandbox company's: its inbox does not hold this customer.
    const sandboxInbox = await api('GET', '/api/v1/inbox/conversations?tenantId=sandbox&q=5511900000404');
    expect(sandboxInbox.json.data).toEqual([]);

    // The simulated customers are every company's: this company may not switch them off for the others.
    const key = (await api('POST', `/api/v1/tenants/${company.tenantId}/api-keys`, { name: 'own' })).json.key;
    const own = { authorization: `Bearer ${key}` };
    const refused = await api('PUT', '/api/v1/sandbox/settings', { canPersonasReply: false }, own);
    expect(refused.status).toBe(403);
    expect(coxcox.simulator.canPersonasReply()).toBe(true);
    const byOperator = await api('PUT', `/api/v1/sandbox/settings?tenantId=${company.tenantId}`, {
      canPersonasReply: true,
    });
    expect(byOperator.status).toBe(200);
  });

  it('shows a message held for the company in its inbox, with the reason', async () => {
    const company = await onboardCompany('Farmácia Cinco');
    // Meta stops taking the company's token: the dispatcher holds its sends (token-invalid).
    const token = await coxcox.directory.accessTokenFor(company.tenantId, company.wabaId);
    coxcox.simulator.revokeAccessToken(String(token));
    const sent = await api('POST', `/api/v1/messages?tenantId=${company.tenantId}`, {
      phoneNumberId: company.phoneNumberId,
      message: {
        to: '+55 11 90000-0505',
        type: 'template',
        template: { name: 'hello_world', languageCode: 'en_US' },
      },
    });
    expect(sent.status).toBe(202);
    await waitFor('the send to be held', async () => {
      const message = await api('GET', `/api/v1/messages/${sent.json.id}?tenantId=${company.tenantId}`);
      return message.json.state === 'held';
    });

    const inbox = await api('GET', `/api/v1/inbox/conversations?tenantId=${company.tenantId}`);
    expect(inbox.json.data).toHaveLength(1);
    const [row] = inbox.json.data;
    expect(row.contact.waId).toBe('5511900000505');
    expect(row.preview).toMatchObject({
      direction: 'out',
      status: 'held',
      hasError: true,
      reason: 'token-invalid',
    });
    const thread = await api(
      'GET',
      `/api/v1/inbox/conversations/${row.id}/thread?tenantId=${company.tenantId}`,
    );
    expect(thread.json.unsent).toEqual([
      expect.objectContaining({ id: sent.json.id, state: 'held', reason: 'token-invalid' }),
    ]);
  });
});
