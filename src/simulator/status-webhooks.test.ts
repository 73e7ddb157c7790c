import { afterEach, describe, expect, it } from 'vitest';
import {
  createSimulator,
  DEFAULT_PHONE_NUMBER_ID,
  DEFAULT_WABA_ID,
  type Simulator,
  type SimulatorOptions,
} from './index.ts';
import { startWebhookReceiver, type WebhookReceiver, type WebhookStatus } from './start-webhook-receiver.ts';

const APP_SECRET = 'webhook-secret';
const TOKEN = 'webhook-token';

let simulator: Simulator | undefined;
let receiver: WebhookReceiver | undefined;

async function start(
  options: Partial<SimulatorOptions> = {},
  answer?: (index: number) => number,
): Promise<{ simulator: Simulator; receiver: WebhookReceiver }> {
  receiver = await startWebhookReceiver({ appSecret: APP_SECRET, ...(answer ? { answer } : {}) });
  simulator = createSimulator({
    appSecret: APP_SECRET,
    webhookUrl: receiver.url,
    accessTokens: [TOKEN],
    seed: 11,
    pairRateLimit: { burst: 1_000 },
    ...options,
  });
  await simulator.listen(0, '127.0.0.1');
  return { simulator, receiver };
}

afterEach(async () => {
  await simulator?.close();
  await receiver?.close();
  simulator = undefined;
  receiver = undefined;
});

