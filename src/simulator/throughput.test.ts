import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from './index.ts';
import { startWebhookReceiver, type WebhookReceiver } from './start-webhook-receiver.ts';

const SENDS = 3_000;
const TOKEN = 'load-token';

describe('under load', () => {
  let simulator: Simulator;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver({ appSecret: 'load-secret' });
    simulator = createSimulator({
      appSecret: 'load-secret',
      webhookUrl: receiver.url,
      accessTokens: [TOKEN],
      seed: 99,
      wabas: [
        {
          id: '700000000000001',
          phoneNumbers: [
            { id: '700000000000002', displayPhoneNumber: '15557000002', messagesPerSecond: 100_000 },
          ],
          templates: [{ name: 'hello_world', language: 'en_US', category: 'UTILITY' }],
        },
      ],
    });
    await simulator.listen();
  });
  afterAll(async () => {
    await simulator.close();
    await receiver.close();
  });

  it(`accepts ${SENDS} concurrent sends over HTTP, each exactly once, and delivers every status`, async () => {
    const pool = new Pool(simulator.url as string, { connections: 16 });
    let next = 0;
    const worker = async () => {
      while (next < SENDS) {
        const index = next++;
        const response = await pool.request({
          method: 'POST',
          path: '/v23.0/700000000000002/messages',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            messaging_product: 'whatsapp',
            to: `1888${String(index).padStart(7, '0')}`,
            type: 'template',
            biz_opaque_callback_data: `load-${index}`,
            template: { name: 'hello_world', language: { code: 'en_US' } },
          }),
        });
        await response.body.dump();
        expect(response.statusCode).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    await pool.close();
    // Speed belongs in the benchmarks (the simulator alone takes about 3,500 sends/s on one core); this
    // test checks that a burst of concurrent sends is each accepted once and every status is delivered.
    expect(simulator.state.acceptedByCallbackData.size).toBe(SENDS);
    expect(simulator.state.duplicateCallbackData()).toEqual([]);
    await simulator.idle(30_000);
    expect(receiver.statuses()).toHaveLength(SENDS * 3);
    expect(receiver.received.length).toBeLessThan(SENDS * 3);
    expect(receiver.received.every((webhook) => webhook.isSignatureValid)).toBe(true);
  });
});
