import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.ts';
import { SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { startTestCoxcox, TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';

const databases = await testDatabases();
const PASSWORD = 'a long enough password';
const ADMIN_EMAIL = 'ada@example.com';
/** SignInLimiter's free failures per account and failures per client address (decision 0010). */
const FREE_FAILURES_PER_ACCOUNT = 5;
const FAILURES_PER_CLIENT = 50;

type TestCoxcox = Awaited<ReturnType<typeof startTestCoxcox>>;

function signIn(
  coxcox: TestCoxcox,
  email: string,
  password: string,
  from: { remoteAddress?: string; forwardedFor?: string; cookie?: string } = {},
) {
  return coxcox.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { email, password },
    ...(from.remoteAddress ? { remoteAddress: from.remoteAddress } : {}),
    headers: {
      ...(from.forwardedFor ? { 'x-forwarded-for': from.forwardedFor } : {}),
      ...(from.cookie ? { cookie: from.cookie } : {}),
    },
  });
}

/** The `name=value` of the device cookie in a response's Set-Cookie headers. */
function deviceCookieOf(setCookie: string | string[] | undefined): string {
  const cookies = Array.isArray(setCookie) ? setCookie : [setCookie ?? ''];
  const device = cookies.find((cookie) => cookie.startsWith('coxcox_device='));
  if (!device) throw new Error(`no device cookie in ${JSON.stringify(setCookie)}`);
  return device.split(';')[0]!;
}

async function failFrom(coxcox: TestCoxcox, count: number, from: Parameters<typeof signIn>[3]) {
  for (let index = 0; index < count; index += 1) {
    const response = await signIn(
      coxcox,
      `random-${index}-${Math.random()}@example.com`,
      'wrong password!',
      from,
    );
    expect(response.statusCode).toBe(401);
  }
}

describe.each(databases)('sign-in limits on $name', (database) => {
  let coxcox: TestCoxcox;
  let behindProxy: TestCoxcox;

  beforeAll(async () => {
    // A pinned clock: no backoff expires while a slow machine works through a test.
    const now = Date.now();
    coxcox = await startTestCoxcox(database, {}, { usersNow: () => now });
    behindProxy = await startTestCoxcox(database, { TRUST_PROXY: '127.0.0.1' }, { usersNow: () => now });
    const setup = await coxcox.app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { email: ADMIN_EMAIL, password: PASSWORD },
    });
    expect(setup.statusCode).toBe(201);
    const agent = await coxcox.app.inject({
      method: 'POST',
      url: `/api/v1/users?tenantId=${SANDBOX_TENANT_ID}`,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      payload: { email: 'bo@example.com', role: 'agent', password: PASSWORD },
    });
    expect(agent.statusCode).toBe(201);
  });
  afterAll(async () => {
    await coxcox?.dispose();
    await behindProxy?.dispose();
  });

  it('refuses most of 30 concurrent wrong passwords for one account', async () => {
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        signIn(coxcox, 'bo@example.com', `guess number ${index}`, { remoteAddress: '198.51.100.1' }),
      ),
    );
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 401)).toHaveLength(FREE_FAILURES_PER_ACCOUNT);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
    const refused = responses.find((response) => response.statusCode === 429)!;
    expect(refused.json().error.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('lets the admin sign in on a known browser from an address flooded with failures', async () => {
    const office = { remoteAddress: '198.51.100.2' };
    const first = await signIn(coxcox, ADMIN_EMAIL, PASSWORD, office);
    expect(first.statusCode).toBe(200);
    const device = deviceCookieOf(first.headers['set-cookie']);

    // Someone at the same address sprays random accounts, and guesses the admin's password too.
    await failFrom(coxcox, FAILURES_PER_CLIENT - FREE_FAILURES_PER_ACCOUNT, office);
    for (let index = 0; index < FREE_FAILURES_PER_ACCOUNT; index += 1)
      expect((await signIn(coxcox, ADMIN_EMAIL, `guess ${index}`, office)).statusCode).toBe(401);
    expect((await signIn(coxcox, 'someone@example.com', PASSWORD, office)).statusCode).toBe(429);
    expect((await signIn(coxcox, ADMIN_EMAIL, PASSWORD, office)).statusCode).toBe(429);

    // The admin's browser, which signed in before, is not held back by either.
    const known = await signIn(coxcox, ADMIN_EMAIL, PASSWORD, { ...office, cookie: device });
    expect(known.statusCode).toBe(200);
    // A device cookie is bound to its account: it does not help another.
    expect((await signIn(coxcox, 'bo@example.com', PASSWORD, { ...office, cookie: device })).statusCode).toBe(
      429,
    );
  });

  it('tells clients apart by X-Forwarded-For only when TRUST_PROXY trusts the proxy', async () => {
    const proxy = '127.0.0.1';
    await failFrom(behindProxy, FAILURES_PER_CLIENT, { remoteAddress: proxy, forwardedFor: '203.0.113.1' });
    const sameClient = await signIn(behindProxy, 'x@example.com', 'wrong password!', {
      remoteAddress: proxy,
      forwardedFor: '203.0.113.1',
    });
    expect(sameClient.statusCode).toBe(429);
    const otherClient = await signIn(behindProxy, 'x@example.com', 'wrong password!', {
      remoteAddress: proxy,
      forwardedFor: '203.0.113.2',
    });
    expect(otherClient.statusCode).toBe(401);

    // Without TRUST_PROXY, the header is the client's word: ignored, so the socket's address counts.
    await failFrom(coxcox, FAILURES_PER_CLIENT, {
      remoteAddress: '198.51.100.3',
      forwardedFor: '203.0.113.1',
    });
    const forged = await signIn(coxcox, 'x@example.com', 'wrong password!', {
      remoteAddress: '198.51.100.3',
      forwardedFor: '203.0.113.2',
    });
    expect(forged.statusCode).toBe(429);
  });
});

describe('TRUST_PROXY and METRICS_TOKEN', () => {
  const base = {
    DATA_DIR: '/nonexistent',
    SECRET_KEY: '22'.repeat(32),
    ADMIN_TOKEN: 'config-test-admin-token-0123',
  };
  const refusal = (env: Record<string, string>) => {
    try {
      parseConfig({ ...base, ...env });
    } catch (error) {
      if (error instanceof ConfigError) return error.variable;
      throw error;
    }
    return null;
  };

  it('are parsed once, and refused with the variable named', () => {
    expect(parseConfig(base).trustProxy).toBe(false);
    expect(parseConfig({ ...base, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(parseConfig({ ...base, TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(parseConfig({ ...base, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(parseConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, ::1,loopback' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '::1',
      'loopback',
    ]);
    expect(refusal({ TRUST_PROXY: 'proxy.example.com' })).toBe('TRUST_PROXY');
    expect(parseConfig(base).metricsToken).toBeUndefined();
    expect(parseConfig({ ...base, METRICS_TOKEN: 'a-long-metrics-token' }).metricsToken).toBe(
      'a-long-metrics-token',
    );
    expect(refusal({ METRICS_TOKEN: 'short' })).toBe('METRICS_TOKEN');
  });
});
