import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, type OnboardingWorld, startOnboardingWorld } from '../onboarding/onboarding-world.ts';
import { testDatabases } from '../support/databases.ts';

const [database] = await testDatabases();

// Issue 10: a setup link kept working after its onboarding completed, and a second run attached another
// number. A link is single-use once its onboarding completes, unless the operator asked otherwise.
describe('setup links are single-use once their onboarding completed', () => {
  let world: OnboardingWorld;
  beforeAll(async () => {
    world = await startOnboardingWorld(database!);
  });
  afterAll(async () => world?.dispose());

  const numbersOf = async (tenantId: string) =>
    world.coxcox.store.db
      .selectFrom('phone_numbers')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .execute();

  it('refuses a second signup on a used link, and its page says it was used and what to do', async () => {
    const { tenantId, path } = await world.newTenant('Uso Único');
    const first = await world.signup(path);
    expect(first.completed.json.state).toBe('completed');

    // Until the company has a user, the page still opens: it ends with creating the company's first admin.
    expect((await world.api('GET', path, undefined, {})).status).toBe(200);
    const firstAdmin = await world.api(
      'POST',
      `${path}/admin`,
      { name: 'Ana', email: 'ana@uso-unico.example', password: 'correct horse battery' },
      {},
    );
    expect(firstAdmin.status).toBeLessThan(300);

    const page = await world.api('GET', path, undefined, {});
    expect(page.status).toBe(403);
    expect(page.body).toContain('already used');
    expect(page.body).toContain('ask for a new setup link');

    expect((await world.api('POST', `${path}/sandbox-signup`, {}, {})).json.error.code).toBe('forbidden');
    const another = world.simulator.issueSignupCode();
    const second = await world.api('POST', `${path}/complete`, { code: another.code }, {});
    expect(second.status).toBe(403);
    expect(second.json.error.code).toBe('forbidden');
    expect(await numbersOf(tenantId)).toHaveLength(1);

    // Reading the outcome stays possible: the page that just finished shows it.
    const status = await world.api('GET', `${path}/status`, undefined, {});
    expect(status.json.onboarding.state).toBe('completed');
  });

  it('lets a link that the operator created to add numbers connect another one', async () => {
    const { tenantId, path } = await world.newTenant('Várias Linhas', { allowAdditionalNumbers: true });
    expect((await world.signup(path)).completed.json.state).toBe('completed');
    const second = await world.signup(path);
    expect(second.completed.json.state).toBe('completed');
    expect(await numbersOf(tenantId)).toHaveLength(2);
  });

  it('lets only the admin token ask for a link that adds numbers', async () => {
    const { tenantId } = await world.newTenant('Chave Própria');
    const key = (await world.api('POST', `/api/v1/tenants/${tenantId}/api-keys`, { name: 'test' })).json
      .key as string;
    const asTenant = { authorization: `Bearer ${key}` };
    const refused = await world.api(
      'POST',
      `/api/v1/tenants/${tenantId}/setup-links`,
      { allowAdditionalNumbers: true },
      asTenant,
    );
    expect(refused.json.error.code).toBe('forbidden');
    const plain = await world.api('POST', `/api/v1/tenants/${tenantId}/setup-links`, {}, asTenant);
    expect(plain.json.canAddNumbers).toBe(false);
    const granted = await world.api(
      'POST',
      `/api/v1/tenants/${tenantId}/setup-links`,
      { allowAdditionalNumbers: true },
      admin,
    );
    expect(granted.json.canAddNumbers).toBe(true);
  });
});
