import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { hashSessionToken } from '../../src/users/sessions.ts';
import { runUsersCli } from '../../src/users/users-cli.ts';
import { startTestCoxcox, TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';

const databases = await testDatabases();
const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const csrf = { 'x-coxcox-csrf': '1' };
const PASSWORD = 'correct horse battery staple';

/** The session cookie's `name=value` from a Set-Cookie header, for the next request's Cookie header. */
function cookieOf(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie[0]! : setCookie!;
  return header.split(';')[0]!;
}

describe.each(databases)('dashboard users and sessions on $name', (database) => {
  let coxcox: Awaited<ReturnType<typeof startTestCoxcox>>;
  let adminCookie: string;

  beforeAll(async () => {
    coxcox = await startTestCoxcox(database);
  });
  afterAll(async () => coxcox?.dispose());

  const inject = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    headers: Record<string, string> = {},
    payload?: unknown,
  ) =>
    coxcox.app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  it('offers the first-run setup while there is no user, once', async () => {
    expect((await inject('GET', '/api/v1/setup')).json()).toMatchObject({ isNeeded: true, isSandbox: true });
    const tooShort = await inject(
      'POST',
      '/api/v1/setup',
      {},
      { email: 'ada@example.com', password: 'short' },
    );
    expect(tooShort.json().error.code).toBe('validation_failed');

    const created = await inject(
      'POST',
      '/api/v1/setup',
      {},
      { email: 'Ada@Example.com', password: PASSWORD, name: 'Ada' },
    );
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      user: { email: 'ada@example.com', role: 'admin', tenantId: SANDBOX_TENANT_ID },
    });
    const cookie = String(created.headers['set-cookie']);
    expect(cookie).toMatch(/^coxcox_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).not.toContain('Secure');
    adminCookie = cookieOf(created.headers['set-cookie']);

    const again = await inject('POST', '/api/v1/setup', {}, { email: 'eve@example.com', password: PASSWORD });
    expect(again.json().error.code).toBe('conflict');
    expect((await inject('GET', '/api/v1/setup')).json().isNeeded).toBe(false);
  });

  it('stores only the hash of the session token, and an Argon2id hash of the password', async () => {
    const token = adminCookie.split('=')[1]!;
    const sessions = await coxcox.store.db.selectFrom('user_sessions').selectAll().execute();
    expect(sessions.map((session) => session.token_hash)).toContain(hashSessionToken(token));
    expect(JSON.stringify(sessions)).not.toContain(token);
    const user = await coxcox.store.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('authenticates the API with the session cookie as a tenant principal', async () => {
    const me = await inject('GET', '/api/v1/session', { cookie: adminCookie });
    expect(me.json()).toMatchObject({
      user: { email: 'ada@example.com' },
      tenant: { id: SANDBOX_TENANT_ID },
    });
    const tenants = await inject('GET', '/api/v1/tenants', { cookie: adminCookie });
    expect(tenants.json().data.map((tenant: { id: string }) => tenant.id)).toEqual([SANDBOX_TENANT_ID]);
    expect((await inject('GET', '/api/v1/inbox/conversations', { cookie: adminCookie })).statusCode).toBe(
      200,
    );
    expect(
      (
        await inject('GET', '/api/v1/inbox/conversations', {
          cookie: 'coxcox_session=not-a-real-session-token-at-all',
        })
      ).statusCode,
    ).toBe(401);
    expect((await inject('GET', '/api/v1/inbox/conversations')).statusCode).toBe(401);
  });

  it('requires the CSRF header on changes made with a cookie, but not with a bearer token', async () => {
    const withoutHeader = await inject(
      'POST',
      '/api/v1/users',
      { cookie: adminCookie },
      { email: 'bo@example.com', role: 'agent', password: PASSWORD },
    );
    expect(withoutHeader.statusCode).toBe(403);
    expect(withoutHeader.json().error.code).toBe('forbidden');
    const withHeader = await inject(
      'POST',
      '/api/v1/users',
      { cookie: adminCookie, ...csrf },
      { email: 'bo@example.com', role: 'agent', password: PASSWORD },
    );
    expect(withHeader.statusCode).toBe(201);
    const withBearer = await inject('POST', `/api/v1/users?tenantId=${SANDBOX_TENANT_ID}`, admin, {
      email: 'cy@example.com',
      role: 'agent',
      password: PASSWORD,
    });
    expect(withBearer.statusCode).toBe(201);
    expect((await inject('DELETE', '/api/v1/session', { cookie: adminCookie })).statusCode).toBe(403);
  });

  it('signs in with the right password only, and slows guessing down', async () => {
    const wrong = await inject(
      'POST',
      '/api/v1/session',
      {},
      { email: 'bo@example.com', password: 'wrong password!' },
    );
    expect(wrong.statusCode).toBe(401);
    const unknown = await inject(
      'POST',
      '/api/v1/session',
      {},
      { email: 'nobody@example.com', password: 'wrong password!' },
    );
    expect(unknown.statusCode).toBe(401);
    const right = await inject(
      'POST',
      '/api/v1/session',
      { 'x-forwarded-proto': 'https' },
      { email: 'BO@example.com', password: PASSWORD },
    );
    expect(right.statusCode).toBe(200);
    expect(String(right.headers['set-cookie'])).toContain('Secure');

    for (let attempt = 0; attempt < 10; attempt += 1) {
      await inject(
        'POST',
        '/api/v1/session',
        {},
        { email: 'cy@example.com', password: `guess number ${attempt}` },
      );
    }
    const limited = await inject(
      'POST',
      '/api/v1/session',
      {},
      { email: 'cy@example.com', password: PASSWORD },
    );
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
  });

  it('lets agents work but not manage users or settings', async () => {
    const signIn = await inject(
      'POST',
      '/api/v1/session',
      {},
      { email: 'bo@example.com', password: PASSWORD },
    );
    const agentCookie = cookieOf(signIn.headers['set-cookie']);
    const headers = { cookie: agentCookie, ...csrf };
    expect((await inject('GET', '/api/v1/users', headers)).statusCode).toBe(200);
    expect(
      (
        await inject('POST', '/api/v1/users', headers, {
          email: 'dee@example.com',
          role: 'admin',
          password: PASSWORD,
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await inject('POST', `/api/v1/tenants/${SANDBOX_TENANT_ID}/api-keys`, headers, { name: 'mine' }))
        .statusCode,
    ).toBe(403);
    expect(
      (await inject('PUT', '/api/v1/agent/model-settings', headers, { provider: 'playbook' })).statusCode,
    ).toBe(403);
    expect(
      (
        await inject('POST', '/api/v1/whatsapp/connect', headers, {
          wabaId: '1',
          phoneNumberId: '2',
          accessToken: 'x'.repeat(20),
        })
      ).statusCode,
    ).toBe(403);
    // The inbox is theirs: a takeover of a conversation that does not exist is a 404, not a 403.
    expect((await inject('POST', '/api/v1/conversations/nope/takeover', headers, {})).statusCode).toBe(404);
    const overview = await inject('GET', '/api/v1/whatsapp/overview', headers);
    expect(overview.json().apps[0].verifyToken).toBeNull();
    expect(
      (await inject('GET', '/api/v1/whatsapp/overview', { cookie: adminCookie })).json().apps[0].verifyToken,
    ).toEqual(expect.any(String));
  });

  it('keeps one active admin, and ends the sessions of a disabled user', async () => {
    const users = (await inject('GET', '/api/v1/users', { cookie: adminCookie })).json().data as Array<{
      id: string;
      email: string;
    }>;
    const ada = users.find((user) => user.email === 'ada@example.com')!;
    const bo = users.find((user) => user.email === 'bo@example.com')!;
    const demote = await inject(
      'PATCH',
      `/api/v1/users/${ada.id}`,
      { cookie: adminCookie, ...csrf },
      { role: 'agent' },
    );
    expect(demote.json().error.code).toBe('conflict');

    const boCookie = cookieOf(
      (await inject('POST', '/api/v1/session', {}, { email: 'bo@example.com', password: PASSWORD })).headers[
        'set-cookie'
      ],
    );
    expect((await inject('GET', '/api/v1/session', { cookie: boCookie })).statusCode).toBe(200);
    expect(
      (
        await inject(
          'PATCH',
          `/api/v1/users/${bo.id}`,
          { cookie: adminCookie, ...csrf },
          { isDisabled: true },
        )
      ).statusCode,
    ).toBe(200);
    expect((await inject('GET', '/api/v1/session', { cookie: boCookie })).statusCode).toBe(401);
    expect(
      (await inject('POST', '/api/v1/session', {}, { email: 'bo@example.com', password: PASSWORD }))
        .statusCode,
    ).toBe(401);
  });

  it('signs out: the session ends and the cookie is cleared', async () => {
    const cookie = cookieOf(
      (await inject('POST', '/api/v1/session', {}, { email: 'ada@example.com', password: PASSWORD })).headers[
        'set-cookie'
      ],
    );
    const out = await inject('DELETE', '/api/v1/session', { cookie, ...csrf });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await inject('GET', '/api/v1/inbox/conversations', { cookie })).statusCode).toBe(401);
  });

  it('changes a password: the current one is required, and other sessions end', async () => {
    const first = cookieOf(
      (await inject('POST', '/api/v1/session', {}, { email: 'ada@example.com', password: PASSWORD })).headers[
        'set-cookie'
      ],
    );
    const second = cookieOf(
      (await inject('POST', '/api/v1/session', {}, { email: 'ada@example.com', password: PASSWORD })).headers[
        'set-cookie'
      ],
    );
    const wrong = await inject(
      'PUT',
      '/api/v1/session/password',
      { cookie: first, ...csrf },
      { currentPassword: 'nope nope nope', newPassword: 'a brand new passphrase' },
    );
    expect(wrong.json().error.code).toBe('validation_failed');
    const changed = await inject(
      'PUT',
      '/api/v1/session/password',
      { cookie: first, ...csrf },
      { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' },
    );
    expect(changed.statusCode).toBe(204);
    expect((await inject('GET', '/api/v1/session', { cookie: first })).statusCode).toBe(200);
    expect((await inject('GET', '/api/v1/session', { cookie: second })).statusCode).toBe(401);
    await inject(
      'PUT',
      '/api/v1/session/password',
      { cookie: first, ...csrf },
      { currentPassword: 'a brand new passphrase', newPassword: PASSWORD },
    );
  });

  it('expires sessions past their idle time', async () => {
    const cookie = cookieOf(
      (await inject('POST', '/api/v1/session', {}, { email: 'ada@example.com', password: PASSWORD })).headers[
        'set-cookie'
      ],
    );
    await coxcox.store.db
      .updateTable('user_sessions')
      .set({ expires_at: Date.now() - 1 })
      .where('token_hash', '=', hashSessionToken(cookie.split('=')[1]!))
      .execute();
    expect((await inject('GET', '/api/v1/session', { cookie })).statusCode).toBe(401);
  });

  it('creates users from the CLI with the password on standard input', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      readStdin: async () => `${PASSWORD}\n`,
      out: (text: string) => out.push(text),
      err: (text: string) => err.push(text),
      withCoxcox: <T>(work: (value: typeof coxcox) => Promise<T>) => work(coxcox),
    };
    expect(
      await runUsersCli(['create', '--tenant', SANDBOX_TENANT_ID, '--email', 'ops@example.com'], io),
    ).toBe(2);
    expect(err.join('')).toContain('--password-stdin');
    const code = await runUsersCli(
      [
        'create',
        '--tenant',
        SANDBOX_TENANT_ID,
        '--email',
        'ops@example.com',
        '--password-stdin',
        '--role',
        'admin',
      ],
      io,
    );
    expect(code).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ email: 'ops@example.com', role: 'admin' });
    // The trailing newline of `echo` is not part of the password.
    expect(
      (await inject('POST', '/api/v1/session', {}, { email: 'ops@example.com', password: PASSWORD }))
        .statusCode,
    ).toBe(200);
  });
});
