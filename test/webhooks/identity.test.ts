/**
 * A sender who hides their number (issue 11): Meta names them by a business-scoped user id (BSUID), a
 * parent BSUID and a username, with no wa_id and no `from`. Built here, posted signed to the webhook route,
 * processed by the inbox worker, and read back through the contacts, inbox and conversation APIs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usernameSearchText } from '../../src/conversations/index.ts';
import {
  SANDBOX_DISPLAY_NUMBER,
  SANDBOX_PHONE_NUMBER_ID,
  SANDBOX_TENANT_ID,
  SANDBOX_WABA_ID,
  sandboxSecret,
} from '../../src/coxcox.ts';
import { contactLabel } from '../../src/dashboard/app/lib/format.ts';
import { startTestCoxcox, TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';
import { metaJson, signature, wamid } from '../support/meta-body.ts';

const databases = await testDatabases();

type Json = Record<string, unknown>;

const USER_ID = 'US.13491208655302741918';
const PARENT_USER_ID = 'US.ENT.11815799212886844830';

/** A `messages` change from a username-only sender: contacts[].user_id and profile.username, no wa_id. */
function usernameOnlyMessage(username: string, text: string, at: string): Json {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: SANDBOX_WABA_ID,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: SANDBOX_DISPLAY_NUMBER,
                phone_number_id: SANDBOX_PHONE_NUMBER_ID,
              },
              contacts: [
                {
                  profile: { name: 'Hidden Number', username },
                  user_id: USER_ID,
                  parent_user_id: PARENT_USER_ID,
                },
              ],
              messages: [
                {
                  from_user_id: USER_ID,
                  from_parent_user_id: PARENT_USER_ID,
                  id: wamid(),
                  timestamp: String(Math.floor(Date.parse(at) / 1000)),
                  type: 'text',
                  text: { body: text },
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

interface ContactIdentity {
  id: string;
  waId: string | null;
  userId: string | null;
  parentUserId: string | null;
  username: string | null;
}

describe.each(databases)('a username-only sender on $name', (database) => {
  let coxcox: Awaited<ReturnType<typeof startTestCoxcox>>;
  let appSecret: string;

  beforeAll(async () => {
    coxcox = await startTestCoxcox(database);
    appSecret = sandboxSecret(coxcox.config.secretKey, 'app secret');
  });
  afterAll(async () => coxcox?.dispose());

  const deliver = async (body: Json) => {
    const raw = metaJson(body);
    const response = await coxcox.app.inject({
      method: 'POST',
      url: '/webhooks/whatsapp',
      payload: raw,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature(raw, appSecret) },
    });
    expect(response.statusCode).toBe(200);
    await coxcox.processor.drain();
  };
  const get = async <T>(url: string): Promise<T> => {
    const response = await coxcox.app.inject({
      method: 'GET',
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as T;
  };
  const contactsFound = (search: string) =>
    get<{ data: ContactIdentity[] }>(
      `/contacts?tenantId=${SANDBOX_TENANT_ID}&search=${encodeURIComponent(search)}`,
    ).then((page) => page.data);
  const inboxFound = (search: string) =>
    get<{ data: { id: string; contact: ContactIdentity }[] }>(
      `/inbox/conversations?tenantId=${SANDBOX_TENANT_ID}&q=${encodeURIComponent(search)}`,
    ).then((page) => page.data);

  it('is a contact with its user ids and username, found by @username and by user id', async () => {
    await deliver(usernameOnlyMessage('hidden.ana', 'hello without a number', '2026-02-01T10:00:00Z'));

    const identity = { waId: null, userId: USER_ID, parentUserId: PARENT_USER_ID, username: 'hidden.ana' };
    const byUsername = await contactsFound('@hidden.ana');
    expect(byUsername).toHaveLength(1);
    expect(byUsername[0]).toMatchObject(identity);
    expect(await contactsFound('Hidden.Ana')).toEqual(byUsername);
    expect(await contactsFound(USER_ID)).toEqual(byUsername);
    // Part of a user id is not a search for it: only the whole id names the person.
    expect(await contactsFound('US.1349')).toEqual([]);

    const inbox = await inboxFound('@hidden.ana');
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.contact).toMatchObject({ ...identity, id: byUsername[0]!.id });
    expect((await inboxFound('hidden.ana')).map((row) => row.id)).toEqual([inbox[0]!.id]);
    expect((await inboxFound(USER_ID)).map((row) => row.id)).toEqual([inbox[0]!.id]);

    const conversation = await get<{ contact: ContactIdentity }>(`/conversations/${inbox[0]!.id}`);
    expect(conversation.contact).toMatchObject({ ...identity, id: byUsername[0]!.id });
  });

  it('takes the new username a later message brings', async () => {
    await deliver(usernameOnlyMessage('ana.renamed', 'same person, new name', '2026-02-02T10:00:00Z'));

    const renamed = await contactsFound('@ana.renamed');
    expect(renamed).toHaveLength(1);
    expect(renamed[0]).toMatchObject({ userId: USER_ID, username: 'ana.renamed' });
    expect(await contactsFound('@hidden.ana')).toEqual([]);
    expect((await inboxFound('@ana.renamed'))[0]?.contact).toMatchObject({ username: 'ana.renamed' });
  });
});

describe('usernameSearchText', () => {
  it.each([
    { search: '@Hidden.Ana', text: 'hidden.ana' },
    { search: ' hidden_ana ', text: 'hidden_ana' },
    { search: '@', text: null },
    { search: 'Ana Lima', text: null }, // a username has no spaces: this is a name
  ])('reads "$search" as $text', ({ search, text }) => {
    expect(usernameSearchText(search)).toBe(text);
  });
});

describe('contactLabel', () => {
  it.each([
    { contact: { waId: '5511987650001', userId: USER_ID, username: 'ana' }, label: '+5511987650001' },
    { contact: { waId: null, userId: USER_ID, username: 'ana' }, label: '@ana' },
    { contact: { waId: null, userId: USER_ID, username: null }, label: 'WhatsApp user …741918' },
    { contact: { waId: null, userId: null, username: null }, label: 'unknown number' },
  ])('names $contact as "$label"', ({ contact, label }) => {
    expect(contactLabel(contact)).toBe(label);
  });
});
