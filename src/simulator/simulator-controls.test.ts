import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, DEFAULT_PHONE_NUMBER_ID, type Simulator, type SimulatorOptions } from './index.ts';
import { startWebhookReceiver, type WebhookReceiver } from './start-webhook-receiver.ts';

const TOKEN = 'controls-token';
let simulator: Simulator | undefined;
let receiver: WebhookReceiver | undefined;
let nowMs = Date.UTC(2025, 2, 3);

async function start(
  options: Partial<SimulatorOptions> = {},
): Promise<{ simulator: Simulator; receiver: WebhookReceiver }> {
  nowMs = Date.UTC(2025, 2, 3);
  receiver = await startWebhookReceiver({ appSecret: 'controls-secret' });
  simulator = createSimulator({
    appSecret: 'controls-secret',
    webhookUrl: receiver.url,
    accessTokens: [TOKEN],
    seed: 21,
    clock: { now: () => nowMs },
    ...options,
  });
  return { simulator, receiver };
}

afterEach(async () => {
  await simulator?.close();
  await receiver?.close();
  simulator = undefined;
  receiver = undefined;
});

function sendTemplate(target: Simulator, to: string) {
  return target.app.inject({
    method: 'POST',
    url: `/v23.0/${DEFAULT_PHONE_NUMBER_ID}/messages`,
    headers: { authorization: `Bearer ${TOKEN}` },
    payload: {
      messaging_product: 'whatsapp',
      to,
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    },
  });
}

describe('tick controls', () => {
  it('holds statuses while paused, and tick() delivers them at once', async () => {
    const { simulator, receiver } = await start({
      statusDelaysMs: { sentMs: 60_000, deliveredMs: 120_000, readMs: 180_000 },
    });
    simulator.pause();
    await sendTemplate(simulator, '15550001010');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(receiver.received).toHaveLength(0);
    await expect(simulator.idle(50)).rejects.toThrow(/still busy/);
    expect(await simulator.tick()).toBe(3);
    expect(receiver.statuses().map((status) => status.status)).toEqual(['sent', 'delivered', 'read']);
    await simulator.idle(100);
  });

  it('uses the injected clock for status timestamps', async () => {
    const { simulator, receiver } = await start({
      statusDelaysMs: { sentMs: 0, deliveredMs: 2_000, readMs: 3_000 },
    });
    await sendTemplate(simulator, '15550001011');
    await simulator.tick();
    expect(receiver.statuses().map((status) => Number(status.timestamp) - nowMs / 1000)).toEqual([0, 2, 3]);
  });

  it('close() clears every timer: nothing is posted afterwards', async () => {
    const { simulator, receiver } = await start({
      statusDelaysMs: { sentMs: 30, deliveredMs: 30, readMs: 30 },
    });
    await sendTemplate(simulator, '15550001012');
    await simulator.close();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(receiver.received).toHaveLength(0);
  });
});

describe('messaging limit tier', () => {
  it('fails business-initiated messages past the tier, counted over a moving 24 hours', async () => {
    const { simulator } = await start({
      wabas: [
        {
          id: '500000000000001',
          phoneNumbers: [
            {
              id: DEFAULT_PHONE_NUMBER_ID,
              displayPhoneNumber: '15550000001',
              messagingLimitTier: 'TIER_50',
              throughputLevel: 'HIGH',
            },
          ],
          templates: [{ name: 'hello_world', language: 'en_US', category: 'UTILITY' }],
        },
      ],
    });
    for (let index = 0; index < 51; index += 1) {
      expect((await sendTemplate(simulator, `1555200${String(index).padStart(4, '0')}`)).statusCode).toBe(
        200,
      );
    }
    // The same customer again does not count twice; a customer who wrote is inside the window.
    await sendTemplate(simulator, '15552000000');
    simulator.customerSays({ from: '15552009999', text: 'hi' });
    await sendTemplate(simulator, '15552009999');
    await simulator.tick();
    const failed = simulator.state.sent.filter((record) => record.statuses.includes('failed'));
    expect(failed.map((record) => record.recipient)).toEqual(['15552000050']);
    nowMs += 24 * 60 * 60 * 1000;
    await sendTemplate(simulator, '15552000050');
    await simulator.tick();
    expect(simulator.state.sent.at(-1)?.statuses).toEqual(['sent', 'delivered', 'read']);
  });
});

describe('scripted responses', () => {
  it('answers the next calls with what was queued over POST /_simulator/script, then as usual', async () => {
    const { simulator: target } = await start();
    const queued = await target.app.inject({
      method: 'POST',
      url: '/_simulator/script',
      payload: { kind: 'meta-error', code: 131056, httpStatus: 400, details: 'pair rate' },
    });
    expect(queued.statusCode).toBe(201);
    await target.app.inject({
      method: 'POST',
      url: '/_simulator/script',
      payload: { kind: 'http-status', httpStatus: 502 },
    });

    const first = await sendTemplate(target, '15550001111');
    expect(first.statusCode).toBe(400);
    expect(first.json().error).toMatchObject({ code: 131056, error_data: { details: 'pair rate' } });
    const second = await sendTemplate(target, '15550001111');
    expect(second.statusCode).toBe(502);
    expect(second.headers['content-type']).toContain('text/html');
    const third = await sendTemplate(target, '15550001111');
    expect(third.statusCode).toBe(200);
    expect(target.state.counts.accepted).toBe(1);
  });

  it('refuses a script it could not play, saying what it needs', async () => {
    const { simulator: target } = await start();
    const refused = await target.app.inject({
      method: 'POST',
      url: '/_simulator/script',
      payload: { kind: 'meta-error', code: 'x' },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.error_data.details).toContain('numeric code');
    const unknown = await target.app.inject({
      method: 'POST',
      url: '/_simulator/script',
      payload: { kind: 'explode' },
    });
    expect(unknown.json().error.error_data.details).toContain('kind must be one of');
    expect((await sendTemplate(target, '15550001111')).statusCode).toBe(200);
  });
});
