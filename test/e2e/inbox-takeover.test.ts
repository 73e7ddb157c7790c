import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, openBrowser, PHONE, screenshot, watchPageErrors } from './support/browser.ts';
import { type DashboardWorld, signIn, startDashboardWorld } from './support/dashboard-world.ts';

const CUSTOMER = '5511900000099'; // the sandbox phone's own number ("You (sandbox)")

describe.runIf(hasChromium)('the inbox: the agent answers, a person takes over and hands back', () => {
  let world: DashboardWorld;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    world = await startDashboardWorld();
    await world.addUser('ada@example.com', { name: 'Ada Admin' });
    browser = await openBrowser();
    page = await browser.newPage();
    errors = watchPageErrors(page);
    await signIn(page, world.url, 'ada@example.com');
  });
  afterAll(async () => {
    await browser?.dispose();
    await world?.dispose();
  });

  const agentBubbles = () => page.locator('[data-testid="thread"] .bubble[data-source="agent"]');
  const customerBubbles = () => page.locator('[data-testid="thread"] .bubble[data-direction="in"]');

  it('a simulated customer writes from the sandbox phone and the agent answers', async () => {
    await page.getByRole('link', { name: 'Sandbox' }).first().click();
    await page.getByRole('region', { name: 'Simulated phone' }).waitFor();
    await page.getByLabel('Message as the customer').fill("Hi! I'd like to know more about your plans");
    await page.getByRole('button', { name: 'Send as the customer' }).click();
    await page.locator('[data-testid="phone-messages"] .bubble[data-direction="customer"]').waitFor();
    await page
      .locator('[data-testid="phone-messages"] .bubble[data-direction="business"]')
      .first()
      .waitFor({ timeout: 30_000 });
    await screenshot(page, 'inbox-01-sandbox-phone');

    await page.getByRole('link', { name: 'Open in the inbox' }).click();
    await page.waitForURL(/\/inbox\/[^/]+$/);
    await customerBubbles().first().waitFor();
    await agentBubbles().first().waitFor();
    await expect(page.getByTestId('owner-badge').textContent()).resolves.toContain('AI agent');
    await expect(page.getByTestId('service-window').textContent()).resolves.toMatch(
      /24-hour window open · 2[34] h \d+ min left/,
    );
    await screenshot(page, 'inbox-02-agent-answered');
  });

  it('shows new messages live, without a reload', async () => {
    const agentCount = await agentBubbles().count();
    world.simulator.customerSays({
      from: CUSTOMER,
      name: 'You (sandbox)',
      text: 'My budget is about 500 dollars a month',
    });
    await page.getByTestId('thread').getByText('My budget is about 500 dollars a month').waitFor();
    await page.waitForFunction(
      (count) =>
        document.querySelectorAll('[data-testid="thread"] .bubble[data-source="agent"]').length > count,
      agentCount,
      {
        timeout: 30_000,
      },
    );
    const row = page.locator(`[data-conversation-id]`).first();
    await expect(row.textContent()).resolves.toContain('You (sandbox)');
  });

  it('takes over: the agent goes quiet, the reply goes out by hand and is delivered and read', async () => {
    await page.getByRole('button', { name: 'Take over' }).click();
    await page.getByTestId('owner-badge').filter({ hasText: 'Human' }).waitFor();
    await page
      .getByLabel('Reply', { exact: true })
      .fill('Hi, this is Ada from sales. Shall I call you tomorrow at 10?');
    await page.keyboard.press('Enter');
    const mine = page.locator('[data-testid="thread"] .bubble[data-source="human"]');
    await mine.first().waitFor();
    // The bubble names the colleague who wrote it, not "You (human)".
    await expect(mine.first().locator('.sender').textContent()).resolves.toBe('Ada Admin');
    // The simulator reports sent, delivered, then read (3 s): the ticks follow, live.
    await page
      .locator('[data-testid="thread"] .bubble[data-source="human"][data-status="read"]')
      .waitFor({ timeout: 20_000 });
    await screenshot(page, 'inbox-03-human-reply-read');

    const agentCount = await agentBubbles().count();
    world.simulator.customerSays({
      from: CUSTOMER,
      name: 'You (sandbox)',
      text: 'Yes, tomorrow at 10 works',
    });
    await page.getByTestId('thread').getByText('Yes, tomorrow at 10 works').waitFor();
    // A muted agent stays silent: give it well over its debounce to be sure.
    await page.waitForTimeout(2500);
    expect(await agentBubbles().count()).toBe(agentCount);
  });

  it('hands back: the agent answers the next message', async () => {
    await page.getByRole('button', { name: 'Hand back to AI' }).click();
    await page.getByTestId('owner-badge').filter({ hasText: 'AI agent' }).waitFor();
    const agentCount = await agentBubbles().count();
    world.simulator.customerSays({
      from: CUSTOMER,
      name: 'You (sandbox)',
      text: 'One more question: do you have a yearly plan?',
    });
    await page.waitForFunction(
      (count) =>
        document.querySelectorAll('[data-testid="thread"] .bubble[data-source="agent"]').length > count,
      agentCount,
      {
        timeout: 30_000,
      },
    );
    await screenshot(page, 'inbox-04-handed-back');
    expect(errors).toEqual([]);
  });

  it('outside the 24-hour window, offers approved templates only', async () => {
    await page.request.post(`${world.url}/api/v1/templates/sync`, {
      headers: { 'x-coxcox-csrf': '1' },
      data: {},
    });
    const conversationId = page.url().split('/').pop()!;
    await world.store.db
      .updateTable('conversations')
      .set({ last_inbound_at: Date.now() - 25 * 60 * 60_000 })
      .where('id', '=', conversationId)
      .execute();
    await page.reload();
    await page.getByTestId('service-window').filter({ hasText: 'Window closed · templates only' }).waitFor();
    await expect(page.getByLabel('Reply', { exact: true }).count()).resolves.toBe(0);
    await page.getByLabel('Template').selectOption({ label: 'coxcox_follow_up · en_US · utility' });
    await page.getByLabel('Parameter 1').fill('Jo');
    await page.getByText('Hi Jo, following up on your request.').waitFor();
    await page.getByRole('button', { name: 'Send template' }).click();
    await page
      .locator('[data-testid="thread"] .bubble[data-source="human"]')
      .filter({ hasText: 'coxcox_follow_up' })
      .waitFor({ timeout: 20_000 });
    await screenshot(page, 'inbox-05-template-outside-window');
  });

  it('works on a phone: the list, then the conversation with a way back', async () => {
    const phone = await openBrowser(PHONE);
    try {
      const phonePage = await phone.newPage();
      await signIn(phonePage, world.url, 'ada@example.com');
      await phonePage.locator('[data-conversation-id]').first().waitFor();
      await screenshot(phonePage, 'inbox-06-phone-list');
      await phonePage.locator('[data-conversation-id]').first().click();
      await phonePage.locator('[data-testid="thread"] .bubble').first().waitFor();
      await expect(phonePage.locator('.inbox-list').isVisible()).resolves.toBe(false);
      await screenshot(phonePage, 'inbox-07-phone-thread');
      await phonePage.getByRole('link', { name: 'Back to conversations' }).click();
      await phonePage.locator('[data-conversation-id]').first().waitFor();
    } finally {
      await phone.dispose();
    }
  });
});
