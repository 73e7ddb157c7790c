import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SANDBOX_PHONE_NUMBER_ID,
  SANDBOX_TENANT_ID,
  SANDBOX_WABA_ID,
  sandboxSecret,
} from '../../src/coxcox.ts';
import { DeliveryProcessor } from '../../src/whatsapp/process-deliveries.ts';
import { startTestCoxcox, TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';
import {
  metaJson,
  signature,
  statusNotification,
  textMessageNotification,
  wamid,
} from '../support/meta-body.ts';

const databases = await testDatabases();

describe.each(databases)('webhook processing on $name', (database) => {
  let coxcox: Awaited<ReturnType<typeof startTestCoxcox>>;
  let appSecret: string;
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

  beforeAll(async () => {
    coxcox = await startTestCoxcox(database);
    appSecret = sandboxSecret(coxcox.config.secretKey, 'app secret');
  });
  afterAll(async () => coxcox?.dispose());

  const deliver = async (notification: unknown) => {
    const body = metaJson(notification);
    const response = await coxcox.app.inject({
      method: 'POST',
      url: '/webhooks/whatsapp',
      payload: body,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature(body, appSecret) },
    });
    expect(response.statusCode).toBe(200);
  };
  const process = () => coxcox.processor.drain();
  const messageByWamid = (id: string) =>
    coxcox.store.db.selectFrom('messages').selectAll().where('wamid', '=', id).executeTakeFirst();
  const count = async (
    table: 'messages' | 'message_statuses' | 'contacts' | 'webhook_events' | 'conversations',
  ) =>
    Number(
      (
        await coxcox.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('records an inbound text with its contact and conversation, once, however often it is delivered', async () => {
    const id = wamid();
    const notification = textMessageNotification({
      wabaId: SANDBOX_WABA_ID,
      phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
      from: '5215512345678',
      text: 'Hola, ¿cuánto cuesta?',
      id,
      name: 'María',
    });
    await deliver(notification);
    await deliver(notification);
    await process();
    await deliver(notification);
    await process();
    const rows = await coxcox.store.db.selectFrom('messages').selectAll().where('wamid', '=', id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.direction).toBe('in');
    expect(rows[0]!.type).toBe('text');
    expect(JSON.stringify(JSON.parse(rows[0]!.content))).toContain('Hola, ¿cuánto cuesta?');
    const contact = await coxcox.store.db
      .selectFrom('contacts')
      .selectAll()
      .where('id', '=', rows[0]!.contact_id!)
      .executeTakeFirstOrThrow();
    expect(contact).toMatchObject({ wa_id: '5215512345678', name: 'María', tenant_id: SANDBOX_TENANT_ID });
    const conversation = await coxcox.store.db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', rows[0]!.conversation_id!)
      .executeTakeFirstOrThrow();
    expect(conversation.last_inbound_at).toBe(rows[0]!.sent_at);
  });

  it('processes every entry, change, message and status of a batch', async () => {
    const ids = [wamid(), wamid(), wamid(), wamid()];
    const outbound = [wamid(), wamid()];
    const value = (messages: string[], statuses: string[]) => ({
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550000001', phone_number_id: SANDBOX_PHONE_NUMBER_ID },
      contacts: [{ profile: { name: 'Batch' }, wa_id: '447700900001' }],
      messages: messages.map((id, index) => ({
        from: '447700900001',
        id,
        timestamp: String(1_760_000_000 + index),
        type: 'text',
        text: { body: `batch ${index}` },
      })),
      statuses: statuses.map((id) => ({
        id,
        status: 'sent',
        timestamp: '1760000100',
        recipient_id: '447700900001',
      })),
    });
    await deliver({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: SANDBOX_WABA_ID,
          changes: [{ field: 'messages', value: value([ids[0]!, ids[1]!], [outbound[0]!]) }],
        },
        {
          id: SANDBOX_WABA_ID,
          changes: [
            { field: 'messages', value: value([ids[2]!], []) },
            { field: 'messages', value: value([ids[3]!], [outbound[1]!]) },
          ],
        },
      ],
    });
    await process();
    for (const id of [...ids, ...outbound]) expect(await messageByWamid(id), id).toBeDefined();
    for (const id of outbound) expect((await messageByWamid(id))!.status).toBe('sent');
    const delivery = await coxcox.store.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(delivery.event_count).toBe(6);
    expect(delivery.state).toBe('processed');
  });

  it('never moves a status backwards, records every status once, and lets a success override a failure', async () => {
    const id = wamid();
    const at = (offset: number) => 1_760_000_000 + offset;
    const send = (status: string, offset: number, extra: Record<string, unknown> = {}) =>
      deliver(
        statusNotification({
          wabaId: SANDBOX_WABA_ID,
          phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
          statuses: [{ id, status, timestamp: at(offset), bizOpaqueCallbackData: 'outbox:42', ...extra }],
        }),
      );
    await send('read', 3);
    await process();
    expect((await messageByWamid(id))!.status).toBe('read');
    await send('delivered', 2);
    await send('sent', 1);
    await send('read', 3);
    await process();
    const message = (await messageByWamid(id))!;
    expect(message.status).toBe('read');
    expect(message.biz_opaque_callback_data).toBe('outbox:42');
    const history = await coxcox.store.db
      .selectFrom('message_statuses')
      .select('status')
      .where('wamid', '=', id)
      .execute();
    expect(history.map((row) => row.status).sort()).toEqual(['delivered', 'read', 'sent']);

    const failing = wamid();
    await deliver(
      statusNotification({
        wabaId: SANDBOX_WABA_ID,
        phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
        statuses: [
          {
            id: failing,
            status: 'failed',
            timestamp: at(1),
            errors: [{ code: 131026, title: 'Message undeliverable' }],
          },
        ],
      }),
    );
    await process();
    expect((await messageByWamid(failing))!).toMatchObject({ status: 'failed', error_code: 131026 });
    await deliver(
      statusNotification({
        wabaId: SANDBOX_WABA_ID,
        phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
        statuses: [{ id: failing, status: 'sent', timestamp: at(0) }],
      }),
    );
    await process();
    expect((await messageByWamid(failing))!.status).toBe('failed');
    await deliver(
      statusNotification({
        wabaId: SANDBOX_WABA_ID,
        phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
        statuses: [{ id: failing, status: 'delivered', timestamp: at(2) }],
      }),
    );
    await process();
    expect((await messageByWamid(failing))!.status).toBe('delivered');
  });

  it('keys contacts by wa_id and business-scoped user id alike', async () => {
    const base = (contact: Record<string, unknown>, message: Record<string, unknown>) => ({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: SANDBOX_WABA_ID,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550000001', phone_number_id: SANDBOX_PHONE_NUMBER_ID },
                contacts: [{ profile: { name: 'Scoped' }, ...contact }],
                messages: [
                  { id: wamid(), timestamp: '1760000000', type: 'text', text: { body: 'hi' }, ...message },
                ],
              },
            },
          ],
        },
      ],
    });
    await deliver(base({ user_id: 'US.BSUID.777' }, { from_user_id: 'US.BSUID.777' }));
    await process();
    await deliver(
      base(
        { wa_id: '16505550777', user_id: 'US.BSUID.777' },
        { from: '16505550777', from_user_id: 'US.BSUID.777' },
      ),
    );
    await process();
    await deliver(base({ wa_id: '16505550777' }, { from: '16505550777' }));
    await process();
    const contacts = await coxcox.store.db
      .selectFrom('contacts')
      .selectAll()
      .where((eb) => eb.or([eb('wa_id', '=', '16505550777'), eb('user_id', '=', 'US.BSUID.777')]))
      .execute();
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ wa_id: '16505550777', user_id: 'US.BSUID.777' });
    const messages = await coxcox.store.db
      .selectFrom('messages')
      .select('id')
      .where('contact_id', '=', contacts[0]!.id)
      .execute();
    expect(messages).toHaveLength(3);
  });

  it('keeps and reports events for an unknown number, and applies them on replay once the number is added', async () => {
    const id = wamid();
    await deliver(
      textMessageNotification({
        wabaId: '999000999',
        phoneNumberId: '888000888',
        from: '4915112345678',
        text: 'Hallo',
        id,
      }),
    );
    await process();
    expect(await messageByWamid(id)).toBeUndefined();
    const unrouted = await coxcox.app.inject({
      method: 'GET',
      url: '/api/v1/webhook-deliveries?isUnrouted=true',
      headers: admin,
    });
    expect(unrouted.json().data[0]).toMatchObject({ unroutedCount: 1 });
    const events = await coxcox.app.inject({
      method: 'GET',
      url: '/api/v1/webhook-events?isUnrouted=true',
      headers: admin,
    });
    expect(
      events
        .json()
        .data.some((event: { event: { message?: { id: string } } }) => event.event.message?.id === id),
    ).toBe(true);
    expect(coxcox.metrics.value('coxcox_webhook_unrouted_events_total')).toBeGreaterThanOrEqual(1);

    await coxcox.directory.upsertWaba(SANDBOX_TENANT_ID, { wabaId: '999000999' });
    await coxcox.directory.upsertPhoneNumber(SANDBOX_TENANT_ID, {
      wabaId: '999000999',
      phoneNumberId: '888000888',
    });
    const { replayDeliveries } = await import('../../src/whatsapp/replay-deliveries.ts');
    await replayDeliveries(coxcox.store.db, { all: true });
    await process();
    expect(await messageByWamid(id)).toMatchObject({ tenant_id: SANDBOX_TENANT_ID, direction: 'in' });
  });

  it('stores unknown fields as events and flags the delivery, still processing the rest', async () => {
    await deliver({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: SANDBOX_WABA_ID,
          changes: [
            { field: 'some_future_field', value: { anything: [1, 2, 3] } },
            {
              field: 'user_preferences',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550000001', phone_number_id: SANDBOX_PHONE_NUMBER_ID },
                user_preferences: [
                  {
                    wa_id: '5511999990000',
                    detail: 'User requested to stop marketing messages',
                    category: 'marketing_messages',
                    value: 'stop',
                    timestamp: 1760000000,
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    await process();
    const delivery = await coxcox.store.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(delivery.state).toBe('processed');
    expect(delivery.problem).toContain('some_future_field');
    const kinds = (
      await coxcox.store.db
        .selectFrom('webhook_events')
        .select('kind')
        .where('delivery_id', '=', delivery.id)
        .execute()
    ).map((row) => row.kind);
    expect(kinds.sort()).toEqual(['change-received', 'user-preference-changed']);
  });

  it('replaying every stored delivery changes nothing', async () => {
    const snapshot = async () => ({
      messages: await coxcox.store.db.selectFrom('messages').selectAll().orderBy('wamid').execute(),
      statuses: await coxcox.store.db
        .selectFrom('message_statuses')
        .select(['wamid', 'status', 'occurred_at'])
        .orderBy('wamid')
        .orderBy('status')
        .execute(),
      contacts: await coxcox.store.db.selectFrom('contacts').selectAll().orderBy('id').execute(),
      conversations: await coxcox.store.db.selectFrom('conversations').selectAll().orderBy('id').execute(),
      events: await coxcox.store.db
        .selectFrom('webhook_events')
        .select(['dedupe_key', 'tenant_id', 'kind'])
        .orderBy('dedupe_key')
        .execute(),
    });
    await process();
    const before = await snapshot();
    expect(before.messages.length).toBeGreaterThan(5);
    const { replayDeliveries } = await import('../../src/whatsapp/replay-deliveries.ts');
    const replayed = await replayDeliveries(coxcox.store.db, { all: true });
    expect(replayed).toBeGreaterThan(5);
    await process();
    expect(await snapshot()).toEqual(before);
    expect(await count('messages')).toBe(before.messages.length);
  });

  it('runs parallel batches over shared customers without a deadlock or a lost delivery', async () => {
    // Seven customers and batches of 20: each batch meets the customers in a different order, which is
    // what deadlocked parallel batches on PostgreSQL before they took their locks in one order.
    const warnings: string[] = [];
    const logger = pino(
      { level: 'warn' },
      new Writable({
        write(chunk, _encoding, done) {
          warnings.push(String(chunk));
          done();
        },
      }),
    );
    const processor = new DeliveryProcessor({
      db: coxcox.store.db,
      flags: coxcox.store.flags,
      directory: coxcox.directory,
      metrics: coxcox.metrics,
      logger,
      batchSize: 20,
    });
    const messagesBefore = await count('messages');
    const ids = Array.from({ length: 240 }, () => wamid());
    for (const [index, id] of ids.entries())
      await deliver(
        textMessageNotification({
          wabaId: SANDBOX_WABA_ID,
          phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
          from: `55119770000${index % 7}`,
          text: `parallel ${index}`,
          id,
        }),
      );
    for (;;) {
      const counts = await Promise.all(Array.from({ length: 4 }, () => processor.processBatch()));
      if (counts.every((handled) => handled === 0)) break;
    }
    expect(warnings).toEqual([]);
    expect(await count('messages')).toBe(messagesBefore + ids.length);
    const pending = await coxcox.store.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('state', '!=', 'processed')
      .where('state', '!=', 'invalid')
      .execute();
    expect(pending).toEqual([]);
  });
});
