import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from '../support/make-pdf.ts';
import { waitFor } from '../support/simulated-coxcox.ts';
import { hasChromium, openBrowser, PHONE, screenshot, watchPageErrors } from './support/browser.ts';
import { type DashboardWorld, PASSWORD, signIn, startDashboardWorld } from './support/dashboard-world.ts';

describe.runIf(hasChromium)('the agent, WhatsApp, analytics and team screens', () => {
  let world: DashboardWorld;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    world = await startDashboardWorld();
    await world.addUser('ada@example.com', { name: 'Ada Admin' });
    world.simulator.customerSays({ from: '5511900000301', name: 'Rita Reis', text: 'Oi, tenho interesse' });
    await waitFor('a conversation for the analytics', async () =>
      Boolean(await world.store.db.selectFrom('conversations').select('id').executeTakeFirst()),
    );
    browser = await openBrowser();
    page = await browser.newPage();
    errors = watchPageErrors(page);
    await signIn(page, world.url, 'ada@example.com');
  });
  afterAll(async () => {
    await browser?.dispose();
    await world?.dispose();
  });

  it('edits the agent profile, adds knowledge, tests the model, chats in the playground and runs the evaluation', async () => {
    await page.getByRole('link', { name: 'Agent' }).first().click();
    await page.getByLabel('Company name').fill('Solar Sul');
    await page
      .getByLabel('About the company and its products')
      .fill('We install solar panels for homes in the south of Brazil.');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Profile saved').waitFor();
    await screenshot(page, 'agent-01-profile');

    await page.getByRole('link', { name: 'Knowledge' }).click();
    await page.getByRole('heading', { name: 'The knowledge base is empty' }).waitFor();
    await page.locator('input[type="file"]').setInputFiles({
      name: 'prices.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from(
        '# Prices\n\nThe basic kit costs R$ 9.900 installed. The premium kit costs R$ 14.500.\n',
      ),
    });
    await page.getByRole('cell', { name: 'prices' }).waitFor();
    // A PDF too: the server reads its text.
    await page.locator('input[type="file"]').setInputFiles({
      name: 'warranty.pdf',
      mimeType: 'application/pdf',
      buffer: makePdf(['Warranty', 'Batteries carry an eight-year replacement guarantee.']),
    });
    await page.getByRole('cell', { name: 'warranty' }).waitFor();
    await page.getByLabel('Question').fill('How much is the premium kit?');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('The premium kit costs R$ 14.500').waitFor();
    await screenshot(page, 'agent-02-knowledge');

    await page.getByRole('link', { name: 'Model' }).click();
    await page.getByRole('button', { name: 'Test the connection' }).click();
    await page.getByTestId('connection-test').filter({ hasText: 'answered' }).waitFor();
    await screenshot(page, 'agent-03-model');

    await page.getByRole('link', { name: 'Playground' }).click();
    await page.getByLabel('Message to the agent').fill('Hi! How much is the premium kit?');
    await page.getByRole('button', { name: 'Send to the agent' }).click();
    await page.locator('[data-testid="playground-messages"] .bubble.in').first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'agent-04-playground');

    await page.getByRole('link', { name: 'Evaluations' }).click();
    await page.getByRole('heading', { name: 'No evaluation run yet' }).waitFor();
    await page.getByRole('button', { name: 'Run with the playbook' }).click();
    await page.getByTestId('evaluation-score').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('evaluation-score').textContent()).toMatch(/\d+ of \d+ passed/);
    await screenshot(page, 'agent-05-evaluations');
  });

  it('shows what to paste into Meta, the health of the number, and its templates', async () => {
    await page.getByRole('link', { name: 'WhatsApp' }).first().click();
    await page.getByLabel('Callback URL').waitFor();
    expect(await page.getByLabel('Callback URL').inputValue()).toBe(`${world.url}/webhooks/whatsapp`);
    expect(await page.getByLabel('Verify token').getAttribute('type')).toBe('password');
    await page.getByRole('button', { name: 'Show' }).click();
    expect((await page.getByLabel('Verify token').inputValue()).length).toBeGreaterThan(20);
    await page.locator('[data-phone-number-id]').getByText('Coxcox Sandbox').waitFor();
    await page.getByRole('button', { name: 'Sync from WhatsApp' }).click();
    await page.getByTestId('templates').getByText('coxcox_offer').first().waitFor();
    await screenshot(page, 'whatsapp-01-connection', { isFullPage: true });
  });

  it('shows analytics with charts, and the team', async () => {
    await page.getByRole('link', { name: 'Analytics' }).first().click();
    await page.getByRole('region', { name: 'Messages per day' }).locator('canvas').waitFor();
    await screenshot(page, 'analytics-01-overview');

    await page.getByRole('link', { name: 'Team' }).first().click();
    await page.getByRole('button', { name: 'Add a person' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a person' });
    await dialog.getByLabel('Email').fill('bo@example.com');
    await dialog.getByLabel('Name').fill('Bo Agent');
    await dialog.getByLabel('First password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('cell', { name: /Bo Agent/ }).waitFor();
    await screenshot(page, 'team-01-people');
    expect(errors).toEqual([]);
  });

  it('lets an agent work but not change the company settings', async () => {
    const agentBrowser = await openBrowser(PHONE);
    try {
      const agentPage = await agentBrowser.newPage();
      await signIn(agentPage, world.url, 'bo@example.com');
      await agentPage.goto(`${world.url}/agent`);
      await agentPage.getByText('Only admins can change the agent.').waitFor();
      await expect(agentPage.getByLabel('Company name').isDisabled()).resolves.toBe(true);
      await screenshot(agentPage, 'team-02-agent-role-phone');
      const forbidden = await agentPage.request.put(`${world.url}/api/v1/agent/profile`, {
        headers: { 'x-coxcox-csrf': '1' },
        data: { profile: { companyName: 'Hijacked' } },
      });
      expect(forbidden.status()).toBe(403);
    } finally {
      await agentBrowser.dispose();
    }
  });
});
