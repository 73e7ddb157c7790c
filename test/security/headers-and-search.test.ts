import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_PHONE_NUMBER_ID, SANDBOX_TENANT_ID, SANDBOX_WABA_ID } from '../../src/coxcox.ts';
import { renderSetupPage, setupPageCsp } from '../../src/onboarding/setup-page.ts';
import { type CampaignHarness, startCampaignCoxcox } from '../campaigns/campaign-harness.ts';
import { testDatabases } from '../support/databases.ts';
import { textMessageNotification, wamid } from '../support/meta-body.ts';

const databases = await testDatabases();

// Issue 10, "Headers": the setup page had no CSP and no frame-ancestors, JSON answers had no nosniff, and
// a search for `%` listed every contact.
describe.each(databases)('security headers and literal search on $name', (database) => {
  let harness: CampaignHarness;
  beforeAll(async () => {
    harness = await startCampaignCoxcox(database);
  });
  afterAll(async () => harness?.coxcox.dispose());

  it('serves the setup page with a strict CSP that no other site may frame', async () => {
    const created = await harness.api('POST', `/tenants/${SANDBOX_TENANT_ID}/setup-links`, {});
    const page = await harness.coxcox.app.inject({
      method: 'GET',
      url: new URL(created.json().url).pathname,
    });
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    // Every inline script and style carries the nonce the policy allows.
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    const tags = page.body.match(/<(script|style)\b[^>]*>/g)!;
    expect(tags.length).toBeGreaterThan(0);
    for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);

    const refused = await harness.coxcox.app.inject({ method: 'GET', url: '/setup/forged.token' });
    expect(refused.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(refused.headers['x-frame-options']).toBe('DENY');
  });

  it('allows Facebook’s SDK only when Embedded Signup is configured', () => {
    const embedded = {
      kind: 'embedded',
      appId: '1234',
      configId: '5678',
      graphApiVersion: 'v23.0',
    } as const;
    const csp = setupPageCsp(embedded, 'n0nce');
    expect(csp).toMatch(/script-src 'nonce-n0nce' https:\/\/connect\.facebook\.net/);
    expect(csp).toContain('frame-src https://*.facebook.com');
    expect(csp).toContain("frame-ancestors 'none'");
    const page = renderSetupPage({ tenantName: 'X', basePath: '/setup/t', mode: embedded, nonce: 'n0nce' });
    expect(page).toContain(
      '<script nonce="n0nce" async defer crossorigin="anonymous" src="https://connect.facebook.net',
    );
    expect(setupPageCsp({ kind: 'sandbox' }, 'n0nce')).not.toContain('facebook');
  });

  it('sends nosniff with JSON answers, errors included', async () => {
    const ok = await harness.api('GET', '/contacts');
    expect(ok.headers['content-type']).toContain('application/json');
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    const refused = await harness.coxcox.app.inject({ method: 'GET', url: '/api/v1/contacts' });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['x-content-type-options']).toBe('nosniff');
  });

  it('keeps API answers out of caches: they carry a company’s data', async () => {
    const ok = await harness.api('GET', '/contacts');
    expect(ok.headers['cache-control']).toBe('no-store');
    const refused = await harness.coxcox.app.inject({ method: 'GET', url: '/api/v1/contacts' });
    expect(refused.headers['cache-control']).toBe('no-store');
  });

  it('matches %, _ and \\ literally in the contact and inbox searches', async () => {
    const names = ['100% Real', 'Under_score', 'Back\\slash', 'Ana Souza'];
    for (const [index, name] of names.entries()) {
      await harness.deliver(
        textMessageNotification({
          wabaId: SANDBOX_WABA_ID,
          phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
          from: `551199990000${index}`,
          name,
          text: 'oi',
          id: wamid(),
          timestamp: harness.clock.seconds(),
        }),
      );
    }
    const contacts = async (search: string) =>
      (await harness.api('GET', `/contacts?search=${encodeURIComponent(search)}`))
        .json()
        .data.map((contact: { name: string }) => contact.name);
    expect(await contacts('%')).toEqual(['100% Real']);
    expect(await contacts('_')).toEqual(['Under_score']);
    expect(await contacts('\\')).toEqual(['Back\\slash']);
    const inbox = async (q: string) =>
      (await harness.api('GET', `/inbox/conversations?q=${encodeURIComponent(q)}`))
        .json()
        .data.map((row: { contact: { name: string } }) => row.contact.name);
    expect(await inbox('%')).toEqual(['100% Real']);
    expect(await inbox('_')).toEqual(['Under_score']);
    expect(await inbox('\\')).toEqual(['Back\\slash']);
  });
});
