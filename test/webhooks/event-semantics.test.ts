/**
 * A corpus of webhook bodies built here, one for every field and message type whose meaning goes beyond
 * "store it": account states, edits and revokes (in either order), number changes, template updates,
 * display names, hidden errors, previews, echoes, calls and marketing preferences. Each body is posted
 * signed to the webhook route, processed by the inbox worker, and its effect read back through the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SANDBOX_DISPLAY_NUMBER,
  SANDBOX_PHONE_NUMBER_ID,
  SANDBOX_TENANT_ID,
  SANDBOX_WABA_ID,
  sandboxSecret,
} from '../../src/coxcox.ts';
import { enqueueMessage } from '../../src/dispatch/enqueue-message.ts';
import { startTestCoxcox, TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';
import { metaJson, signature, wamid } from '../support/meta-body.ts';

const databases = await testDatabases();

type Json = Record<string, unknown>;

const seconds = (iso: string) => String(Math.floor(Date.parse(iso) / 1000));

/** One notification with one change, as Meta sends it. */
function notification(field: string, value: Json, entryTime?: string): Json {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: SANDBOX_WABA_ID,
        ...(entryTime ? { time: Number(seconds(entryTime)) } : {}),
        changes: [{ field, value }],
      },
    ],
  };
}

const metadata = { display_phone_number: SANDBOX_DISPLAY_NUMBER, phone_number_id: SANDBOX_PHONE_NUMBER_ID };

/** A `messages` change carrying one inbound message from a customer. */
function inbound(
  from: string,
  message: Json,
  options: { userId?: string; name?: string; at?: string } = {},
): { id: string; body: Json } {
  const id = (message.id as string | undefined) ?? wamid();
  return {
    id,
    body: notification('messages', {
      messaging_product: 'whatsapp',
      metadata,
      contacts: [
        {
          profile: { name: options.name ?? 'Corpus Customer' },
          wa_id: from,
          ...(options.userId ? { user_id: options.userId } : {}),
        },
      ],
      messages: [
        {
          from,
          ...(options.userId ? { from_user_id: options.userId } : {}),
          id,
          timestamp: seconds(options.at ?? '2026-01-10T10:00:00Z'),
          ...message,
        },
      ],
    }),
  };
}

/** An account_update for the sandbox WABA, dated by `entry.time` (it has no timestamp of its own). */
const accountUpdate = (at: string, value: Json) =>
  notification('account_update', { phone_number: SANDBOX_DISPLAY_NUMBER, ...value }, at);

