import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, DEFAULT_PHONE_NUMBER_ID, type Simulator, type SimulatorOptions } from './index.ts';
import { startWebhookReceiver, type WebhookReceiver } from './start-webhook-receiver.ts';

const TOKEN = 'fault-token';
let simulator: Simulator | undefined;
let receiver: WebhookReceiver | undefined;

function start(options: Partial<SimulatorOptions> = {}): Simulator {
  simulator = createSimulator({
    appSecret: 'fault-secret',
    webhookUrl: null,
    accessTokens: [TOKEN],
    seed: 42,
    ...options,
  });
  return simulator;
}

afterEach(async () => {
  await simulator?.close();
  await receiver?.close();
  simulator = undefined;
  receiver = undefined;
});

const helloWorld = (callbackData: string) =>
  JSON.stringify({
    messaging_product: 'whatsapp',
    to: '15550009000',
    type: 'template',
    biz_opaque_callback_data: callbackData,
    template: { name: 'hello_world', language: { code: 'en_US' } },
  });

describe('fault injection', () => {
  it('answers roughly the configured shares of 5xx and 429', async () => {
    const target = start({ faults: { rate5xx: 0.2, rate429: 0.1 } });
    const statuses: number[] = [];
    for (let index = 0; index < 1_000; index += 1) {
      const response = await target.app.inject({
        method: 'GET',
        url: `/v23.0/${DEFAULT_PHONE_NUMBER_ID}`,
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      statuses.push(response.statusCode);
      if (response.statusCode >= 500) expect([131000, 2]).toContain(response.json().error.code);
      if (response.statusCode === 429) expect(response.json().error.code).toBe(4);
    }
    const fiveHundreds = statuses.filter((status) => status >= 500).length;
    const tooMany = statuses.filter((status) => status === 429).length;
    expect(fiveHundreds).toBeGreaterThan(150);
    expect(fiveHundreds).toBeLessThan(250);
    expect(tooMany).toBeGreaterThan(65);
    expect(tooMany).toBeLessThan(135);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1_000 - fiveHundreds - tooMany);
    expect(target.state.counts.faults5xx).toBe(fiveHundreds);
    expect(target.state.counts.faults429).toBe(tooMany);
  });

  it('changes faults at run time through POST /_simulator/faults', async () => {
    const target = start();
    const set = await target.app.inject({
      method: 'POST',
      url: '/_simulator/faults',
      payload: { rate5xx: 1 },
    });
    expect(set.json().faults.rate5xx).toBe(1);
    const failing = await target.app.inject({
      method: 'GET',
      url: `/v23.0/${DEFAULT_PHONE_NUMBER_ID}`,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(failing.statusCode).toBeGreaterThanOrEqual(500);
    const invalid = await target.app.inject({
      method: 'POST',
      url: '/_simulator/faults',
      payload: { rate429: 2 },
    });
    expect(invalid.json().error.code).toBe(100);
    await target.app.inject({
      method: 'POST',
      url: '/_simulator/faults',
      payload: { faults: { rate5xx: 0 } },
    });
    const healthy = await target.app.inject({
      method: 'GET',
      url: `/v23.0/${DEFAULT_PHONE_NUMBER_ID}`,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(healthy.statusCode).toBe(200);
  });

  it('leaves a timed-out request hanging until the client gives up, and close() still ends at once', async () => {
    const target = start({ faults: { timeoutRate: 1 } });
    const url = await target.listen();
    const started = Date.now();
    await expect(
      fetch(`${url}/v23.0/${DEFAULT_PHONE_NUMBER_ID}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toThrow(/timeout|aborted/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(target.state.counts.faultsTimeout).toBe(1);
    // A second request hangs while we close.
    const hanging = fetch(`${url}/v23.0/${DEFAULT_PHONE_NUMBER_ID}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    }).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = Date.now();
    await target.close();
    expect(Date.now() - closing).toBeLessThan(1_000);
    expect(await hanging).toBeInstanceOf(Error);
  });

  it('destroys the socket on a reset', async () => {
    const target = start({ faults: { resetRate: 1 } });
    const url = await target.listen();
    const failure = await fetch(`${url}/v23.0/${DEFAULT_PHONE_NUMBER_ID}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    }).catch((error: Error & { cause?: { code?: string } }) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(
      String((failure as Error & { cause?: { code?: string } }).cause?.code ?? (failure as Error).message),
    ).toMatch(/ECONNRESET|UND_ERR_SOCKET|other side closed|terminated/i);
    expect(target.state.counts.faultsReset).toBe(1);
  });

  it('sometimes accepts a send whose answer then never comes: the statuses still tell', async () => {
    receiver = await startWebhookReceiver({ appSecret: 'fault-secret' });
    const target = start({
      webhookUrl: receiver.url,
      faults: { timeoutRate: 1, acceptedBeforeFaultRate: 1 },
    });
    const url = await target.listen();
    await expect(
      fetch(`${url}/v23.0/${DEFAULT_PHONE_NUMBER_ID}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: helloWorld('unknown-outcome-1'),
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    expect(target.state.acceptedByCallbackData.get('unknown-outcome-1')).toBe(1);
    const webhooks = receiver;
    await webhooks.waitFor(() => webhooks.statuses().length === 3);
    expect(
      webhooks.statuses().every((status) => status.biz_opaque_callback_data === 'unknown-outcome-1'),
    ).toBe(true);

    target.configure({ faults: { acceptedBeforeFaultRate: 0 } });
    await expect(
      fetch(`${url}/v23.0/${DEFAULT_PHONE_NUMBER_ID}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: helloWorld('unknown-outcome-2'),
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    expect(target.state.acceptedByCallbackData.has('unknown-outcome-2')).toBe(false);
  });

  it('answers a send over the limit with the throughput code, and other calls with the app call limit', async () => {
    const target = start({ faults: { rate429: 1 } });
    const send = await target.app.inject({
      method: 'POST',
      url: `/v23.0/${DEFAULT_PHONE_NUMBER_ID}/messages`,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: helloWorld('throttled'),
    });
    expect(send.statusCode).toBe(429);
    expect(send.json().error.code).toBe(130429);
    expect(target.state.acceptedByCallbackData.has('throttled')).toBe(false);
    const lookup = await target.app.inject({
      method: 'GET',
      url: `/v23.0/${DEFAULT_PHONE_NUMBER_ID}`,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(lookup.statusCode).toBe(429);
    expect(lookup.json().error.code).toBe(4);
  });
});
