import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_PHONE_NUMBER_ID, SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { enqueueMessage } from '../../src/dispatch/index.ts';
import { TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';
import { startSimulatedCoxcox, waitFor } from '../support/simulated-coxcox.ts';

const databases = await testDatabases();
const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

describe.each(databases)('sending through the simulator over HTTP on $name', (database) => {
  let world: Awaited<ReturnType<typeof startSimulatedCoxcox>>;

  beforeAll(async () => {
    world = await startSimulatedCoxcox(database, {
      throughputMps: 1000,
      sendTimeoutMs: 2000,
      dispatcher: { pairBurst: 20 },
    });
  });
  afterAll(async () => world?.dispose());

  const outboxStates = async (ids: string[]) => {
    const rows = await world.coxcox.store.db
      .selectFrom('outbox')
      .select(['id', 'state'])
      .where('id', 'in', ids)
      .execute();
    return new Map(rows.map((row) => [row.id, row.state]));
  };

  it('round-trips every message type, with statuses coming back signed', { timeout: 60_000 }, async () => {
    const customer = '5511977770001';
    const inbound = world.simulator.customerSays({
      from: customer,
      to: SANDBOX_PHONE_NUMBER_ID,
      text: 'Oi, quero saber mais',
    });
    await waitFor('the inbound message', async () =>
      Boolean(
        await world.coxcox.store.db
          .selectFrom('messages')
          .select('id')
          .where('wamid', '=', inbound.id)
          .executeTakeFirst(),
      ),
    );
    const messages = [
      { type: 'text', text: { body: 'Olá! Veja https://exemplo.com/plano', previewUrl: true } },
      { type: 'image', image: { link: 'https://example.com/p.jpg', caption: 'Plano' } },
      { type: 'audio', audio: { link: 'https://example.com/a.ogg' } },
      { type: 'video', video: { link: 'https://example.com/v.mp4', caption: 'Demo' } },
      { type: 'document', document: { link: 'https://example.com/d.pdf', filename: 'proposta.pdf' } },
      { type: 'sticker', sticker: { link: 'https://example.com/s.webp' } },
      { type: 'template', template: { name: 'hello_world', languageCode: 'en_US' } },
      {
        type: 'interactive',
        interactive: {
          type: 'button',
          body: 'Quer uma ligação?',
          buttons: [
            { id: 'yes', title: 'Sim' },
            { id: 'no', title: 'Não' },
          ],
        },
      },
      {
        type: 'interactive',
        interactive: {
          type: 'list',
          body: 'Escolha um plano',
          buttonText: 'Planos',
          sections: [
            {
              title: 'Planos',
              rows: [
                { id: 'basic', title: 'Básico' },
                { id: 'pro', title: 'Pro' },
              ],
            },
          ],
        },
      },
      {
        type: 'interactive',
        interactive: {
          type: 'cta_url',
          body: 'Veja o site',
          displayText: 'Abrir',
          url: 'https://example.com',
        },
      },
      { type: 'reaction', reaction: { messageId: inbound.id, emoji: '👍' } },
      {
        type: 'location',
        location: { latitude: -23.55, longitude: -46.63, name: 'Loja', address: 'Av. Paulista' },
      },
      {
        type: 'contacts',
        contacts: [
          {
            name: { formattedName: 'Ana Vendas', firstName: 'Ana' },
            phones: [{ phone: '+5511999990000', type: 'WORK' }],
          },
        ],
      },
    ];
    const ids: string[] = [];
    for (const message of messages) {
      const response = await world.coxcox.app.inject({
        method: 'POST',
        url: `/api/v1/messages?tenantId=${SANDBOX_TENANT_ID}`,
        headers: admin,
        payload: { message: { to: `+${customer}`, ...message } },
      });
      expect(response.statusCode, `${message.type}: ${response.body}`).toBe(202);
      ids.push(response.json().id);
    }
    await waitFor(
      'every message to be sent',
      async () => [...(await outboxStates(ids)).values()].every((state) => state === 'sent'),
      20_000,
      async () =>
        JSON.stringify(
          await world.coxcox.store.db
            .selectFrom('outbox')
            .select(['message_type', 'state', 'error_code', 'error_title'])
            .where('id', 'in', ids)
            .where('state', '!=', 'sent')
            .execute(),
        ),
    );
    for (const [index, id] of ids.entries()) {
      const accepted = world.simulator.state.sent.filter((sent) => sent.bizOpaqueCallbackData === id);
      expect(accepted, messages[index]!.type).toHaveLength(1);
      expect(accepted[0]!.type).toBe(messages[index]!.type);
    }
    await waitFor(
      'statuses to come back',
      async () => {
        const rows = await world.coxcox.store.db
          .selectFrom('messages')
          .select(['type', 'status'])
          .where('biz_opaque_callback_data', 'in', ids)
          .execute();
        // Meta reports a reaction as sent only; everything else here is delivered and read.
        return (
          rows.length === ids.length &&
          rows.every((row) =>
            row.type === 'reaction'
              ? row.status === 'sent'
              : row.status === 'read' || row.status === 'delivered',
          )
        );
      },
      30_000,
      async () =>
        JSON.stringify(
          await world.coxcox.store.db
            .selectFrom('messages')
            .select(['type', 'status'])
            .where('biz_opaque_callback_data', 'in', ids)
            .execute(),
        ),
    );
  });

  // 20 % of Graph calls fail: 5 % each of 5xx, 429, timeouts and connection resets, and half of the
  // timeouts and resets come after the simulator accepted the send (the outcome is unknown to Coxcox).
  it('delivers every message exactly once with 20 % injected faults', async () => {
    world.simulator.configure({
      faults: {
        rate5xx: 0.05,
        rate429: 0.05,
        timeoutRate: 0.05,
        resetRate: 0.05,
        acceptedBeforeFaultRate: 0.5,
      },
    });
    const count = Number(process.env.FAULT_TEST_MESSAGES ?? 10_000);
    const ids: string[] = [];
    const db = world.coxcox.store.db;
    for (let start = 0; start < count; start += 500) {
      await db.transaction().execute(async (trx) => {
        for (let index = start; index < Math.min(count, start + 500); index += 1) {
          const { id } = await enqueueMessage(trx, {
            tenantId: SANDBOX_TENANT_ID,
            phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
            source: 'campaign',
            category: 'UTILITY',
            message: {
              to: `4915${String(index).padStart(9, '0')}`,
              type: 'template',
              template: { name: 'hello_world', languageCode: 'en_US' },
            },
          });
          ids.push(id);
        }
      });
    }
    world.coxcox.dispatcher.wake();
    await waitFor(
      `all ${count} to be sent`,
      async () => {
        const pending = await db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('source', '=', 'campaign')
          .where('state', '!=', 'sent')
          .executeTakeFirstOrThrow();
        return Number(pending.n) === 0;
      },
      560_000,
      async () =>
        JSON.stringify(
          await db
            .selectFrom('outbox')
            .select(['state', (eb) => eb.fn.countAll().as('n')])
            .where('source', '=', 'campaign')
            .groupBy('state')
            .execute(),
        ),
    );
    world.simulator.configure({ faults: { rate5xx: 0, rate429: 0, timeoutRate: 0, resetRate: 0 } });
    const counts = world.simulator.state.counts;
    // Not vacuous: about a fifth of the calls met a fault.
    expect(counts.faults5xx + counts.faults429 + counts.faultsTimeout + counts.faultsReset).toBeGreaterThan(
      count * 0.15,
    );
    const duplicates = ids.filter((id) => (world.simulator.state.acceptedByCallbackData.get(id) ?? 0) !== 1);
    expect(duplicates).toEqual([]);
  }, 600_000);
});
