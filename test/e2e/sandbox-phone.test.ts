import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentModel } from '../../src/agent/agent-model.ts';
import { SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { waitFor } from '../support/simulated-coxcox.ts';
import { hasChromium, openBrowser, screenshot, watchPageErrors } from './support/browser.ts';
import { type DashboardWorld, signIn, startDashboardWorld } from './support/dashboard-world.ts';

const CUSTOMER = '5511900000099'; // the sandbox phone's own number ("You (sandbox)")
const TAPPER = '5511900000777';
/** How long the agent composes in the typing test: several of the phone's 1 s looks. */
const COMPOSING_MS = 4000;

/**
 * Issue 11, items 7 and 8, on the Sandbox screen: the phone shows "typing…" only while the agent composes
 * (never under a human's conversation), labels and switches the scripted personas, and taps a template's
 * quick-reply button, which reaches the inbox as the button's text.
 */
describe.runIf(hasChromium)('the sandbox phone', () => {
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
    await page.getByRole('link', { name: 'Sandbox' }).first().click();
    await page.getByRole('region', { name: 'Simulated phone' }).waitFor();
  });
  afterAll(async () => {
    await browser?.dispose();
    await world?.dispose();
  });

  const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
    world.app.inject({
      method,
      url: `/api/v1${url}?tenantId=${SANDBOX_TENANT_ID}`,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      ...(payload ? { payload } : {}),
    });
  // The line under the business's name: "typing…" or "WhatsApp Business".
  const phoneStatus = () => page.locator('.phone-top .small').textContent();
  const businessBubbles = () =>
    page.locator('[data-testid="phone-messages"] .bubble[data-direction="business"]');
  const write = async (text: string) => {
    await page.getByLabel('Message as the customer').fill(text);
    await page.getByRole('button', { name: 'Send as the customer' }).click();
  };
  const conversationOf = async (waId: string) =>
    world.store.db
      .selectFrom('conversations')
      .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
      .select('conversations.id')
      .where('contacts.wa_id', '=', waId)
      .executeTakeFirstOrThrow();

  it('shows "typing…" while the agent composes, and none once a human owns the conversation', async () => {
    // The agent takes its time, as a real model does: the phone must show it composing, truthfully.
    const runner = world.agent.runner;
    const modelFor = runner.modelFor.bind(runner);
    runner.modelFor = (settings) => {
      const model = modelFor(settings);
      const slow: AgentModel = {
        name: model.name,
        step: async (input, previous) => {
          await new Promise((resolve) => setTimeout(resolve, COMPOSING_MS));
          return model.step(input, previous);
        },
      };
      return slow;
    };
    try {
      await write('Hi! Tell me about your plans');
      await page.getByText('typing…').waitFor({ timeout: 15_000 });
      await screenshot(page, 'sandbox-phone-01-agent-typing');
      await businessBubbles().first().waitFor({ timeout: 30_000 });
      await page.locator('.phone-top .small', { hasText: 'WhatsApp Business' }).waitFor();
    } finally {
      runner.modelFor = modelFor;
    }

    const { id } = await conversationOf(CUSTOMER);
    expect((await api('POST', `/conversations/${id}/takeover`, { userId: 'u-1' })).statusCode).toBe(200);
    await write('Hello? Is anyone there?');
    // The turn is skipped (a human owns it); the phone has looked several times since.
    await waitFor('the skipped turn', async () => {
      const turns = (await api('GET', `/conversations/${id}/turns`)).json().data as Array<{ reason: string }>;
      return turns.some((turn) => turn.reason === 'human-owner');
    });
    for (let look = 0; look < 3; look += 1) {
      expect(await phoneStatus()).toBe('WhatsApp Business');
      await expect(page.getByRole('status', { name: 'The business is typing' }).count()).resolves.toBe(0);
      await page.waitForTimeout(1000);
    }
    await screenshot(page, 'sandbox-phone-02-human-owner-no-typing');
  });

  it('labels what a scripted persona writes, and lets the personas be switched off', async () => {
    // Off: being Ana (an interested persona), only what is typed here is sent.
    const personasSwitch = page.getByLabel(/Scripted personas answer by themselves/);
    await personasSwitch.uncheck();
    await expect(personasSwitch.isChecked()).resolves.toBe(false);
    await page.getByRole('button', { name: /Ana Souza/ }).click();
    await page.getByTestId('phone-persona').filter({ hasText: 'Scripted answers are off' }).waitFor();
    await write('Oi, quero saber mais');
    await businessBubbles().first().waitFor({ timeout: 30_000 });
    // Ana answers within 1.5 s when on: well past that, nothing was sent for her.
    await page.waitForTimeout(4000);
    await expect(page.getByTestId('scripted-label').count()).resolves.toBe(0);
    await expect(
      page.locator('[data-testid="phone-messages"] .bubble[data-direction="customer"]').count(),
    ).resolves.toBe(1);

    // On: Jordan (not interested) answers the agent by himself, and the phone says so.
    await personasSwitch.check();
    await page.getByRole('button', { name: /Jordan Lee/ }).click();
    await page.getByTestId('phone-persona').filter({ hasText: 'It also answers by itself' }).waitFor();
    await write('Hi, what is this about?');
    const label = page.getByTestId('scripted-label');
    await label.first().waitFor({ timeout: 30_000 });
    await expect(label.first().textContent()).resolves.toBe('scripted persona: Jordan Lee');
    const labelled = page.locator('[data-testid="phone-messages"] .bubble', { has: label });
    await expect(labelled.first().textContent()).resolves.toMatch(/not|no thanks/i);
    // What was typed here carries no label.
    const typed = page.locator('[data-testid="phone-messages"] .bubble', {
      hasText: 'Hi, what is this about?',
    });
    await expect(typed.getByTestId('scripted-label').count()).resolves.toBe(0);
    await screenshot(page, 'sandbox-phone-03-scripted-persona');
  });

  it("taps a template's quick-reply button on the phone, and the inbox shows the button's text", async () => {
    await page.getByLabel('Your number').fill(TAPPER);
    await page.getByLabel('Your name').fill('Rui Tapper');
    await page.getByRole('button', { name: 'Use this number' }).click();
    const queued = await api('POST', '/messages', {
      message: {
        to: `+${TAPPER}`,
        type: 'template',
        template: {
          name: 'coxcox_offer',
          languageCode: 'en_US',
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Rui' },
                { type: 'text', text: 'Solar panels, 20% off this week.' },
              ],
            },
          ],
        },
      },
    });
    expect(queued.statusCode).toBe(202);
    const tap = page.locator('[data-testid="phone-messages"] .quick-replies button', {
      hasText: 'Yes, tell me more',
    });
    await tap.waitFor({ timeout: 30_000 });
    await screenshot(page, 'sandbox-phone-04-quick-replies');
    await tap.click();
    await page
      .locator('[data-testid="phone-messages"] .bubble[data-direction="customer"]', {
        hasText: 'Yes, tell me more',
      })
      .waitFor({ timeout: 15_000 });

    await page.getByRole('link', { name: 'Open in the inbox' }).click();
    await page.waitForURL(/\/inbox\/[^/]+$/);
    await page
      .locator('[data-testid="thread"] .bubble[data-direction="in"]', { hasText: 'Yes, tell me more' })
      .waitFor();
    await screenshot(page, 'sandbox-phone-05-tap-in-inbox');
    expect(errors).toEqual([]);
  });
});
