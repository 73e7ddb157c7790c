import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordInboundMessage } from '../../src/conversations/index.ts';
import { SANDBOX_PHONE_NUMBER_ID, SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { hasChromium, openBrowser, screenshot, watchPageErrors } from './support/browser.ts';
import { type DashboardWorld, signIn, startDashboardWorld } from './support/dashboard-world.ts';

const USER_ID = 'US.13491208655302741918';

describe.runIf(hasChromium)('a sender who hides their number, in the inbox', () => {
  let world: DashboardWorld;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    world = await startDashboardWorld();
    await world.addUser('ada@example.com', { name: 'Ada Admin' });
    // Recorded as the inbox worker records Meta's username-only message: a user id and a username, no wa_id.
    await recordInboundMessage(
      world.store.db,
      {
        tenantId: SANDBOX_TENANT_ID,
        phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
        contact: { waId: null, userId: USER_ID, username: 'hidden.ana' },
        wamid: 'wamid.username-only-1',
        type: 'text',
        sentAt: Date.now(),
        contextWamid: null,
        content: { type: 'text', text: { body: 'hello without a number' } },
        targetWamid: null,
      },
      Date.now(),
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

  it('names them @username in the list, the thread header and the lead panel', async () => {
    const row = page.locator('[data-conversation-id]').filter({ hasText: '@hidden.ana' });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('hello without a number');
    await row.click();
    await page.waitForURL(/\/inbox\/[^/]+$/);
    const header = page.getByRole('region', { name: 'Conversation' }).locator('.thread-head');
    await header.getByText('@hidden.ana').first().waitFor();
    const lead = page.locator('dl.kv').first();
    await lead.waitFor();
    await expect(lead.textContent()).resolves.toContain('WhatsApp@hidden.ana');
    await expect(page.getByText('unknown number').count()).resolves.toBe(0);
    await screenshot(page, 'inbox-username-contact');
    expect(errors).toEqual([]);
  });
});
