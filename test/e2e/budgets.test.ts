import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_PHONE_NUMBER_ID, SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { DASHBOARD_DIST } from '../../src/dashboard/index.ts';
import type { Database } from '../../src/store/schema.ts';
import { hasChromium, openBrowser, screenshot } from './support/browser.ts';
import { type DashboardWorld, signIn, startDashboardWorld } from './support/dashboard-world.ts';
import { inboxInitialChunks, type ManifestChunk } from './support/inbox-chunks.ts';

/** Lighthouse-style budget: the inbox's first load, in gzipped JavaScript. */
const INBOX_JS_BUDGET_BYTES = 300 * 1024;
const CONVERSATIONS = 10_000;

async function seedConversations(db: Kysely<Database>, count: number): Promise<void> {
  const now = Date.now();
  const batch = 500;
  for (let start = 0; start < count; start += batch) {
    const contacts = [];
    const conversations = [];
    const messages = [];
    for (let index = start; index < Math.min(count, start + batch); index += 1) {
      const at = now - index * 60_000;
      const waId = `5511${String(80_000_000 + index).padStart(9, '0')}`;
      contacts.push({
        id: `c-${index}`,
        tenant_id: SANDBOX_TENANT_ID,
        wa_id: waId,
        user_id: null,
        name: `Lead ${index}`,
        username: null,
        created_at: at,
        updated_at: at,
      });
      conversations.push({
        id: `v-${String(index).padStart(5, '0')}`,
        tenant_id: SANDBOX_TENANT_ID,
        phone_number_id: SANDBOX_PHONE_NUMBER_ID,
        contact_id: `c-${index}`,
        last_inbound_at: at,
        last_message_at: at,
        created_at: at,
        owner: index % 7 === 0 ? 'human' : 'agent',
        needs_attention: index % 11 === 0 ? 1 : 0,
        outcome: index % 5 === 0 ? 'interested' : null,
      });
      messages.push({
        id: `m-${index}`,
        tenant_id: SANDBOX_TENANT_ID,
        conversation_id: `v-${String(index).padStart(5, '0')}`,
        contact_id: `c-${index}`,
        phone_number_id: SANDBOX_PHONE_NUMBER_ID,
        wamid: `wamid.seed.${index}`,
        direction: 'in',
        type: 'text',
        content: JSON.stringify({
          type: 'text',
          text: { body: `Message number ${index}: is the offer still on?` },
        }),
        context_wamid: null,
        sent_at: at,
        status: null,
        status_rank: 0,
        status_at: null,
        error_code: null,
        error_title: null,
        biz_opaque_callback_data: null,
        is_revoked: 0,
        edited_content: null,
        created_at: at,
        updated_at: at,
      });
    }
    await db.insertInto('contacts').values(contacts).execute();
    await db.insertInto('conversations').values(conversations).execute();
    await db.insertInto('messages').values(messages).execute();
  }
}

describe('the inbox’s first load', () => {
  it(`is under ${INBOX_JS_BUDGET_BYTES / 1024} KB of gzipped JavaScript, with the charts left out`, () => {
    const manifest = JSON.parse(
      readFileSync(join(DASHBOARD_DIST, '.vite', 'manifest.json'), 'utf8'),
    ) as Record<string, ManifestChunk>;
    const files = inboxInitialChunks(manifest);
    const sizes = files.map((file) => ({
      file,
      gzipBytes: gzipSync(readFileSync(join(DASHBOARD_DIST, file))).length,
    }));
    const total = sizes.reduce((sum, size) => sum + size.gzipBytes, 0);
    console.info(
      `inbox first load: ${(total / 1024).toFixed(1)} KB gzipped JavaScript in ${files.length} files`,
      sizes,
    );
    expect(total).toBeLessThan(INBOX_JS_BUDGET_BYTES);
    // Chart.js is not among them: it loads with the campaign and analytics screens.
    for (const file of files)
      expect(readFileSync(join(DASHBOARD_DIST, file), 'utf8')).not.toContain('chartjs-');
  });
});

describe.runIf(hasChromium)(`a list of ${CONVERSATIONS.toLocaleString('en')} conversations`, () => {
  let world: DashboardWorld;
  let browser: Awaited<ReturnType<typeof openBrowser>>;

  beforeAll(async () => {
    world = await startDashboardWorld();
    await world.addUser('ada@example.com');
    await seedConversations(world.store.db, CONVERSATIONS);
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.dispose();
    await world?.dispose();
  });

  it('renders only a window of rows, and scrolls through all of them', async () => {
    const page = await browser.newPage();
    await signIn(page, world.url, 'ada@example.com');
    await page.locator('[data-conversation-id="v-00000"]').waitFor();
    const rowsInPage = () => page.locator('[data-conversation-id]').count();
    const loadedRows = () =>
      page.getByTestId('conversation-scroller').evaluate((element) => Math.round(element.scrollHeight / 72));
    expect(await rowsInPage()).toBeLessThan(40);
    await screenshot(page, 'budget-01-10k-inbox');

    // Scroll to the end again and again: pages load as the list nears its end, the window stays small.
    const scrollTimes: number[] = [];
    const deadline = Date.now() + 90_000;
    while ((await loadedRows()) < CONVERSATIONS && Date.now() < deadline) {
      const started = performance.now();
      await page.getByTestId('conversation-scroller').evaluate((element) => {
        element.scrollTop = element.scrollHeight;
      });
      await page.waitForTimeout(100);
      scrollTimes.push(performance.now() - started);
      expect(await rowsInPage()).toBeLessThan(40);
    }
    // The last page arrived after the last scroll: go to the (new) end, where the oldest conversation is.
    await page.waitForFunction(
      () => {
        const scroller = document.querySelector('[data-testid="conversation-scroller"]')!;
        scroller.scrollTop = scroller.scrollHeight;
        return document.querySelector('[data-conversation-id="v-09999"]') !== null;
      },
      undefined,
      { timeout: 30_000, polling: 200 },
    );
    expect(await loadedRows()).toBeGreaterThanOrEqual(CONVERSATIONS);
    expect(await rowsInPage()).toBeLessThan(40);
    await screenshot(page, 'budget-02-10k-inbox-end');

    // Jumping back to the middle draws the rows there at once.
    await page.getByTestId('conversation-scroller').evaluate((element) => {
      element.scrollTop = 5000 * 72;
    });
    await page.locator('[data-conversation-id="v-05002"]').waitFor({ timeout: 2000 });
    const frame = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const scroller = document.querySelector('[data-testid="conversation-scroller"]')!;
          const started = performance.now();
          let frames = 0;
          const step = () => {
            scroller.scrollTop += 400;
            frames += 1;
            if (frames < 60) requestAnimationFrame(step);
            else resolve((performance.now() - started) / frames);
          };
          requestAnimationFrame(step);
        }),
    );
    console.info(
      `scrolling 10,000 conversations: ${frame.toFixed(1)} ms a frame on average; pages of 200 loaded in ${scrollTimes.length} steps`,
    );
    // Frame times depend on the machine (a shared CI runner under load is slow at everything), so the
    // figure is reported and the bound is loose. What keeps the list smooth is asserted exactly: the page
    // holds a window of rows, the same few hundred elements for 10,000 conversations as for 100.
    expect(frame).toBeLessThan(250);
    const elements = await page
      .getByTestId('conversation-scroller')
      .evaluate((element) => element.querySelectorAll('*').length);
    expect(elements).toBeLessThan(1500);
  });
});
