import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phoneSearchDigits } from '../../src/conversations/index.ts';
import { SANDBOX_PHONE_NUMBER_ID, SANDBOX_WABA_ID } from '../../src/coxcox.ts';
import { type CampaignHarness, startCampaignCoxcox } from '../campaigns/campaign-harness.ts';
import { testDatabases } from '../support/databases.ts';
import { textMessageNotification, wamid } from '../support/meta-body.ts';

const databases = await testDatabases();

const customers = [
  { waId: '5511987650001', name: 'Rita Reis' },
  { waId: '5511987650002', name: 'Otto Lima' },
  { waId: '447700900123', name: 'Uma Grey' },
  { waId: '5511910100000', name: 'Bia Costa' },
  { waId: '5531999998888', name: 'Room 101' },
];

// Issue 11: a search for part of a number ("0001", "(11) 98765-0001") found nobody.
describe.each(databases)('contact and inbox search by part of a number on $name', (database) => {
  let harness: CampaignHarness;
  beforeAll(async () => {
    harness = await startCampaignCoxcox(database);
    for (const customer of customers) {
      await harness.deliver(
        textMessageNotification({
          wabaId: SANDBOX_WABA_ID,
          phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
          from: customer.waId,
          name: customer.name,
          text: 'oi',
          id: wamid(),
          timestamp: harness.clock.seconds(),
        }),
      );
    }
  });
  afterAll(async () => harness?.coxcox.dispose());

  const contacts = async (search: string): Promise<string[]> =>
    (await harness.api('GET', `/contacts?search=${encodeURIComponent(search)}`))
      .json()
      .data.map((contact: { name: string }) => contact.name)
      .sort();
  const inbox = async (q: string): Promise<string[]> =>
    (await harness.api('GET', `/inbox/conversations?q=${encodeURIComponent(q)}`))
      .json()
      .data.map((row: { contact: { name: string } }) => row.contact.name)
      .sort();

  it.each([
    { search: '0001', found: ['Rita Reis'] }, // the last digits
    { search: '+55 11 98765', found: ['Otto Lima', 'Rita Reis'] }, // the start, spaced
    { search: '(11) 98765-0001', found: ['Rita Reis'] }, // as written locally
    { search: '98765-0002', found: ['Otto Lima'] },
    { search: '07700 900123', found: ['Uma Grey'] }, // with the national trunk prefix
    { search: 'Room 101', found: ['Room 101'] }, // a name with digits matches names only
  ])('finds $found for "$search"', async ({ search, found }) => {
    expect(await contacts(search)).toEqual(found);
    expect(await inbox(search)).toEqual(found);
  });
});

describe('phoneSearchDigits', () => {
  it.each([
    { search: '0001', digits: ['0001'] },
    { search: ' +55 (11) 98765-0001 ', digits: ['5511987650001'] },
    { search: '11.98765.0001', digits: ['11987650001'] },
    { search: '011 98765-0001', digits: ['011987650001', '11987650001'] },
    { search: '00', digits: [] }, // too short to mean anything
    { search: 'Room 101', digits: [] },
    { search: 'ana', digits: [] },
    { search: '100%', digits: [] },
  ])('reads "$search" as $digits', ({ search, digits }) => {
    expect(phoneSearchDigits(search)).toEqual(digits);
  });
});
