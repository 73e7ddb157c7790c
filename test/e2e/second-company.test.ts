import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { hasChromium, openBrowser, PHONE, screenshot, watchPageErrors } from './support/browser.ts';
import { type DashboardWorld, startDashboardWorld } from './support/dashboard-world.ts';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/**
 * Issue 11, item 6, in the browser: a second company goes from its setup link to its own inbox. The
 * setup page connects a number (the simulator plays Meta), creates the company's admin and signs them in;
 * the Sandbox screen writes as a customer to that company's number; the message is in its inbox; and the
 * operator, signed in with the ADMIN_TOKEN, switches between both companies.
 */
describe.runIf(hasChromium)('a second company, from its setup link to its inbox', () => {
  let world: DashboardWorld;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let page: Page;
  let errors: string[];
  let setupPath: string;
  let tenantId: string;

  beforeAll(async () => {
    world = await startDashboardWorld();
    const created = await world.app.inject({
      method: 'POST',
      url: '/api/v1/setup-links',
      headers: admin,
      payload: { tenantName: 'Padaria Central' },
    });
    tenantId = created.json().tenant.id;
    setupPath = new URL(created.json().setupLink.url).pathname;
    browser = await openBrowser();
    page = await browser.newPage();
    errors = watchPageErrors(page);
  });
  afterAll(async () => {
    await browser?.dispose();
    await world?.dispose();
  });

  it('connects the number and creates the company’s admin on the setup page', async () => {
    await page.goto(`${world.url}${setupPath}`);
    await screenshot(page, 'second-company-01-setup-page');
    await page.getByRole('button', { name: /Simulate Meta’s signup/ }).click();
    await page.getByText(/Connected: .* can send now\./).waitFor();
    await page.getByRole('heading', { name: 'Create your company’s admin' }).waitFor();
    await page.getByLabel('Your name').fill('Ana Souza');
    await page.getByLabel('Email').fill('ana@padaria.example');
    await page.getByLabel(/^Password/).fill('a long enough password');
    await screenshot(page, 'second-company-02-admin-form', { isFullPage: true });
    await page.getByRole('button', { name: 'Create admin and open the dashboard' }).click();
    await page.getByText('Done: ana@padaria.example is your company’s admin, and signed in.').waitFor();
    await screenshot(page, 'second-company-03-admin-created', { isFullPage: true });

    await page.getByRole('link', { name: 'Open the dashboard' }).click();
    await page.waitForURL('**/inbox');
    const sidebar = page.getByRole('navigation', { name: 'Sections' }).first();
    await sidebar.getByText('Padaria Central · admin').waitFor();
    // A company's own user has no company picker.
    await expect(page.getByLabel('Company').count()).resolves.toBe(0);
  });

  it('writes as a customer to the new company’s number, and the message is in its inbox', async () => {
    await page.getByRole('link', { name: 'Sandbox' }).first().click();
    await page.getByRole('region', { name: 'Simulated phone' }).waitFor();
    await page.getByLabel('Message as the customer').fill('Vocês entregam pão hoje?');
    await page.getByRole('button', { name: 'Send as the customer' }).click();
    await page.locator('[data-testid="phone-messages"] .bubble[data-direction="customer"]').waitFor();
    await page.getByRole('link', { name: 'Open in the inbox' }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'second-company-04-sandbox-phone');

    await page.getByRole('link', { name: 'Inbox' }).first().click();
    const row = page.locator('[data-conversation-id]').filter({ hasText: 'You (sandbox)' });
    await row.waitFor();
    await row.click();
    await page
      .getByTestId('thread')
      .locator('.bubble[data-direction="in"]')
      .getByText('Vocês entregam pão hoje?')
      .waitFor();
    const conversationId = await row.getAttribute('data-conversation-id');
    const conversation = await world.store.db
      .selectFrom('conversations')
      .select(['tenant_id', 'phone_number_id'])
      .where('id', '=', String(conversationId))
      .executeTakeFirstOrThrow();
    expect(conversation.tenant_id).toBe(tenantId);
    await screenshot(page, 'second-company-05-inbox');
  });

  it('shows a WhatsApp screen that agrees with itself', async () => {
    await page.getByRole('link', { name: 'WhatsApp' }).first().click();
    const numbers = page.getByRole('region', { name: 'Numbers' });
    await numbers.getByText('Connected and sending').waitFor({ timeout: 30_000 });
    // Webhook activity is written every few seconds: look again until the customer's message counts.
    for (let attempt = 0; attempt < 20; attempt += 1) {
      if ((await page.locator('main').textContent())?.includes('Webhooks arriving')) break;
      await page.waitForTimeout(1000);
      await page.reload();
      await numbers.getByText('Connected and sending').waitFor({ timeout: 30_000 });
    }
    const text = (await page.locator('main').textContent()) ?? '';
    // Issue 11, item 5: "++1 555-…", "No Meta app is connected yet" beside "Connected and sending".
    expect(text).not.toContain('++');
    expect(text).not.toContain('No Meta app is connected yet');
    await page.getByText(/receive their webhooks through Coxcox's own Meta app/).waitFor();
    // The customer's message arrived through the shared sandbox app: the number was heard from, and both
    // places that say so agree.
    expect(text).toContain('Webhooks arriving');
    expect(text).not.toContain('Not yet');
    await screenshot(page, 'second-company-05b-whatsapp', { isFullPage: true });
  });

  it('shows a held message in the company’s inbox with its reason', async () => {
    const number = await world.store.db
      .selectFrom('phone_numbers')
      .select(['waba_id', 'phone_number_id'])
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    world.simulator.revokeAccessToken(String(await world.directory.accessTokenFor(tenantId, number.waba_id)));
    const sent = await world.app.inject({
      method: 'POST',
      url: `/api/v1/messages?tenantId=${tenantId}`,
      headers: admin,
      payload: {
        phoneNumberId: number.phone_number_id,
        message: {
          to: '5511900000777',
          type: 'template',
          template: { name: 'hello_world', languageCode: 'en_US' },
        },
      },
    });
    expect(sent.statusCode).toBe(202);
    await page.goto(`${world.url}/inbox`);
    const held = page.locator('[data-conversation-id]').filter({ hasText: 'Held · ' });
    await held.waitFor({ timeout: 30_000 });
    await held.click();
    await page
      .getByTestId('failure-reason')
      .getByText(/Held, not sent yet: Meta refused the access token/)
      .waitFor();
    await screenshot(page, 'second-company-06-held-message');
  });

  it('lets the operator sign in with the admin token and switch between both companies', async () => {
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.getByRole('button', { name: 'Operator? Use the admin token' }).click();
    await page.getByLabel('Admin token').fill(TEST_ADMIN_TOKEN);
    await screenshot(page, 'second-company-07-operator-sign-in');
    await page.getByRole('button', { name: 'Sign in as the operator' }).click();
    await page.waitForURL('**/inbox');
    const picker = page.getByLabel('Company').first();
    await picker.waitFor();
    const options = await picker.locator('option').allTextContents();
    expect(options).toEqual(expect.arrayContaining(['Sandbox company', 'Padaria Central']));
    await expect(picker.inputValue()).resolves.toBe('sandbox');
    await screenshot(page, 'second-company-08-operator-sandbox');

    await picker.selectOption(tenantId);
    await page.waitForFunction(
      () => document.querySelector<HTMLSelectElement>('select[aria-label="Company"]')?.value !== 'sandbox',
    );
    // The new company's inbox: its sandbox customer's conversation (the sandbox company has none).
    await page.locator('[data-conversation-id]').filter({ hasText: 'You (sandbox)' }).waitFor();
    await expect(page.getByLabel('Company').first().inputValue()).resolves.toBe(tenantId);
    await screenshot(page, 'second-company-09-operator-switched');

    // On a phone, the picker is in the "More" menu.
    await page.setViewportSize(PHONE);
    await page.getByRole('button', { name: 'More' }).click();
    const menuPicker = page.locator('.more-menu').getByLabel('Company');
    await expect(menuPicker.inputValue()).resolves.toBe(tenantId);
    await screenshot(page, 'second-company-10-operator-phone-menu');
    expect(errors).toEqual([]);
  });
});
