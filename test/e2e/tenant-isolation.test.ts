import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { waitFor } from '../support/simulated-coxcox.ts';
import { hasChromium, openBrowser, screenshot, watchPageErrors } from './support/browser.ts';
import { type DashboardWorld, signIn, startDashboardWorld } from './support/dashboard-world.ts';

describe.runIf(hasChromium)('a second tenant sees none of the first tenant’s data', () => {
  let world: DashboardWorld;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let sandboxConversationId: string;
  let sandboxContactId: string;
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

  beforeAll(async () => {
    world = await startDashboardWorld();
    // The first tenant (the sandbox company) has a conversation, contacts and a campaign draft.
    world.simulator.customerSays({
      from: '5511900000201',
      name: 'Secret Customer',
      text: 'Hello, I want to buy',
    });
    await waitFor('the first tenant’s conversation', async () =>
      Boolean(
        await world.store.db
          .selectFrom('conversations')
          .select('id')
          .where('tenant_id', '=', SANDBOX_TENANT_ID)
          .executeTakeFirst(),
      ),
    );
    sandboxConversationId = (
      await world.store.db.selectFrom('conversations').select('id').executeTakeFirstOrThrow()
    ).id;
    await world.app.inject({
      method: 'POST',
      url: `/api/v1/imports?tenantId=${SANDBOX_TENANT_ID}`,
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: 'phone,name\n+5511900000202,Secret Lead\n',
    });
    await waitFor('the first tenant’s contacts', async () =>
      Boolean(
        await world.store.db
          .selectFrom('contacts')
          .select('id')
          .where('name', '=', 'Secret Lead')
          .executeTakeFirst(),
      ),
    );
    sandboxContactId = (
      await world.store.db
        .selectFrom('contacts')
        .select('id')
        .where('name', '=', 'Secret Lead')
        .executeTakeFirstOrThrow()
    ).id;
    await world.directory.createTenant({ id: 'globex', name: 'Globex' });
    await world.addUser('gina@globex.example', { tenantId: 'globex', name: 'Gina Globex' });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.dispose();
    await world?.dispose();
  });

  it('shows the second tenant empty screens, refuses the first tenant’s ids, and streams none of its events', async () => {
    const page = await browser.newPage();
    const errors = watchPageErrors(page);
    await signIn(page, world.url, 'gina@globex.example');
    await page.getByRole('heading', { name: 'No conversations yet' }).waitFor();
    await expect(page.locator('.sidebar-footer').textContent()).resolves.toContain('Globex');
    await screenshot(page, 'isolation-01-inbox');

    // Live events: the first tenant's customer writes while the second tenant's dashboard listens.
    await page.evaluate(() => {
      const received: string[] = [];
      (window as unknown as { received: string[] }).received = received;
      const source = new EventSource('/api/v1/events');
      source.onmessage = (message) => received.push(message.data as string);
    });
    world.simulator.customerSays({ from: '5511900000201', name: 'Secret Customer', text: 'Are you there?' });
    await waitFor('the first tenant’s new message', async () =>
      Boolean(
        await world.store.db
          .selectFrom('messages')
          .select('id')
          .where('content', 'like', '%Are you there?%')
          .executeTakeFirst(),
      ),
    );
    await page.waitForTimeout(1500);
    expect(await page.evaluate(() => (window as unknown as { received: string[] }).received)).toEqual([]);
    expect(await page.locator('[data-conversation-id]').count()).toBe(0);

    await page.getByRole('link', { name: 'Contacts' }).first().click();
    await page.getByRole('heading', { name: 'No contacts yet' }).waitFor();
    await page.getByRole('link', { name: 'Campaigns' }).first().click();
    await page.getByRole('heading', { name: 'No campaigns yet' }).waitFor();
    await screenshot(page, 'isolation-02-campaigns');

    // Deep links to the first tenant's things answer as if they did not exist.
    await page.goto(`${world.url}/inbox/${sandboxConversationId}`);
    await page.getByRole('heading', { name: 'This conversation could not be opened' }).waitFor();
    await expect(page.locator('[data-testid="thread"]').count()).resolves.toBe(0);
    await screenshot(page, 'isolation-03-foreign-conversation');
    await page.goto(`${world.url}/contacts/${sandboxContactId}`);
    await page.getByRole('heading', { name: 'This contact could not be loaded' }).waitFor();

    for (const path of [
      `/api/v1/conversations/${sandboxConversationId}`,
      `/api/v1/inbox/conversations/${sandboxConversationId}/thread`,
      `/api/v1/contacts/${sandboxContactId}`,
      `/api/v1/tenants/${SANDBOX_TENANT_ID}`,
    ]) {
      expect((await page.request.get(`${world.url}${path}`)).status(), path).toBe(404);
    }
    const list = await page.request.get(
      `${world.url}/api/v1/inbox/conversations?tenantId=${SANDBOX_TENANT_ID}`,
    );
    expect(list.status()).toBe(404);

    await page.getByRole('link', { name: 'Sandbox' }).first().click();
    await page.getByRole('heading', { name: 'This company has no simulated number' }).waitFor();
    await screenshot(page, 'isolation-04-sandbox');
    expect(errors).toEqual([]);
  });
});
