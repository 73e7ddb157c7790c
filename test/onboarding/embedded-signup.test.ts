import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.ts';
import { waitFor } from '../support/simulated-coxcox.ts';
import { admin, movableClock, type OnboardingWorld, startOnboardingWorld } from './onboarding-world.ts';

const databases = await testDatabases();

describe.each(databases)('Embedded Signup in the sandbox on $name', (database) => {
  let world: OnboardingWorld;
  // The simulator's clock, so that a test can let a signup code outlive its 30 s.
  const simulatorClock = movableClock();

  beforeAll(async () => {
    world = await startOnboardingWorld(database, {
      simulator: {
        clock: simulatorClock,
        personas: [
          { waId: '5511955550101', name: 'Ana', profile: 'silent', language: 'pt', replyDelayMs: 10 },
        ],
      },
    });
  });
  afterAll(async () => world?.dispose());

  const graphGet = async (path: string, token: string) => {
    const response = await fetch(`${world.simulator.url}/v23.0/${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, json: await response.json() };
  };

  it('takes a new tenant from nothing to sending: one API call, the page, the signup', async () => {
    const { tenantId, path, url } = await world.newTenant('Padaria Central');
    expect(url).toMatch(/^https:\/\/coxcox\.test\/setup\/[\w-]+\.[\w-]+$/);

    const page = await world.api('GET', path, undefined, {});
    expect(page.status).toBe(200);
    expect(page.body).toContain('Padaria Central');
    expect(page.body).toContain('Simulate Meta’s signup (sandbox)');

    const { code, completed } = await world.signup(path);
    expect(completed.status, completed.body).toBe(200);
    const onboarding = completed.json;
    expect(onboarding).toMatchObject({
      tenantId,
      state: 'completed',
      method: 'embedded_signup',
      failure: null,
    });
    expect(onboarding.wabaId).toBe(code.wabaId);
    expect(onboarding.phoneNumberId).toBe(code.phoneNumberId);
    expect(
      onboarding.steps.map((step: { name: string; state: string }) => `${step.name}:${step.state}`),
    ).toEqual([
      'exchange-code:done',
      'check-token:done',
      'discover-assets:done',
      'save-connection:done',
      'subscribe-app:done',
      'register-number:done',
      'sync-templates:done',
    ]);

    // The WABA, its number and a sealed business integration token are stored for the tenant.
    const wabas = await world.api('GET', `/api/v1/tenants/${tenantId}/wabas`);
    expect(wabas.json.data).toMatchObject([
      { wabaId: code.wabaId, appId: 'sandbox-app', name: 'Padaria Central' },
    ]);
    const numbers = await world.api('GET', `/api/v1/tenants/${tenantId}/phone-numbers`);
    expect(numbers.json.data).toMatchObject([
      { phoneNumberId: code.phoneNumberId, messagingTier: 'TIER_250', isHealthy: true },
    ]);
    const tokens = await world.api('GET', `/api/v1/tenants/${tenantId}/access-tokens`);
    expect(tokens.json.data).toMatchObject([
      { wabaId: code.wabaId, kind: 'business_integration_system_user' },
    ]);
    const sealed = await world.coxcox.store.db
      .selectFrom('access_tokens')
      .select('token_enc')
      .where('tenant_id', '=', tenantId)
      .execute();
    const token = (await world.coxcox.directory.accessTokenFor(tenantId, code.wabaId))!;
    expect(sealed[0]!.token_enc).not.toContain(token);

    // Meta's side: the app is subscribed to the WABA, and the number is registered.
    const subscribed = await graphGet(`${code.wabaId}/subscribed_apps`, token);
    expect(subscribed.json.data[0].whatsapp_business_api_data.id).toBe('sandbox-app');
    const number = await graphGet(`${code.phoneNumberId}?fields=status`, token);
    expect(number.json.status).toBe('CONNECTED');

    // The templates Meta puts in a new WABA are mirrored.
    const templates = await world.api('GET', `/api/v1/templates?tenantId=${tenantId}`);
    const names = (templates.json.data as Array<{ name: string; wabaId: string }>)
      .filter((template) => template.wabaId === code.wabaId)
      .map((template) => template.name);
    expect(names).toContain('hello_world');

    // And it sends: a template to a customer, with its statuses coming back signed through the subscription.
    const sent = await world.api('POST', `/api/v1/messages?tenantId=${tenantId}`, {
      message: {
        to: '+5511955550101',
        type: 'template',
        template: { name: 'hello_world', languageCode: 'en_US' },
      },
    });
    expect(sent.status, sent.body).toBe(202);
    await waitFor(
      'the message to be delivered',
      async () => {
        const shown = await world.api('GET', `/api/v1/messages/${sent.json.id}`);
        return shown.json.state === 'sent' && ['delivered', 'read'].includes(shown.json.deliveryStatus);
      },
      20_000,
      async () => JSON.stringify((await world.api('GET', `/api/v1/messages/${sent.json.id}`)).json),
    );
  });

  it('is idempotent: completing again changes nothing, and a new code for the same account skips what is done', async () => {
    // A link that may run again after it completed (the operator's choice): a plain one is single-use.
    const { tenantId, path } = await world.newTenant('Oficina Norte', { allowAdditionalNumbers: true });
    const first = await world.signup(path);
    expect(first.completed.json.state).toBe('completed');
    const callsBefore = world.graph.calls.length;

    const again = await world.api('POST', `${path}/complete`, {}, {});
    expect(again.json).toMatchObject({ id: first.completed.json.id, state: 'completed' });
    expect(world.graph.calls.length).toBe(callsBefore);

    // The customer runs the signup again and picks the same account.
    const repeat = world.simulator.issueSignupCode({ wabaId: first.code.wabaId });
    const rerun = await world.api('POST', `${path}/complete`, { code: repeat.code }, {});
    expect(rerun.json.state).toBe('completed');
    expect(rerun.json.id).not.toBe(first.completed.json.id);
    const states = Object.fromEntries(
      rerun.json.steps.map((step: { name: string; state: string }) => [step.name, step.state]),
    );
    expect(states).toMatchObject({ 'subscribe-app': 'skipped', 'register-number': 'skipped' });
    for (const table of ['wabas', 'phone_numbers', 'number_connections'] as const) {
      const rows = await world.coxcox.store.db
        .selectFrom(table)
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .execute();
      expect(rows, table).toHaveLength(1);
    }
  });

  it('names the failed step and Meta’s error, and resuming finishes from that step', async () => {
    const { tenantId, path } = await world.newTenant('Loja Sul');
    world.graph.failNext('registerNumber', 4, 400, '(#4) Application request limit reached');
    const { completed } = await world.signup(path);
    const failed = completed.json;
    expect(failed.state).toBe('failed');
    expect(failed.failure).toMatchObject({ step: 'register-number', reason: 'meta_busy', meta: { code: 4 } });
    expect(failed.failure.message).toContain('registering the number for the Cloud API');
    expect(failed.failure.message).toContain('Application request limit reached');
    const before = Object.fromEntries(
      failed.steps.map((step: { name: string; state: string }) => [step.name, step.state]),
    );
    expect(before).toMatchObject({
      'exchange-code': 'done',
      'save-connection': 'done',
      'subscribe-app': 'done',
      'register-number': 'failed',
      'sync-templates': 'pending',
    });

    const exchangesBefore = world.graph.calls.filter((call) => call === 'exchangeCode').length;
    // The page's "Try again": complete with no code resumes the failed attempt.
    const resumed = await world.api('POST', `${path}/complete`, {}, {});
    expect(resumed.json).toMatchObject({ id: failed.id, state: 'completed', failure: null });
    expect(world.graph.calls.filter((call) => call === 'exchangeCode').length).toBe(exchangesBefore);
    expect((await world.api('GET', `/api/v1/tenants/${tenantId}/onboardings/${failed.id}`)).json.state).toBe(
      'completed',
    );
  });

  it('says a code that outlived its 30 s expired, and a fresh signup then finishes', async () => {
    const { path } = await world.newTenant('Café Leste');
    const signup = await world.api('POST', `${path}/sandbox-signup`, {}, {});
    simulatorClock.advance(31_000);
    const late = await world.api('POST', `${path}/complete`, { code: signup.json.code }, {});
    expect(late.json.failure).toMatchObject({
      step: 'exchange-code',
      reason: 'code_expired',
      meta: { code: 100, subcode: 36007 },
    });
    expect(late.json.failure.message).toContain('run the signup again');
    // Without a new code there is nothing to resume with: it says so.
    const noCode = await world.api('POST', `${path}/complete`, {}, {});
    expect(noCode.json.failure.reason).toBe('code_missing');
    const fresh = await world.signup(path);
    expect(fresh.completed.json).toMatchObject({ id: late.json.id, state: 'completed' });
  });

  it('documents the API routes, and keeps the setup page (its URL is a credential) out of the document', async () => {
    const document = await world.api('GET', '/docs/json', undefined, {});
    const paths = Object.keys(document.json.paths);
    for (const path of [
      '/api/v1/setup-links',
      '/api/v1/tenants/{tenantId}/setup-links',
      '/api/v1/tenants/{tenantId}/onboardings/{onboardingId}/resume',
      '/api/v1/tenants/{tenantId}/connections',
      '/api/v1/tenants/{tenantId}/phone-numbers/{phoneNumberId}/disconnect',
      '/api/v1/tenants/{tenantId}/health',
      '/api/v1/tenants/{tenantId}/health/{phoneNumberId}',
      '/api/v1/tenants/{tenantId}/health/events',
    ]) {
      expect(paths).toContain(path);
    }
    expect(paths.some((path) => path.startsWith('/setup/'))).toBe(false);
  });

  it('refuses links that are forged, withdrawn or expired, and a link acts on its own tenant only', async () => {
    const first = await world.newTenant('Tenant Um');
    const second = await world.newTenant('Tenant Dois');
    const forged = `${first.path.slice(0, -4)}AAAA`;
    expect((await world.api('GET', forged, undefined, {})).status).toBe(404);
    expect((await world.api('POST', `${forged}/complete`, {}, {})).json.error.code).toBe('not_found');

    const links = await world.api('GET', `/api/v1/tenants/${first.tenantId}/setup-links`);
    const linkId = links.json.data[0].id;
    expect(
      (await world.api('DELETE', `/api/v1/tenants/${second.tenantId}/setup-links/${linkId}`)).status,
    ).toBe(404);
    expect(
      (await world.api('DELETE', `/api/v1/tenants/${first.tenantId}/setup-links/${linkId}`)).status,
    ).toBe(204);
    expect((await world.api('POST', `${first.path}/sandbox-signup`, {}, {})).json.error.code).toBe(
      'forbidden',
    );

    const { completed } = await world.signup(second.path);
    expect(completed.json.tenantId).toBe(second.tenantId);
    expect((await world.api('GET', `/api/v1/tenants/${first.tenantId}/phone-numbers`)).json.data).toEqual([]);

    const shortLived = await world.api('POST', `/api/v1/tenants/${second.tenantId}/setup-links`, {
      expiresInHours: 1,
    });
    const row = await world.coxcox.store.db
      .selectFrom('setup_links')
      .select('id')
      .where('id', '=', shortLived.json.id)
      .executeTakeFirstOrThrow();
    await world.coxcox.store.db
      .updateTable('setup_links')
      .set({ expires_at: Date.now() - 1 })
      .where('id', '=', row.id)
      .execute();
    const expired = await world.api('GET', new URL(shortLived.json.url).pathname, undefined, {});
    expect(expired.status).toBe(403);
    expect(expired.body).toContain('expired');
    expect(admin.authorization).toBeDefined();
  });
});
