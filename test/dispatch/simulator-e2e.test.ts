import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_PHONE_NUMBER_ID, SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
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
});
