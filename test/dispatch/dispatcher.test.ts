import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  SANDBOX_PHONE_NUMBER_ID,
  SANDBOX_TENANT_ID,
  SANDBOX_WABA_ID,
  sandboxSecret,
} from '../../src/coxcox.ts';
import { FakeGraphClient } from '../../src/whatsapp/graph/fake-graph-client.ts';
import { type GraphClient, GraphError } from '../../src/whatsapp/graph/index.ts';
import { startTestCoxcox, TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';
import { metaJson, signature, statusNotification, textMessageNotification } from '../support/meta-body.ts';

const databases = await testDatabases();

/** A Graph client whose sends can be made to reach Meta and then lose the answer (a timeout after the write). */
class LossyGraph extends FakeGraphClient {
  loseNextAnswers = 0;
  override async sendMessage(...args: Parameters<GraphClient['sendMessage']>) {
    const sent = await super.sendMessage(...args);
    if (this.loseNextAnswers > 0) {
      this.loseNextAnswers -= 1;
      throw GraphError.transport('timeout', 'unknown', 'the request timed out after it was written');
    }
    return sent;
  }
}

describe.each(databases)('dispatcher on $name', (database) => {
  let coxcox: Awaited<ReturnType<typeof startTestCoxcox>>;
  let graph: LossyGraph;
  let appSecret: string;
  const tenant = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
  const send = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
    coxcox.app.inject({
      method: 'POST',
      url: `/api/v1/messages?tenantId=${SANDBOX_TENANT_ID}`,
      headers: { ...tenant, ...headers },
      payload,
    });
  const show = async (id: string) =>
    (await coxcox.app.inject({ method: 'GET', url: `/api/v1/messages/${id}`, headers: tenant })).json();
  const customerWrites = async (from: string, text = 'hello') => {
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
    await coxcox.processor.drain();
  };
  const statusArrives = async (statuses: Parameters<typeof statusNotification>[0]['statuses']) => {
    const body = metaJson(
      statusNotification({ wabaId: SANDBOX_WABA_ID, phoneNumberId: SANDBOX_PHONE_NUMBER_ID, statuses }),
    );
    await coxcox.app.inject({
      method: 'POST',
      url: '/webhooks/whatsapp',
      payload: body,
      headers: { 'x-hub-signature-256': signature(body, appSecret), 'content-type': 'application/json' },
    });
    await coxcox.processor.drain();
  };
  const template = (to: string) => ({
    to,
    type: 'template',
    template: { name: 'hello_world', languageCode: 'en_US' },
  });
  const sentTo = (to: string) =>
    graph.sent.filter((sent) => sent.message.to.replace(/\D/g, '') === to.replace(/\D/g, ''));

  beforeAll(async () => {
    graph = new LossyGraph();
    coxcox = await startTestCoxcox(
      database,
      {},
      { graph, dispatcher: { reconcileWindowMs: 400, scanIntervalMs: 20 } },
    );
    appSecret = sandboxSecret(coxcox.config.secretKey, 'app secret');
    await coxcox.store.db.updateTable('phone_numbers').set({ messaging_tier: 'TIER_UNLIMITED' }).execute();
  });
  afterAll(async () => coxcox?.dispose());
  beforeEach(() => {
    graph.loseNextAnswers = 0;
  });

  it('sends a free-form text inside the 24-hour window and records the wamid, attempt and message', async () => {
    await customerWrites('5511900000001');
    const response = await send({
      message: { to: '+55 11 90000-0001', type: 'text', text: { body: 'Oi! Como posso ajudar?' } },
    });
    expect(response.statusCode).toBe(202);
    const { id } = response.json();
    expect(id).toMatch(/^out_/);
    await coxcox.dispatcher.runOnce();
    const shown = await show(id);
    expect(shown).toMatchObject({ state: 'sent', to: '5511900000001', type: 'text', error: null });
    expect(shown.wamid).toBe(sentTo('5511900000001')[0]!.wamid);
    expect(shown.attempts).toHaveLength(1);
    expect(sentTo('5511900000001')[0]!.body).toMatchObject({ biz_opaque_callback_data: id, type: 'text' });
    const recorded = await coxcox.store.db
      .selectFrom('messages')
      .selectAll()
      .where('wamid', '=', shown.wamid)
      .executeTakeFirstOrThrow();
    expect(recorded).toMatchObject({ direction: 'out', type: 'text', biz_opaque_callback_data: id });
    expect(recorded.conversation_id).toBeTruthy();
  });

  it('refuses a free-form message outside the window before sending, and lets a template through', async () => {
    const refused = await send({ message: { to: '5511900000099', type: 'text', text: { body: 'hi' } } });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('window_closed');
    expect(refused.json().error.message).toContain('template');
    const accepted = await send({ message: template('5511900000099') });
    expect(accepted.statusCode).toBe(202);
    await coxcox.dispatcher.runOnce();
    expect((await show(accepted.json().id)).state).toBe('sent');
  });

  it('explains a malformed message', async () => {
    const response = await send({ message: { to: '5511900000001', type: 'text', text: {} } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
    const unknownType = await send({ message: { to: '5511900000001', type: 'carrier_pigeon' } });
    expect(unknownType.statusCode).toBe(400);
    expect(unknownType.json().error.message).toContain('type');
  });

  it('honours an idempotency key: one message, however often the request comes', async () => {
    const first = await send({ idempotencyKey: 'order-77', message: template('5511900000077') });
    const second = await send({ message: template('5511900000077') }, { 'idempotency-key': 'order-77' });
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(200);
    expect(second.json().id).toBe(first.json().id);
    await coxcox.dispatcher.runOnce();
    expect(sentTo('5511900000077')).toHaveLength(1);
  });

  it('retries a retry-later error with backoff and fails a fix-request error for good, keeping Meta’s code', async () => {
    graph.failNext(130429);
    const retried = (await send({ message: template('5511900000101') })).json().id;
    await coxcox.dispatcher.runOnce();
    let shown = await show(retried);
    expect(shown.state).toBe('queued');
    expect(shown.error).toMatchObject({ code: 130429, category: 'retry-later' });
    await coxcox.store.db
      .updateTable('outbox')
      .set({ next_attempt_at: 0 })
      .where('id', '=', retried)
      .execute();
    await coxcox.dispatcher.runOnce();
    shown = await show(retried);
    expect(shown.state).toBe('sent');
    expect(shown.attempts.map((attempt: { outcome: string }) => attempt.outcome)).toEqual(['retry', 'sent']);

    graph.failNext(132001);
    const failed = (await send({ message: template('5511900000102') })).json().id;
    await coxcox.dispatcher.runOnce();
    shown = await show(failed);
    expect(shown.state).toBe('failed');
    expect(shown.error).toMatchObject({ code: 132001, category: 'fix-request' });
    expect(sentTo('5511900000102')).toHaveLength(0);
  });

  it('holds sends and marks the number unhealthy on an invalid token, and resumes once a new token is added', async () => {
    graph.failNext(190);
    const id = (await send({ message: template('5511900000190') })).json().id;
    await coxcox.dispatcher.runOnce();
    expect((await show(id)).state).toBe('held');
    const number = await coxcox.store.db
      .selectFrom('phone_numbers')
      .selectAll()
      .where('phone_number_id', '=', SANDBOX_PHONE_NUMBER_ID)
      .executeTakeFirstOrThrow();
    expect(number.is_healthy).toBe(0);
    expect(number.health_problem).toMatch(/token invalid/);
    const another = (await send({ message: template('5511900000191') })).json().id;
    await coxcox.dispatcher.runOnce();
    expect((await show(another)).state).not.toBe('sent');
    expect(sentTo('5511900000190')).toHaveLength(0);

    await coxcox.directory.addAccessToken(SANDBOX_TENANT_ID, {
      token: 'EAAG-fresh-token-0000000001',
      kind: 'system_user',
      wabaId: SANDBOX_WABA_ID,
    });
    await coxcox.dispatcher.runOnce();
    expect((await show(id)).state).toBe('sent');
    expect((await show(another)).state).toBe('sent');
    expect(sentTo('5511900000190')).toHaveLength(1);
  });

  it('reconciles a send whose answer was lost from its status webhook, and never sends it twice', async () => {
    graph.loseNextAnswers = 1;
    const id = (await send({ message: template('5511900000200') })).json().id;
    await coxcox.dispatcher.runOnce();
    expect((await show(id)).state).toBe('unknown');
    const accepted = sentTo('5511900000200');
    expect(accepted).toHaveLength(1);
    await statusArrives([{ id: accepted[0]!.wamid, status: 'delivered', bizOpaqueCallbackData: id }]);
    const shown = await show(id);
    expect(shown).toMatchObject({ state: 'sent', wamid: accepted[0]!.wamid, deliveryStatus: 'delivered' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await coxcox.dispatcher.runOnce();
    expect(sentTo('5511900000200')).toHaveLength(1);
  });

  it('resends a lost send only after the reconcile window passed with no status', async () => {
    graph.failNext(GraphError.transport('timeout', 'unknown', 'timed out before Meta took it'));
    const id = (await send({ message: template('5511900000201') })).json().id;
    await coxcox.dispatcher.runOnce();
    expect((await show(id)).state).toBe('unknown');
    await coxcox.dispatcher.runOnce();
    expect(sentTo('5511900000201')).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await coxcox.dispatcher.runOnce();
    expect((await show(id)).state).toBe('sent');
    expect(sentTo('5511900000201')).toHaveLength(1);
  });

  it('keeps each recipient to the pair pace: a burst, then one per 6 s', async () => {
    await customerWrites('5511900000300');
    const ids: string[] = [];
    for (let index = 0; index < 14; index += 1) {
      ids.push(
        (
          await send({ message: { to: '5511900000300', type: 'text', text: { body: `bubble ${index}` } } })
        ).json().id,
      );
    }
    await coxcox.dispatcher.runOnce();
    const states = await Promise.all(ids.map(async (id) => (await show(id)).state));
    expect(states.filter((state) => state === 'sent')).toHaveLength(10);
    const waiting = await coxcox.store.db
      .selectFrom('outbox')
      .selectAll()
      .where('id', 'in', ids)
      .where('state', '=', 'queued')
      .execute();
    expect(waiting).toHaveLength(4);
    expect(
      waiting.every((row) => row.hold_reason === 'pair-rate' && row.next_attempt_at > Date.now() + 3000),
    ).toBe(true);
  });

  it('stops business-initiated messages at the daily tier, counting unique recipients', async () => {
    await coxcox.store.db.updateTable('phone_numbers').set({ messaging_tier: 'TIER_50' }).execute();
    await coxcox.store.db.deleteFrom('tier_recipients').execute();
    const ids: string[] = [];
    for (let index = 0; index < 60; index += 1)
      ids.push((await send({ message: template(`4420700${String(index).padStart(5, '0')}`) })).json().id);
    // A second template to a recipient already counted does not use up the tier.
    ids.push((await send({ message: template('442070000000') })).json().id);
    await coxcox.dispatcher.runOnce();
    const rows = await coxcox.store.db
      .selectFrom('outbox')
      .select(['state', 'hold_reason'])
      .where('id', 'in', ids)
      .execute();
    expect(rows.filter((row) => row.state === 'sent')).toHaveLength(51);
    expect(rows.filter((row) => row.state === 'queued' && row.hold_reason === 'tier')).toHaveLength(10);
    await coxcox.store.db.updateTable('phone_numbers').set({ messaging_tier: 'TIER_UNLIMITED' }).execute();
  });

  it('never lets one tenant read another tenant’s outbound message', async () => {
    const id = (await send({ message: template('5511900000400') })).json().id;
    const other = await coxcox.directory.createTenant({ name: 'Other' });
    const { key } = await coxcox.directory.createApiKey(other.id, 'k');
    const response = await coxcox.app.inject({
      method: 'GET',
      url: `/api/v1/messages/${id}`,
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.statusCode).toBe(404);
    const sendAs = await coxcox.app.inject({
      method: 'POST',
      url: '/api/v1/messages',
      headers: { authorization: `Bearer ${key}` },
      payload: { phoneNumberId: SANDBOX_PHONE_NUMBER_ID, message: template('5511900000401') },
    });
    expect(sendAs.statusCode).toBe(404);
  });
});