async function sendOffer(target: Simulator, to: string, callbackData: string): Promise<string> {
  const response = await fetch(`${target.url}/v23.0/${DEFAULT_PHONE_NUMBER_ID}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to,
      type: 'template',
      biz_opaque_callback_data: callbackData,
      template: {
        name: 'coxcox_offer',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana' },
              { type: 'text', text: '20% off / today' },
            ],
          },
        ],
      },
    }),
  });
  const body = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.messages[0].id;
}

function statusesByMessage(statuses: WebhookStatus[]): Map<string, string[]> {
  const byMessage = new Map<string, string[]>();
  for (const status of statuses)
    byMessage.set(status.id, [...(byMessage.get(status.id) ?? []), status.status]);
  return byMessage;
}

describe('status webhooks', () => {
  it('arrive signed, in Meta’s envelope, in forward order, echoing biz_opaque_callback_data', async () => {
    const { simulator, receiver } = await start();
    const wamids: string[] = [];
    for (let index = 0; index < 5; index += 1)
      wamids.push(await sendOffer(simulator, `1555000100${index}`, `outbox-${index}`));
    await receiver.waitFor(() => receiver.statuses().length === 15);
    await simulator.idle();

    expect(receiver.received.length).toBeGreaterThan(0);
    for (const webhook of receiver.received) {
      expect(webhook.isSignatureValid).toBe(true);
      expect(webhook.body.object).toBe('whatsapp_business_account');
      for (const entry of webhook.body.entry) {
        expect(entry.id).toBe(DEFAULT_WABA_ID);
        for (const change of entry.changes) {
          expect(change.field).toBe('messages');
          expect(change.value.messaging_product).toBe('whatsapp');
          expect(change.value.metadata).toEqual({
            display_phone_number: '15550000001',
            phone_number_id: DEFAULT_PHONE_NUMBER_ID,
          });
        }
      }
    }
    const byMessage = statusesByMessage(receiver.statuses());
    expect([...byMessage.keys()].sort()).toEqual([...wamids].sort());
    for (const sequence of byMessage.values()) expect(sequence).toEqual(['sent', 'delivered', 'read']);

    for (const status of receiver.statuses()) {
      const index = wamids.indexOf(status.id);
      expect(status.biz_opaque_callback_data).toBe(`outbox-${index}`);
      expect(status.recipient_id).toBe(`1555000100${index}`);
      expect(status.timestamp).toMatch(/^\d{10}$/);
      if (status.status !== 'read') {
        expect(status.pricing).toEqual({
          billable: true,
          pricing_model: 'PMP',
          type: 'regular',
          category: 'marketing',
        });
        expect(status.conversation?.origin.type).toBe('marketing');
      }
    }
    expect(simulator.state.counts.statusesEmitted).toBe(15);
    expect(simulator.state.sent.map((record) => record.statuses)).toEqual(
      Array(5).fill(['sent', 'delivered', 'read']),
    );
  });

  it('serializes like Meta: `/` as `\\/` and non-ASCII as \\uXXXX, signed over those bytes', async () => {
    const { simulator, receiver } = await start();
    simulator.customerSays({
      from: '5511955550000',
      name: 'José Açaí',
      text: 'Olá! Quanto custa? 1/2 kg 🍫',
    });
    await receiver.waitFor(() => receiver.messages().length === 1);
    const [webhook] = receiver.received;
    const raw = webhook?.rawBody.toString('latin1') ?? '';
    expect(raw).toContain('Jos\\u00e9 A\\u00e7a\\u00ed');
    expect(raw).toContain('1\\/2 kg \\ud83c\\udf6b');
    expect(webhook?.rawBody.every((byte) => byte < 0x80)).toBe(true);
    expect(webhook?.isSignatureValid).toBe(true);
    const [message] = receiver.messages();
    expect(message.text.body).toBe('Olá! Quanto custa? 1/2 kg 🍫');
    expect(message.from).toBe('5511955550000');
    expect(message.id).toMatch(/^wamid\./);
    expect(webhook?.body.entry[0].changes[0].value.contacts).toEqual([
      { profile: { name: 'José Açaí' }, wa_id: '5511955550000' },
    ]);
  });

  it('can deliver statuses out of order (reorderRate) and twice (duplicateRate)', async () => {
    const { simulator, receiver } = await start({ reorderRate: 1, duplicateRate: 1 });
    for (let index = 0; index < 4; index += 1)
      await sendOffer(simulator, `1555000200${index}`, `reordered-${index}`);
    await receiver.waitFor(() => receiver.statuses().length === 24);
    await simulator.idle();
    const byMessage = statusesByMessage(receiver.statuses());
    expect(byMessage.size).toBe(4);
    for (const sequence of byMessage.values()) {
      const firstArrivals = sequence.filter((status, index) => sequence.indexOf(status) === index);
      expect(firstArrivals).not.toEqual(['sent', 'delivered', 'read']);
      expect(sequence.filter((status) => status === 'sent')).toHaveLength(2);
      expect(sequence.filter((status) => status === 'read')).toHaveLength(2);
    }
  });

  it('retries a webhook the receiver does not answer with 200, with the same signed bytes', async () => {
    const { simulator, receiver } = await start(
      { webhookDelivery: { retryDelaysMs: [10, 20, 40], concurrency: 1 } },
      (index) => (index < 2 ? 500 : 200),
    );
    await sendOffer(simulator, '15550003000', 'retried');
    await receiver.waitFor(() => receiver.statuses().length === 3);
    await simulator.idle();
    expect(receiver.received[0]?.answeredWith).toBe(500);
    expect(receiver.received[1]?.rawBody.equals(receiver.received[0]?.rawBody ?? Buffer.alloc(0))).toBe(true);
    expect(receiver.received[1]?.signature).toBe(receiver.received[0]?.signature);
    expect(simulator.state.counts.webhookRetries).toBe(2);
    expect(statusesByMessage(receiver.statuses()).get(simulator.state.sent[0]?.id ?? '')).toEqual([
      'sent',
      'delivered',
      'read',
    ]);
  });

  it('gives up after the last retry', async () => {
    const { simulator, receiver } = await start(
      { webhookDelivery: { retryDelaysMs: [5, 5], concurrency: 1 } },
      () => 503,
    );
    await sendOffer(simulator, '15550003001', 'dropped');
    await simulator.idle();
    expect(simulator.state.counts.webhooksDropped).toBeGreaterThanOrEqual(1);
    expect(simulator.state.counts.webhookFailures).toBe(receiver.received.length);
    expect(receiver.received.length).toBe(simulator.state.counts.webhooksDropped * 3);
  });

  it('batches several statuses into one POST under load', async () => {
    const { simulator, receiver } = await start({
      webhookDelivery: { concurrency: 1 },
      statusDelaysMs: { sentMs: 0, deliveredMs: 0, readMs: 0 },
      wabas: [
        {
          id: DEFAULT_WABA_ID,
          phoneNumbers: [
            { id: DEFAULT_PHONE_NUMBER_ID, displayPhoneNumber: '+1 555-000-0001', throughputLevel: 'HIGH' },
          ],
          templates: [{ name: 'hello_world', language: 'en_US', category: 'UTILITY' }],
        },
      ],
    });
    await Promise.all(
      Array.from({ length: 60 }, (_, index) =>
        simulator.app.inject({
          method: 'POST',
          url: `/v23.0/${DEFAULT_PHONE_NUMBER_ID}/messages`,
          headers: { authorization: `Bearer ${TOKEN}` },
          payload: {
            messaging_product: 'whatsapp',
            to: `1555100${String(index).padStart(4, '0')}`,
            type: 'template',
            template: { name: 'hello_world', language: { code: 'en_US' } },
          },
        }),
      ),
    );
    await receiver.waitFor(() => receiver.statuses().length === 180);
    expect(receiver.received.length).toBeLessThan(180);
    expect(
      Math.max(...receiver.received.map((webhook) => webhook.body.entry[0].changes[0].value.statuses.length)),
    ).toBeGreaterThan(1);
  });

  it('reports undeliverable recipients with a failed status and the error, without pricing', async () => {
    const { simulator, receiver } = await start({ undeliverableRecipients: ['15550004000'] });
    await sendOffer(simulator, '15550004000', 'nobody-home');
    await receiver.waitFor(() => receiver.statuses().length === 1);
    await simulator.idle();
    const [status] = receiver.statuses();
    expect(status?.status).toBe('failed');
    expect(status?.biz_opaque_callback_data).toBe('nobody-home');
    expect(status?.errors?.[0]).toMatchObject({ code: 131026, title: 'Message undeliverable' });
    expect(status?.pricing).toBeUndefined();
  });

  it('sends nothing for a WABA whose subscription was deleted', async () => {
    const { simulator, receiver } = await start();
    const unsubscribe = await fetch(`${simulator.url}/v23.0/${DEFAULT_WABA_ID}/subscribed_apps`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(await unsubscribe.json()).toEqual({ success: true });
    await sendOffer(simulator, '15550005000', 'unheard');
    await simulator.idle();
    expect(receiver.received).toHaveLength(0);
    expect(simulator.state.counts.webhooksSuppressed).toBe(3);
  });
});