describe.each(databases)('webhook event semantics on $name', (database) => {
  let coxcox: Awaited<ReturnType<typeof startTestCoxcox>>;
  let appSecret: string;
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

  beforeAll(async () => {
    coxcox = await startTestCoxcox(database);
    appSecret = sandboxSecret(coxcox.config.secretKey, 'app secret');
  });
  afterAll(async () => coxcox?.dispose());

  /** Posts each body signed, in the order given, then lets the inbox worker apply them. */
  const deliver = async (...bodies: Json[]) => {
    for (const body of bodies) {
      const raw = metaJson(body);
      const response = await coxcox.app.inject({
        method: 'POST',
        url: '/webhooks/whatsapp',
        payload: raw,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature(raw, appSecret) },
      });
      expect(response.statusCode).toBe(200);
    }
    await coxcox.processor.drain();
  };
  const api = async <T = Json>(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
    const response = await coxcox.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: admin,
      ...(payload === undefined ? {} : { payload: payload as Json }),
    });
    return { status: response.statusCode, body: response.json() as T };
  };
  const accountCheck = async () => {
    const health = await api<{ checks: { name: string; status: string; summary: string; details: Json }[] }>(
      'GET',
      `/tenants/${SANDBOX_TENANT_ID}/health/${SANDBOX_PHONE_NUMBER_ID}`,
    );
    expect(health.status).toBe(200);
    return health.body.checks.find((check) => check.name === 'account')!;
  };

  it('orders account_update by its own time and models the ban, restrictions, partner, reconnect and MM Lite states', async () => {
    // The ban's lifecycle, delivered newest first: the reinstatement stands.
    await deliver(
      accountUpdate('2025-06-01T00:00:00Z', {
        event: 'DISABLED_UPDATE',
        ban_info: { waba_ban_state: 'REINSTATE', waba_ban_date: '2025-06-01' },
      }),
      accountUpdate('2025-05-01T00:00:00Z', {
        event: 'DISABLED_UPDATE',
        ban_info: { waba_ban_state: 'DISABLE', waba_ban_date: '2025-05-01' },
      }),
      accountUpdate('2025-04-01T00:00:00Z', {
        event: 'DISABLED_UPDATE',
        ban_info: { waba_ban_state: 'SCHEDULE_FOR_DISABLE', waba_ban_date: '2025-05-01' },
      }),
      // An event from 2020 arriving last overrides nothing.
      accountUpdate('2020-01-01T00:00:00Z', { event: 'PARTNER_ADDED' }),
    );
    let check = await accountCheck();
    expect(check.status).toBe('ok');
    expect(check.details).toMatchObject({
      ban: { state: 'REINSTATE' },
      lastUpdate: { event: 'DISABLED_UPDATE' },
    });

    // A reinstatement on its own is no ban.
    await deliver(
      accountUpdate('2025-07-01T00:00:00Z', {
        event: 'DISABLED_UPDATE',
        ban_info: { waba_ban_state: 'REINSTATE', waba_ban_date: '2025-07-01' },
      }),
    );
    expect((await accountCheck()).status).toBe('ok');

    // Scheduled for disabling: a warning with the date; then disabled: critical.
    await deliver(
      accountUpdate('2025-08-01T00:00:00Z', {
        event: 'DISABLED_UPDATE',
        ban_info: { waba_ban_state: 'SCHEDULE_FOR_DISABLE', waba_ban_date: '2025-09-01' },
      }),
    );
    check = await accountCheck();
    expect(check.status).toBe('warning');
    expect(check.summary).toContain('2025-09-01');
    await deliver(
      accountUpdate('2025-09-01T00:00:00Z', {
        event: 'DISABLED_UPDATE',
        ban_info: { waba_ban_state: 'DISABLE', waba_ban_date: '2025-09-01' },
      }),
    );
    expect((await accountCheck()).status).toBe('critical');

    // Restrictions in force warn until a newer update lifts them; an older one does not bring them back.
    await deliver(
      accountUpdate('2025-10-01T00:00:00Z', {
        event: 'DISABLED_UPDATE',
        ban_info: { waba_ban_state: 'REINSTATE', waba_ban_date: '2025-10-01' },
      }),
      accountUpdate('2025-11-01T00:00:00Z', {
        event: 'ACCOUNT_RESTRICTION',
        restriction_info: [
          {
            restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING',
            expiration: Number(seconds('2099-01-01T00:00:00Z')),
          },
        ],
      }),
    );
    check = await accountCheck();
    expect(check.status).toBe('warning');
    expect(check.summary).toContain('RESTRICTED_BIZ_INITIATED_MESSAGING');
    await deliver(
      accountUpdate('2025-11-03T00:00:00Z', { event: 'ACCOUNT_RESTRICTION', restriction_info: [] }),
      accountUpdate('2025-11-02T00:00:00Z', {
        event: 'ACCOUNT_RESTRICTION',
        restriction_info: [{ restriction_type: 'RESTRICTED_ADD_PHONE_NUMBER_ACTION' }],
      }),
    );
    expect((await accountCheck()).status).toBe('ok');

    // Partner removal stops sending until the app is installed again; an offboarding until a reconnect.
    await deliver(
      accountUpdate('2025-12-01T00:00:00Z', {
        event: 'PARTNER_REMOVED',
        disconnection_info: { reason: 'Business removed partner', initiated_by: 'BUSINESS' },
      }),
    );
    check = await accountCheck();
    expect(check.status).toBe('critical');
    expect(check.details).toMatchObject({
      partner: { state: 'removed', reason: 'Business removed partner' },
    });
    await deliver(
      accountUpdate('2025-12-03T00:00:00Z', { event: 'ACCOUNT_RECONNECTED' }),
      accountUpdate('2025-12-02T00:00:00Z', { event: 'ACCOUNT_OFFBOARDED' }),
      accountUpdate('2025-12-02T12:00:00Z', {
        event: 'PARTNER_APP_INSTALLED',
        waba_info: { waba_id: SANDBOX_WABA_ID },
      }),
      accountUpdate('2025-12-04T00:00:00Z', { event: 'MM_LITE_TERMS_SIGNED' }),
    );
    check = await accountCheck();
    expect(check.status).toBe('ok');
    expect(check.details).toMatchObject({
      partner: { state: 'connected' },
      connection: { state: 'reconnected' },
      mmLiteTermsSignedAt: '2025-12-04T00:00:00.000Z',
      lastUpdate: { event: 'MM_LITE_TERMS_SIGNED' },
    });

    // account_review_update: a rejection warns until a newer approval; an older one changes nothing.
    await deliver(notification('account_review_update', { decision: 'REJECTED' }, '2025-12-05T00:00:00Z'));
    check = await accountCheck();
    expect(check.status).toBe('warning');
    expect(check.details).toMatchObject({ review: { decision: 'REJECTED' } });
    await deliver(
      notification('account_review_update', { decision: 'APPROVED' }, '2025-12-07T00:00:00Z'),
      notification('account_review_update', { decision: 'REJECTED' }, '2025-12-06T00:00:00Z'),
    );
    check = await accountCheck();
    expect(check.status).toBe('ok');
    expect(check.details).toMatchObject({ review: { decision: 'APPROVED' } });
  });
  const message = async (id: string) => {
    const found = await api<{ data: Json[] }>('GET', `/messages?wamid=${encodeURIComponent(id)}`);
    expect(found.status).toBe(200);
    expect(found.body.data).toHaveLength(1);
    return found.body.data[0]!;
  };

  it('keeps an edit or a revoke that arrives before its message, and applies it when the message comes', async () => {
    const customer = '5511990000001';
    const edited = inbound(customer, { type: 'text', text: { body: 'See you at 5' } });
    const edit = inbound(
      customer,
      {
        type: 'edit',
        edit: { original_message_id: edited.id, message: { type: 'text', text: { body: 'See you at 6' } } },
      },
      { at: '2026-01-10T10:01:00Z' },
    );
    const laterEdit = inbound(
      customer,
      {
        type: 'edit',
        edit: { original_message_id: edited.id, message: { type: 'text', text: { body: 'See you at 7' } } },
      },
      { at: '2026-01-10T10:02:00Z' },
    );
    // Both edits first, the newer one before the older one; then the message.
    await deliver(laterEdit.body, edit.body, edited.body);
    expect(await message(edited.id)).toMatchObject({
      editedContent: { type: 'text', text: { body: 'See you at 7' } },
      isRevoked: false,
    });

    const revoked = inbound(customer, { type: 'text', text: { body: 'oops, wrong chat' } });
    const revoke = inbound(customer, { type: 'revoke', revoke: { original_message_id: revoked.id } });
    await deliver(revoke.body, revoked.body);
    expect(await message(revoked.id)).toMatchObject({ isRevoked: true });
    expect(await message(revoke.id)).toMatchObject({ type: 'revoke', targetWamid: revoked.id });

    // In the usual order too.
    const plain = inbound(customer, { type: 'text', text: { body: 'hello' } });
    const plainEdit = inbound(customer, {
      type: 'edit',
      edit: { original_message_id: plain.id, message: { type: 'text', text: { body: 'hello there' } } },
    });
    await deliver(plain.body, plainEdit.body);
    expect(await message(plain.id)).toMatchObject({ editedContent: { text: { body: 'hello there' } } });
  });
  it('moves the contact to its new number on a system phone number change', async () => {
    const oldNumber = '5511990000101';
    const newNumber = '5511990000202';
    const userId = 'BR.1000000000000000101';
    const first = inbound(oldNumber, { type: 'text', text: { body: 'hi' } }, { userId });
    const change = inbound(oldNumber, {
      type: 'system',
      system: {
        body: `Ana changed from ${oldNumber} to ${newNumber}`,
        wa_id: newNumber,
        type: 'user_changed_number',
      },
    });
    await deliver(first.body, change.body);
    const contactId = (await message(first.id)).contactId as string;
    const contact = await api<Json>('GET', `/contacts/${contactId}?tenantId=${SANDBOX_TENANT_ID}`);
    expect(contact.body).toMatchObject({ waId: newNumber });

    // Later messages from the new number, with or without the same user id, join the same contact.
    const fromNew = inbound(newNumber, { type: 'text', text: { body: 'new phone' } });
    const fromNewWithUserId = inbound(newNumber, { type: 'text', text: { body: 'again' } }, { userId });
    await deliver(fromNew.body, fromNewWithUserId.body);
    expect((await message(fromNew.id)).contactId).toBe(contactId);
    expect((await message(fromNewWithUserId.id)).contactId).toBe(contactId);
    expect((await message(fromNew.id)).conversationId).toBe((await message(first.id)).conversationId);
  });
  it('applies template category, quality, components and a scheduled disabling, and campaigns see them', async () => {
    const synced = await api<{ data: Json[] }>('POST', `/templates/sync?tenantId=${SANDBOX_TENANT_ID}`);
    expect(synced.status).toBe(200);
    const template = synced.body.data.find((row) => row.parameters && (row.parameters as Json).body)!;
    expect(template).toBeDefined();
    const templateId = template.id as string;
    const ref = {
      message_template_id: Number(template.metaTemplateId),
      message_template_name: template.name,
      message_template_language: template.language,
    };
    const body = ((template.parameters as { body: string[] }).body ?? []).map(() => ({ text: 'x' }));
    const campaign = await api<Json>('POST', `/campaigns?tenantId=${SANDBOX_TENANT_ID}`, {
      name: 'Template webhooks',
      templateId,
      parameters: { body },
    });
    expect(campaign.status).toBe(201);
    const campaignId = campaign.body.id as string;
    const show = async () =>
      (await api<Json>('GET', `/templates/${templateId}?tenantId=${SANDBOX_TENANT_ID}`)).body;

    const newCategory = template.category === 'MARKETING' ? 'UTILITY' : 'MARKETING';
    await deliver(
      notification('template_category_update', {
        ...ref,
        previous_category: template.category,
        new_category: newCategory,
      }),
      notification('message_template_quality_update', {
        ...ref,
        previous_quality_score: 'GREEN',
        new_quality_score: 'YELLOW',
      }),
      notification('message_template_status_update', {
        ...ref,
        event: 'FLAGGED',
        reason: 'NONE',
        message_template_category: newCategory,
        disable_info: { disable_date: seconds('2026-02-01T00:00:00Z') },
      }),
      notification('message_template_components_update', {
        ...ref,
        message_template_element: 'Hello {{1}}, this is the new text',
        message_template_footer: 'Reply STOP to stop',
        message_template_buttons: [
          {
            message_template_button_type: 'URL',
            message_template_button_text: 'Open',
            message_template_button_url: 'https://example.com/{{1}}',
          },
        ],
      }),
    );
    const updated = await show();
    expect(updated).toMatchObject({
      category: newCategory,
      previousCategory: template.category,
      qualityScore: 'YELLOW',
      status: 'FLAGGED',
      disableAt: '2026-02-01T00:00:00.000Z',
    });
    const components = updated.components as { type: string; text?: string; buttons?: Json[] }[];
    expect(components.find((component) => component.type === 'BODY')?.text).toBe(
      'Hello {{1}}, this is the new text',
    );
    expect(components.find((component) => component.type === 'FOOTER')?.text).toBe('Reply STOP to stop');
    expect(components.find((component) => component.type === 'BUTTONS')?.buttons).toEqual([
      { type: 'URL', text: 'Open', url: 'https://example.com/{{1}}' },
    ]);
    expect(updated.parameters).toMatchObject({
      body: ['1'],
      buttons: [{ index: 0, type: 'URL', parameters: ['1'] }],
    });

    const seen = (await api<Json>('GET', `/campaigns/${campaignId}?tenantId=${SANDBOX_TENANT_ID}`)).body;
    expect(seen.category).toBe(newCategory);
    const warnings = seen.warnings as string[];
    expect(warnings.some((warning) => warning.includes('scheduled for disabling on 2026-02-01'))).toBe(true);
    expect(warnings.some((warning) => warning.includes(`to ${newCategory}`))).toBe(true);

    // Reinstated: no longer scheduled for disabling.
    await deliver(
      notification('message_template_status_update', { ...ref, event: 'APPROVED', reason: 'NONE' }),
    );
    expect(await show()).toMatchObject({ status: 'APPROVED', disableAt: null });
  });
  it("makes an APPROVED display name the number's verified name, and ignores a rejected one", async () => {
    const verifiedName = async () => {
      const numbers = await api<{ data: Json[] }>('GET', `/tenants/${SANDBOX_TENANT_ID}/phone-numbers`);
      expect(numbers.status).toBe(200);
      return numbers.body.data.find((number) => number.phoneNumberId === SANDBOX_PHONE_NUMBER_ID)!
        .verifiedName;
    };
    const nameUpdate = (decision: string, name: string) =>
      notification('phone_number_name_update', {
        display_phone_number: SANDBOX_DISPLAY_NUMBER,
        decision,
        requested_verified_name: name,
        rejection_reason: decision === 'REJECTED' ? 'NAME_NOT_MATCHING' : null,
      });
    await deliver(nameUpdate('APPROVED', 'Coxcox Renamed'));
    expect(await verifiedName()).toBe('Coxcox Renamed');
    await deliver(nameUpdate('REJECTED', 'Totally Different'));
    expect(await verifiedName()).toBe('Coxcox Renamed');
  });
  it("shows Meta's error code, title and details on an unsupported inbound message and a failed send", async () => {
    const customer = '5511990000301';
    const unsupported = inbound(
      customer,
      {
        type: 'unsupported',
        unsupported: { type: 'poll_creation' },
        errors: [
          {
            code: 131051,
            title: 'Message type unknown',
            message: 'Message type unknown',
            error_data: { details: 'Message type is currently not supported.' },
          },
        ],
        // Now, so that the 24-hour window is open for the send below.
      },
      { at: new Date().toISOString() },
    );
    await deliver(unsupported.body);
    const expected = {
      code: 131051,
      title: 'Message type unknown',
      details: 'Message type is currently not supported.',
    };
    const listed = await message(unsupported.id);
    expect(listed.error).toEqual(expected);
    expect((await api<Json>('GET', `/messages/${listed.id}`)).body.error).toEqual(expected);

    // A send Meta accepted, then failed in a status webhook.
    const sentWamid = wamid();
    const outboxId = await coxcox.store.db.transaction().execute(async (trx) => {
      const enqueued = await enqueueMessage(trx, {
        tenantId: SANDBOX_TENANT_ID,
        phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
        message: { to: customer, type: 'text', text: { body: 'are you there?' } },
        source: 'api',
      });
      // Handed to Meta (as the dispatcher records it), in the same transaction so no dispatcher claims it.
      await trx
        .updateTable('outbox')
        .set({ state: 'sent', wamid: sentWamid })
        .where('id', '=', enqueued.id)
        .execute();
      return enqueued.id;
    });
    await deliver(
      notification('messages', {
        messaging_product: 'whatsapp',
        metadata,
        statuses: [
          {
            id: sentWamid,
            status: 'failed',
            timestamp: seconds('2026-01-10T10:05:00Z'),
            recipient_id: customer,
            errors: [
              {
                code: 131047,
                title: 'Re-engagement message',
                message: 'Re-engagement message',
                error_data: { details: 'Message failed to send because more than 24 hours have passed.' },
              },
            ],
          },
        ],
      }),
    );
    const failed = {
      code: 131047,
      title: 'Re-engagement message',
      details: 'Message failed to send because more than 24 hours have passed.',
    };
    expect((await message(sentWamid)).error).toEqual(failed);
    const send = await api<Json>('GET', `/messages/${outboxId}`);
    expect(send.status).toBe(200);
    expect(send.body.error).toMatchObject(failed);
  });
  /** The inbox's line for each message of a conversation, by wamid. */
  const threadTexts = async (conversationId: string) => {
    const thread = await api<{ messages: { id: string; text: string }[] }>(
      'GET',
      `/inbox/conversations/${conversationId}/thread?tenantId=${SANDBOX_TENANT_ID}`,
    );
    expect(thread.status).toBe(200);
    const rows = await api<{ data: Json[] }>('GET', `/messages?conversationId=${conversationId}&limit=500`);
    const wamidOf = new Map(rows.body.data.map((row) => [row.id as string, row.wamid as string]));
    return new Map(thread.body.messages.map((row) => [wamidOf.get(row.id), row.text]));
  };

  it('previews every message type in words, not raw type names', async () => {
    const customer = '5511990000401';
    const original = inbound(customer, { type: 'text', text: { body: 'I want two' } });
    const cases: Array<[{ id: string; body: Json }, string]> = [
      [original, 'I want two'],
      [
        inbound(customer, { type: 'reaction', reaction: { message_id: original.id, emoji: '' } }),
        'Removed a reaction',
      ],
      [
        inbound(customer, { type: 'reaction', reaction: { message_id: original.id, emoji: '👍' } }),
        'Reacted 👍',
      ],
      [
        inbound(customer, {
          type: 'order',
          order: {
            catalog_id: '1',
            text: 'for Friday',
            product_items: [
              { product_retailer_id: 'a', quantity: 2, item_price: 10, currency: 'BRL' },
              { product_retailer_id: 'b', quantity: 1, item_price: 5, currency: 'BRL' },
            ],
          },
        }),
        '🛒 Order: 3 items (for Friday)',
      ],
      [
        inbound(customer, {
          type: 'interactive',
          interactive: {
            type: 'nfm_reply',
            nfm_reply: { name: 'flow', body: 'Sent', response_json: '{"a":1}' },
          },
        }),
        '📋 Form submitted',
      ],
      [
        inbound(customer, {
          type: 'system',
          system: { body: 'User A changed their security code', type: 'customer_identity_changed' },
        }),
        'ℹ️ User A changed their security code',
      ],
      [
        inbound(customer, { type: 'revoke', revoke: { original_message_id: wamid() } }),
        '🚫 Deleted a message',
      ],
      [
        inbound(customer, {
          type: 'edit',
          edit: {
            original_message_id: original.id,
            message: { type: 'text', text: { body: 'I want three' } },
          },
        }),
        '✏️ Edited: I want three',
      ],
      [
        inbound(customer, {
          type: 'unsupported',
          unsupported: { type: 'poll_creation' },
          errors: [{ code: 131051, title: 'Message type unknown' }],
        }),
        'Unsupported message (poll creation): open WhatsApp to see it',
      ],
      [inbound(customer, { type: 'request_welcome' }), '👋 Opened the chat'],
    ];
    await deliver(...cases.map(([item]) => item.body));
    const texts = await threadTexts((await message(original.id)).conversationId as string);
    for (const [item, text] of cases.slice(1)) expect(texts.get(item.id)).toBe(text);
    // The edited original reads as edited.
    expect(texts.get(original.id)).toBe('I want three');
  });
  it('puts Business app echoes in the conversation as sent from the app, and calls in the timeline', async () => {
    const customer = '5511990000501';
    const first = inbound(customer, { type: 'text', text: { body: 'are you open?' } });
    await deliver(first.body);
    const conversationId = (await message(first.id)).conversationId as string;

    const echoId = wamid();
    await deliver(
      notification('smb_message_echoes', {
        messaging_product: 'whatsapp',
        metadata,
        message_echoes: [
          {
            from: SANDBOX_DISPLAY_NUMBER,
            to: customer,
            id: echoId,
            timestamp: seconds('2026-01-10T10:03:00Z'),
            type: 'text',
            text: { body: 'Yes, until 6pm' },
          },
        ],
      }),
    );
    expect(await message(echoId)).toMatchObject({
      direction: 'out',
      origin: 'business_app',
      conversationId,
      status: 'sent',
      content: { type: 'text', text: { body: 'Yes, until 6pm' } },
    });

    // A call the customer placed: connect, then terminate, delivered in reverse order.
    const callId = 'wacid.CORPUS0001';
    const call = (event: string, extra: Json) =>
      notification('calls', {
        messaging_product: 'whatsapp',
        metadata,
        contacts: [{ profile: { name: 'Caller' }, wa_id: customer }],
        calls: [
          {
            id: callId,
            from: customer,
            to: SANDBOX_DISPLAY_NUMBER,
            event,
            direction: 'USER_INITIATED',
            timestamp: seconds(event === 'connect' ? '2026-01-10T10:04:00Z' : '2026-01-10T10:06:05Z'),
            ...extra,
          },
        ],
      });
    await deliver(
      call('terminate', {
        status: 'COMPLETED',
        start_time: seconds('2026-01-10T10:04:00Z'),
        end_time: seconds('2026-01-10T10:06:05Z'),
        duration: 125,
      }),
      call('connect', { session: { sdp_type: 'offer', sdp: 'v=0' } }),
    );
    const entry = await message(`call:${callId}`);
    expect(entry).toMatchObject({
      type: 'call',
      direction: 'in',
      conversationId,
      content: { call: { status: 'COMPLETED', durationSeconds: 125 } },
    });
    const texts = await threadTexts(conversationId);
    expect(texts.get(`call:${callId}`)).toBe('📞 Incoming call (completed, 2:05)');
    expect(texts.get(echoId)).toBe('Yes, until 6pm');
    const thread = await api<{ messages: { id: string; source: string }[] }>(
      'GET',
      `/inbox/conversations/${conversationId}/thread?tenantId=${SANDBOX_TENANT_ID}`,
    );
    expect(thread.body.messages.find((row) => row.id === (entry.id as string))).toBeDefined();
    expect(thread.body.messages.find((row) => row.source === 'business_app')).toBeDefined();
  });
  it('ends at read whatever order sent, delivered and read arrive in', async () => {
    const orders = [
      ['sent', 'delivered', 'read'],
      ['sent', 'read', 'delivered'],
      ['delivered', 'sent', 'read'],
      ['delivered', 'read', 'sent'],
      ['read', 'sent', 'delivered'],
      ['read', 'delivered', 'sent'],
    ];
    for (const order of orders) {
      const id = wamid();
      await deliver(
        ...order.map((status, index) =>
          notification('messages', {
            messaging_product: 'whatsapp',
            metadata,
            statuses: [
              {
                id,
                status,
                timestamp: String(1_768_000_000 + ['sent', 'delivered', 'read'].indexOf(status) * 10 + index),
                recipient_id: '5511990000601',
              },
            ],
          }),
        ),
      );
      const row = await message(id);
      expect(row.status, order.join(' → ')).toBe('read');
      const history = await api<{ data: Json[] }>('GET', `/messages/${row.id as string}/statuses`);
      expect(history.body.data.map((item) => item.status)).toEqual(order);
    }
  });
});
