import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCoxcox, TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';

const [database] = await testDatabases();
const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const PASSWORD = 'correct horse battery staple 42';

// Issue 10, "Enumeration": with a tenant key, POST /users said an email existed in another tenant, and
// app, WABA and number ids answered "already connected to another tenant".
describe('a tenant cannot tell what other tenants hold', () => {
  let coxcox: Awaited<ReturnType<typeof startTestCoxcox>>;
  let attacker: Record<string, string>;

  const call = async (url: string, payload: object, headers: Record<string, string>) => {
    const response = await coxcox.app.inject({ method: 'POST', url: `/api/v1${url}`, payload, headers });
    return { status: response.statusCode, body: response.body };
  };
  const ok = async (url: string, payload: object) => {
    const response = await call(url, payload, admin);
    expect(response.status, response.body).toBeLessThan(300);
    return JSON.parse(response.body);
  };

  beforeAll(async () => {
    coxcox = await startTestCoxcox(database!);
    for (const [id, n] of [
      ['victim-one', 1],
      ['victim-two', 2],
    ] as const) {
      await ok('/tenants', { id, name: id });
      await ok(`/tenants/${id}/apps`, {
        appId: `11${n}`,
        appSecret: 'secret-secret',
        verifyToken: 'verify-token',
      });
      await ok(`/tenants/${id}/wabas`, { wabaId: `21${n}`, appId: `11${n}` });
      await ok(`/tenants/${id}/phone-numbers`, { wabaId: `21${n}`, phoneNumberId: `31${n}` });
      await ok(`/users?tenantId=${id}`, { email: `${id}@example.com`, role: 'agent', password: PASSWORD });
    }
    await ok('/tenants', { id: 'attacker', name: 'attacker' });
    await ok('/tenants/attacker/wabas', { wabaId: '219' });
    await ok('/users?tenantId=attacker', { email: 'own@example.com', role: 'agent', password: PASSWORD });
    const key = await ok('/tenants/attacker/api-keys', { name: 'probe' });
    attacker = { authorization: `Bearer ${key.key}` };
  });
  afterAll(async () => coxcox?.dispose());

  /** The attacker's answers for ids held by victim one, victim two, and (when given) itself: all the same. */
  const expectSameAnswer = async (answers: Array<{ status: number; body: string }>) => {
    expect(answers[0]!.status).toBeGreaterThanOrEqual(400);
    for (const answer of answers) {
      expect(answer).toEqual(answers[0]);
      expect(answer.body).not.toMatch(/victim|another tenant|already exists/);
    }
  };

  it('answers the same for an email of another tenant as for one of its own', async () => {
    const user = (email: string) => call('/users', { email, role: 'agent', password: PASSWORD }, attacker);
    await expectSameAnswer([
      await user('victim-one@example.com'),
      await user('victim-two@example.com'),
      await user('own@example.com'),
    ]);
    // The operator still reads where the email is.
    const precise = await call(
      '/users?tenantId=attacker',
      { email: 'victim-one@example.com', role: 'agent', password: PASSWORD },
      admin,
    );
    expect(precise.body).toContain('victim-one');
  });

  it('answers the same for app, WABA and number ids whichever tenant holds them', async () => {
    const app = (appId: string) =>
      call(
        '/tenants/attacker/apps',
        { appId, appSecret: 'secret-secret', verifyToken: 'verify-token' },
        attacker,
      );
    await expectSameAnswer([await app('111'), await app('112')]);
    const waba = (wabaId: string) => call('/tenants/attacker/wabas', { wabaId }, attacker);
    await expectSameAnswer([await waba('211'), await waba('212')]);
    const number = (phoneNumberId: string) =>
      call('/tenants/attacker/phone-numbers', { wabaId: '219', phoneNumberId }, attacker);
    await expectSameAnswer([await number('311'), await number('312')]);

    const precise = await call('/tenants/attacker/wabas', { wabaId: '211' }, admin);
    expect(precise.status).toBe(409);
    expect(precise.body).toContain('victim-one');
  });
});
