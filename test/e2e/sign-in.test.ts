import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, openBrowser, PHONE, screenshot, watchPageErrors } from './support/browser.ts';
import { type DashboardWorld, PASSWORD, signIn, startDashboardWorld } from './support/dashboard-world.ts';

describe.runIf(hasChromium)('signing in', () => {
  let world: DashboardWorld;
  let browser: Awaited<ReturnType<typeof openBrowser>>;

  beforeAll(async () => {
    world = await startDashboardWorld();
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.dispose();
    await world?.dispose();
  });

  it('creates the first admin on the first-run screen, then signs out and in again', async () => {
    const page = await browser.newPage();
    const errors = watchPageErrors(page);
    await page.goto(world.url);
    await page.waitForURL('**/welcome');
    await page.getByRole('heading', { name: 'Welcome! Create the first admin' }).waitFor();
    await screenshot(page, 'sign-in-01-first-run');

    await page.getByLabel('Your name').fill('Ada Admin');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create admin and sign in' }).click();
    await page.waitForURL('**/inbox');
    await page.getByRole('heading', { name: 'No conversations yet' }).waitFor();
    await expect(page.locator('.sidebar-footer .who').textContent()).resolves.toBe('Ada Admin');
    await page.locator('.live-dot[data-state="open"]').first().waitFor();
    await screenshot(page, 'sign-in-02-empty-inbox');

    // The session cookie is HttpOnly: the page's scripts cannot read it.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const cookies = await browser.cookies(world.url);
    expect(cookies.find((cookie) => cookie.name === 'coxcox_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
    });

    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.waitForURL('**/sign-in');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('not my password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong email or password' }).waitFor();
    await screenshot(page, 'sign-in-03-wrong-password');

    await signIn(page, world.url, 'ada@example.com');
    await page.getByRole('heading', { name: 'No conversations yet' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('brings a deep link back after signing in, on a phone too', async () => {
    const phone = await openBrowser(PHONE);
    try {
      const page = await phone.newPage();
      await page.goto(`${world.url}/contacts`);
      await page.waitForURL('**/sign-in');
      await screenshot(page, 'sign-in-04-phone');
      await page.getByLabel('Email').fill('ada@example.com');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL('**/contacts');
      await page.getByRole('heading', { name: 'No contacts yet' }).waitFor();
      await expect(page.locator('.tab-bar').isVisible()).resolves.toBe(true);
      await expect(page.locator('.sidebar').isVisible()).resolves.toBe(false);
      await screenshot(page, 'sign-in-05-phone-contacts');
    } finally {
      await phone.dispose();
    }
  });
});
