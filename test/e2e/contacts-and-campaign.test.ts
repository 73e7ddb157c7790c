import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, openBrowser, PHONE, screenshot, watchPageErrors } from './support/browser.ts';
import { type DashboardWorld, signIn, startDashboardWorld } from './support/dashboard-world.ts';

/** 18 good rows and 2 bad ones (line 5: not a number; line 12: too short), none of them simulator personas. */
function contactsCsv(): string {
  const lines = ['phone,name,plan'];
  for (let index = 1; index <= 20; index += 1) {
    if (index === 4) lines.push('not-a-number,Broken Row,pro');
    else if (index === 11) lines.push('+55119,Too Short,basic');
    else
      lines.push(
        `+55119${String(70_000_000 + index).padStart(8, '0')},Customer ${index},${index % 2 ? 'pro' : 'basic'}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

describe.runIf(hasChromium)('contacts and a campaign', () => {
  let world: DashboardWorld;
  let browser: Awaited<ReturnType<typeof openBrowser>>;

  beforeAll(async () => {
    world = await startDashboardWorld();
    await world.addUser('ada@example.com', { name: 'Ada Admin' });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.dispose();
    await world?.dispose();
  });

  it('imports contacts with a progress bar and a downloadable error report', async () => {
    const page = await browser.newPage();
    const errors = watchPageErrors(page);
    await signIn(page, world.url, 'ada@example.com');
    await page.getByRole('link', { name: 'Contacts' }).first().click();
    await page.getByRole('heading', { name: 'No contacts yet' }).waitFor();
    await page.getByRole('button', { name: 'Import contacts' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import contacts' });
    // The default country's option text fits its select (it was cut to "Numbers include t").
    const fit = await dialog.locator('select[name="country"]').evaluate((select: HTMLSelectElement) => {
      const style = getComputedStyle(select);
      const context = document.createElement('canvas').getContext('2d')!;
      context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const text = select.options[select.selectedIndex]!.text;
      const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return { text, needed: context.measureText(text).width, room };
    });
    expect(fit.needed, `"${fit.text}" needs ${fit.needed}px, has ${fit.room}px`).toBeLessThanOrEqual(
      fit.room,
    );
    await dialog
      .locator('input[name="file"]')
      .setInputFiles({ name: 'spring.csv', mimeType: 'text/csv', buffer: Buffer.from(contactsCsv()) });
    await dialog.getByLabel('Tags for every row').fill('spring');
    await dialog.getByLabel('Consent source').fill('web_form');
    await screenshot(page, 'contacts-01-import-dialog');
    await dialog.getByRole('button', { name: 'Import' }).click();

    const summary = dialog.getByTestId('import-summary');
    await summary.waitFor({ timeout: 30_000 });
    await expect(summary.textContent()).resolves.toContain('Imported 18 new, merged 0, refused 2');
    await screenshot(page, 'contacts-02-import-done');
    const reportLink = summary.getByRole('link', { name: /Download the error report/ });
    const report = await page.request.get(
      new URL((await reportLink.getAttribute('href'))!, world.url).toString(),
    );
    expect(report.status()).toBe(200);
    const reportText = await report.text();
    expect(reportText).toContain('not-a-number');
    expect(reportText.split('\n')[0]).toMatch(/line/i);

    await page.keyboard.press('Escape');
    await page.locator('tr[data-contact-id]').first().waitFor();
    expect(await page.locator('tr[data-contact-id]').count()).toBe(18);
    await page.getByLabel('Search contacts').fill('Customer 7');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-contact-id]').length === 1);
    await page.locator('tr[data-contact-id]').first().click();
    await page.getByRole('heading', { name: 'Customer 7' }).waitFor();
    await page.getByTestId('consent-history').getByText('Web form').waitFor();
    await screenshot(page, 'contacts-03-contact');
    expect(errors).toEqual([]);
  });

  it('launches a campaign on the simulator and watches its progress reach 100 %', async () => {
    const page = await browser.newPage();
    const errors = watchPageErrors(page);
    await signIn(page, world.url, 'ada@example.com');
    await page.getByRole('link', { name: 'Campaigns' }).first().click();
    await page.getByRole('heading', { name: 'No campaigns yet' }).waitFor();
    await screenshot(page, 'campaigns-01-empty');
    await page.getByRole('link', { name: 'New campaign' }).click();

    await page.getByLabel('Campaign name').fill('Spring offer');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('button', { name: 'Sync templates from WhatsApp' }).click();
    await page.getByRole('radio').first().waitFor();
    await page.locator('label', { hasText: 'coxcox_offer' }).filter({ hasText: 'en_US' }).click();
    await page.getByTestId('template-preview').waitFor();
    await screenshot(page, 'campaigns-02-wizard-template');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByLabel('Body {{2}} value').fill('Our spring plan is 20% off this week.');
    await page
      .getByTestId('template-preview')
      .filter({ hasText: 'Our spring plan is 20% off this week.' })
      .waitFor();
    await screenshot(page, 'campaigns-03-wizard-parameters');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByLabel('Contacts with any of these tags').fill('spring');
    // The wizard says how many the audience reaches before anything is launched (it said nothing before).
    await page.getByTestId('audience-count').filter({ hasText: 'Reaches 18 contacts' }).waitFor();
    await page.getByLabel('Contacts with any of these tags').fill('nobody-has-this-tag');
    await page.getByTestId('audience-count').filter({ hasText: 'Reaches 0 contacts' }).waitFor();
    await page.getByLabel('Contacts with any of these tags').fill('spring');
    await page.getByTestId('audience-count').filter({ hasText: 'Reaches 18 contacts' }).waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    // Any hour of the day, so the test does not depend on the time zone it runs in.
    await page.getByLabel('Send from').fill('00:00');
    await page.getByLabel('Send until').fill('23:59');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByTestId('review-audience-count').textContent()).resolves.toContain(
      'reaches 18 contacts',
    );
    await screenshot(page, 'campaigns-04-wizard-review');
    await page.getByRole('button', { name: 'Create and launch' }).click();
    await page.waitForURL(/\/campaigns\/[^/]+$/);

    const progress = page.getByRole('progressbar', { name: 'Progress of Spring offer' });
    await progress.waitFor();
    await page.waitForFunction(
      () =>
        document
          .querySelector('[role="progressbar"][aria-label="Progress of Spring offer"]')
          ?.getAttribute('aria-valuenow') === '100',
      undefined,
      { timeout: 90_000, polling: 250 },
    );
    await expect(progress.getAttribute('aria-valuenow')).resolves.toBe('100');
    await page.getByTestId('funnel-chart').locator('canvas').waitFor();
    await page.getByTestId('sends-chart').locator('canvas').waitFor();
    await page.waitForFunction(() => document.body.textContent?.includes('18 of 18 contacts reached'));
    await screenshot(page, 'campaigns-05-detail-done', { isFullPage: true });

    // The simulator saw exactly the 18 valid contacts.
    const outboxRows = await world.store.db
      .selectFrom('outbox')
      .select('recipient')
      .where('campaign_id', 'is not', null)
      .execute();
    expect(new Set(outboxRows.map((row) => row.recipient)).size).toBe(18);

    await page.getByRole('link', { name: 'All campaigns' }).click();
    await page.locator('[data-campaign-id]').first().waitFor();
    await screenshot(page, 'campaigns-06-list');
    expect(errors).toEqual([]);
  });

  it('shows the campaign and its contacts on a phone', async () => {
    const phone = await openBrowser(PHONE);
    try {
      const page = await phone.newPage();
      await signIn(page, world.url, 'ada@example.com');
      await page.goto(`${world.url}/campaigns`);
      await page.locator('[data-campaign-id]').first().waitFor();
      await screenshot(page, 'campaigns-07-phone-list');
    } finally {
      await phone.dispose();
    }
  });
});
