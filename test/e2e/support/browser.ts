import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium (CI installs it); never a browser download of the test tool's own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) {
  if (process.env.CI === 'true')
    throw new Error(`CI=true needs chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);
  console.warn(
    `chromium is not at ${CHROMIUM_PATH}: the browser tests are skipped (apt-get install -y chromium)`,
  );
}

export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'screenshots');

export const LAPTOP = { width: 1366, height: 860 };
export const PHONE = { width: 390, height: 844 };

/**
 * A fresh browser profile (its own user data dir, so no cookie or cache leaks between tests), headless,
 * with the background services that would phone home turned off.
 */
export async function openBrowser(viewport = LAPTOP): Promise<BrowserContext & { dispose(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'coxcox-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return Object.assign(context, {
    async dispose() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  });
}

/** Saves a screenshot of the page as test-results/screenshots/<name>.png (gitignored). */
export async function screenshot(
  page: Page,
  name: string,
  options: { isFullPage?: boolean } = {},
): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // Let transitions and live updates settle, so the picture shows a screen, not a frame of a change.
  await page.waitForTimeout(300);
  await page.screenshot({ path, fullPage: options.isFullPage ?? false });
  return path;
}

/** Collects the page's errors: a test fails on an uncaught exception in the app. */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}
