import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveConsentSettings } from '../../src/contacts/index.ts';
import {
  SANDBOX_PHONE_NUMBER_ID,
  SANDBOX_TENANT_ID,
  SANDBOX_WABA_ID,
  sandboxSecret,
} from '../../src/coxcox.ts';
import { enqueueMessage, type MessageSource } from '../../src/dispatch/index.ts';
import { FakeGraphClient } from '../../src/whatsapp/graph/fake-graph-client.ts';
import { startTestCoxcox } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';
import { metaJson, signature, textMessageNotification } from '../support/meta-body.ts';

const databases = await testDatabases();

/**
 * Issue 11, bug 2: a customer's STOP reached Coxcox 21 ms before the agent's earlier reply was handed to
 * Meta, and the reply went. A stop that Coxcox has received (its delivery stored, whether or not the inbox
 * has applied it) must take back every send not yet handed to Meta. The race is forced: the inbox worker
 * never runs on its own here (no workers started), so the STOP waits, stored and unapplied, while the
 * dispatcher claims.
 */
describe.each(databases)('a stop received before a queued send is claimed, on $name', (database) => {
  let coxcox: Awaited<ReturnType<typeof startTestCoxcox>>;
  let graph: FakeGraphClient;
  let appSecret: string;
  const db = () => coxcox.store.db;

  /** Posts a signed text message as Meta would; resolves once intake has committed it (the 200). */
  const customerWrites = async (from: string, text: string) => {
    const body = metaJson(
      textMessageNotification({
        wabaId: SANDBOX_WABA_ID,
        phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
        from,
        text,
      }),
    );
    const response = await coxcox.app.inject({
      method: 'POST',
      url: '/webhooks/whatsapp',
      payload: body,
      headers: { 'x-hub-signature-256': signature(body, appSecret), 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(200);
  };
  const queue = (to: string, text: string, source: MessageSource, campaignId: string | null = null) =>
    db()
      .transaction()
      .execute((trx) =>
        enqueueMessage(trx, {
          tenantId: SANDBOX_TENANT_ID,
          phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
          message: { to, type: 'text', text: { body: text } },
          source,
          campaignId,
        }),
      );
  const outboxRow = (id: string) =>
    db()
      .selectFrom('outbox')
      .select(['state', 'hold_reason', 'updated_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const textsTo = (to: string) =>
    graph.sent
      .filter((sent) => sent.message.to.replace(/\D/g, '') === to)
      .map((sent) => (sent.message.type === 'text' ? sent.message.text.body : sent.message.type));
  const pendingDeliveries = async () =>
    Number(
      (
        await db()
          .selectFrom('webhook_deliveries')
          .select((eb) => eb.fn.countAll().as('count'))
          .where('state', '=', 'pending')
          .executeTakeFirstOrThrow()
      ).count,
    );

  beforeAll(async () => {
    graph = new FakeGraphClient();
    coxcox = await startTestCoxcox(database, {}, { graph });
    appSecret = sandboxSecret(coxcox.config.secretKey, 'app secret');
    await db().updateTable('phone_numbers').set({ messaging_tier: 'TIER_UNLIMITED' }).execute();
  });
  afterAll(async () => coxcox?.dispose());

  it("cancels the agent's queued reply at the first claim after intake, before the inbox applies the STOP", async () => {
    const customer = '5511900007001';
    await customerWrites(customer, 'hi, how much is the plan?');
    await coxcox.processor.drain();
    const reply = await queue(customer, 'The plan is 49 a month. Shall I sign you up?', 'agent');
    const human = await queue(customer, 'Hi, Ana here from sales.', 'human');

    await customerWrites(customer, 'STOP');
    const intakeCommittedAt = Date.now();
    expect(await pendingDeliveries()).toBe(1); // received, not applied

    await coxcox.dispatcher.runOnce();
    const cancelled = await outboxRow(reply.id);
    expect(cancelled).toMatchObject({ state: 'cancelled', hold_reason: 'opted_out' });
    expect(await outboxRow(human.id)).toMatchObject({ state: 'cancelled', hold_reason: 'opted_out' });
    expect(textsTo(customer)).toEqual([]);
    expect(await pendingDeliveries()).toBe(1); // still not applied: the claim alone closed the window
    // The window between intake and cancellation: no claim sent anything; the first one cancelled.
    console.info(
      `[${database.name}] stop window: 0 sends between intake commit and cancellation; first claim cancelled ${cancelled.updated_at - intakeCommittedAt} ms after the 200`,
    );

    // The inbox applies the stop: the contact is opted out, and the confirmation (the one message an opted-out
    // customer gets) still goes.
    await coxcox.processor.drain();
    await coxcox.dispatcher.runOnce();
    const contact = await db()
      .selectFrom('contacts')
      .select('opted_out_at')
      .where('wa_id', '=', customer)
      .executeTakeFirstOrThrow();
    expect(contact.opted_out_at).not.toBeNull();
    expect(textsTo(customer)).toEqual(['You will not receive any more messages from us. Thank you.']);
    expect(await outboxRow(reply.id)).toMatchObject({ state: 'cancelled' });
  });

  it('cancels a reply still queued when the inbox applies the STOP before any claim', async () => {
    const customer = '5511900007002';
    await customerWrites(customer, 'hello');
    await coxcox.processor.drain();
    const reply = await queue(customer, 'Hello! What can I do for you?', 'agent');
    await customerWrites(customer, 'Parar');
    await coxcox.processor.drain();

    await coxcox.dispatcher.runOnce();
    expect(await outboxRow(reply.id)).toMatchObject({ state: 'cancelled', hold_reason: 'opted_out' });
    expect(textsTo(customer)).toEqual(['Você não receberá mais mensagens nossas. Obrigado.']);
  });

  it('holds a campaign message while the STOP waits, and the applied stop withdraws it', async () => {
    const customer = '5511900007003';
    await customerWrites(customer, 'hello');
    await coxcox.processor.drain();
    const offer = await queue(customer, 'Half price this week only!', 'campaign', 'cmp_test');
    await customerWrites(customer, 'stop!');

    await coxcox.dispatcher.runOnce();
    expect(await outboxRow(offer.id)).toMatchObject({ state: 'queued', hold_reason: 'opt-out-pending' });
    expect(textsTo(customer)).toEqual([]);

    await coxcox.processor.drain();
    expect(await outboxRow(offer.id)).toMatchObject({ state: 'cancelled', hold_reason: 'opted_out' });
  });

  it("sends when the word is not one of the tenant's opt-out keywords", async () => {
    const customer = '5511900007004';
    await saveConsentSettings(
      db(),
      SANDBOX_TENANT_ID,
      { optOutKeywords: { en: ['STOP', 'UNSUBSCRIBE'] } }, // "ALTO" (es) taken out
      Date.now(),
    );
    try {
      await customerWrites(customer, 'hello');
      await coxcox.processor.drain();
      const reply = await queue(customer, 'Hello! How can I help?', 'agent');
      await customerWrites(customer, 'Alto');
      expect(
        await db().selectFrom('pending_opt_outs').selectAll().where('wa_id', '=', customer).execute(),
      ).toHaveLength(1); // intake cannot know the tenant: any tenant's keyword is marked

      await coxcox.dispatcher.runOnce();
      expect((await outboxRow(reply.id)).state).toBe('sent');
      expect(textsTo(customer)).toEqual(['Hello! How can I help?']);
    } finally {
      await db().deleteFrom('consent_settings').where('tenant_id', '=', SANDBOX_TENANT_ID).execute();
      await coxcox.processor.drain();
    }
  });

  it('forgets a pending stop once the inbox has applied its delivery', async () => {
    await coxcox.processor.drain();
    await coxcox.dispatcher.runOnce();
    expect(await db().selectFrom('pending_opt_outs').selectAll().execute()).toEqual([]);
  });
});
