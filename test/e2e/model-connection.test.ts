import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAiServer, startFakeOpenAiServer } from '../../src/agent/models/fake-openai-server.ts';
import { SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { hasChromium, openBrowser, screenshot, watchPageErrors } from './support/browser.ts';
import { type DashboardWorld, signIn, startDashboardWorld } from './support/dashboard-world.ts';

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.runIf(hasChromium)('"Test the connection" on the Agent screen', () => {
  let world: DashboardWorld;
  let model: FakeOpenAiServer;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    // The fake model is on loopback, which a tenant's model URL may reach only when the operator allows it.
    world = await startDashboardWorld({ ALLOW_PRIVATE_NETWORK_TARGETS: 'true' });
    await world.addUser('ada@example.com', { name: 'Ada Admin' });
    model = await startFakeOpenAiServer({ responder: () => ({ text: 'Pong' }) });
    browser = await openBrowser();
    page = await browser.newPage();
    errors = watchPageErrors(page);
    await signIn(page, world.url, 'ada@example.com');
  });
  afterAll(async () => {
    await browser?.dispose();
    await model?.close();
    await world?.dispose();
  });

  it('tests the unsaved form: red with the reason for an unreachable endpoint, green for a live one', async () => {
    await page.getByRole('link', { name: 'Agent' }).first().click();
    await page.getByRole('link', { name: 'Model' }).click();
    const form = page.getByRole('form', { name: 'Model' });
    await form.getByLabel('Provider').selectOption('openai-compatible');
    await form.getByLabel('Base URL').fill(`http://127.0.0.1:${await closedPort()}/v1`);
    await form.getByRole('textbox', { name: /^Model/ }).fill('unsaved-model');
    await form.getByRole('button', { name: 'Test the connection' }).click();

    const banner = page.getByTestId('connection-test');
    await banner.filter({ hasText: 'did not answer' }).waitFor();
    expect(await banner.getAttribute('class')).toContain('danger');
    expect(await banner.textContent()).toMatch(/ECONNREFUSED|connect/i);
    await screenshot(page, 'agent-model-test-unreachable');

    await form.getByLabel('Base URL').fill(model.baseUrl);
    await form.getByRole('button', { name: 'Test the connection' }).click();
    await banner.filter({ hasText: 'answered' }).filter({ hasNotText: 'did not' }).waitFor();
    expect(await banner.getAttribute('class')).toContain('ok');
    expect(model.requests.map((request) => request.model)).toEqual(['unsaved-model']);

    // Testing saved nothing: the agent still runs on the playbook.
    const saved = await world.app.inject({
      method: 'GET',
      url: `/api/v1/agent/model-settings?tenantId=${SANDBOX_TENANT_ID}`,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(saved.json()).toMatchObject({ provider: 'playbook', baseUrl: null });
    expect(errors).toEqual([]);
  });
});
