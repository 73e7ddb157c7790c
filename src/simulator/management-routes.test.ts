import { afterEach, describe, expect, it } from 'vitest';
import {
  createSimulator,
  DEFAULT_PHONE_NUMBER_ID,
  DEFAULT_WABA_ID,
  type Simulator,
  type SimulatorOptions,
} from './index.ts';
import { startWebhookReceiver, type WebhookReceiver } from './start-webhook-receiver.ts';

const TOKEN = 'management-token';
const auth = { authorization: `Bearer ${TOKEN}` };
// biome-ignore lint/suspicious/noExplicitAny: Graph answers are read loosely in these tests.
type LooseJson = any;

let simulator: Simulator | undefined;
let receiver: WebhookReceiver | undefined;
let override: WebhookReceiver | undefined;

async function start(options: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  receiver = await startWebhookReceiver({ appSecret: 'management-secret' });
  simulator = createSimulator({
    appSecret: 'management-secret',
    webhookUrl: receiver.url,
    accessTokens: [TOKEN, { token: 'elsewhere-token', wabaIds: ['42'] }],
    seed: 13,
    ...options,
  });
  await simulator.listen();
  return simulator;
}

afterEach(async () => {
  await simulator?.close();
  await receiver?.close();
  await override?.close();
  simulator = undefined;
  receiver = undefined;
  override = undefined;
});

async function call(
  target: Simulator,
  method: string,
  path: string,
  body?: unknown,
  token = TOKEN,
): Promise<{ status: number; json: LooseJson }> {
  const response = await fetch(`${target.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json() };
}

describe('phone numbers', () => {
  it('lists the numbers of a WABA with quality, tier and throughput, and describes one', async () => {
    const target = await start();
    const list = await call(target, 'GET', `/v23.0/${DEFAULT_WABA_ID}/phone_numbers`);
    expect(list.status).toBe(200);
    expect(list.json.data).toEqual([
      expect.objectContaining({
        id: DEFAULT_PHONE_NUMBER_ID,
        display_phone_number: '+1 555-000-0001',
        verified_name: 'Coxcox Simulator',
        quality_rating: 'GREEN',
        messaging_limit_tier: 'TIER_UNLIMITED',
        throughput: { level: 'STANDARD' },
      }),
    ]);
    target.updatePhoneNumber(DEFAULT_PHONE_NUMBER_ID, { qualityRating: 'RED', throughputLevel: 'HIGH' });
    const one = await call(
      target,
      'GET',
      `/v22.0/${DEFAULT_PHONE_NUMBER_ID}?fields=quality_rating,throughput`,
    );
    expect(one.json).toEqual({
      quality_rating: 'RED',
      throughput: { level: 'HIGH' },
      id: DEFAULT_PHONE_NUMBER_ID,
    });
  });

  it('hides WABAs a token may not see', async () => {
    const target = await start();
    const hidden = await call(
      target,
      'GET',
      `/v23.0/${DEFAULT_WABA_ID}/phone_numbers`,
      undefined,
      'elsewhere-token',
    );
    expect(hidden.status).toBe(400);
    expect(hidden.json.error).toMatchObject({ code: 100, error_subcode: 33 });
  });
});

describe('message templates', () => {
  it('pages through the templates and filters by name', async () => {
    const target = await start();
    const first = await call(target, 'GET', `/v23.0/${DEFAULT_WABA_ID}/message_templates?limit=2`);
    expect(first.json.data).toHaveLength(2);
    expect(first.json.data[0]).toMatchObject({
      name: 'hello_world',
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
    });
    const names: string[] = first.json.data.map((template: { name: string }) => template.name);
    let next: string | undefined = first.json.paging.next;
    while (next) {
      const page = await (await fetch(next, { headers: auth })).json();
      names.push(...page.data.map((template: { name: string }) => template.name));
      next = page.paging.next;
    }
    expect(names).toHaveLength(5);
    const offers = await call(target, 'GET', `/v23.0/${DEFAULT_WABA_ID}/message_templates?name=coxcox_offer`);
    expect(offers.json.data.map((template: { language: string }) => template.language).sort()).toEqual([
      'en_US',
      'es',
      'pt_BR',
    ]);
  });

  it('creates a template, announces its approval by webhook, and sends it', async () => {
    const target = await start({ templateReviewMs: 60_000 });
    const created = await call(target, 'POST', `/v23.0/${DEFAULT_WABA_ID}/message_templates`, {
      name: 'order_ready',
      language: 'en_US',
      category: 'utility',
      components: [
        { type: 'BODY', text: 'Hi {{1}}, order {{2}} is ready.', example: { body_text: [['Ana', '42']] } },
      ],
    });
    expect(created.json).toEqual({
      id: expect.stringMatching(/^\d+$/),
      status: 'PENDING',
      category: 'UTILITY',
    });
    const send = () =>
      call(target, 'POST', `/v23.0/${DEFAULT_PHONE_NUMBER_ID}/messages`, {
        messaging_product: 'whatsapp',
        to: '15550004444',
        type: 'template',
        template: {
          name: 'order_ready',
          language: { code: 'en_US' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Ana' },
                { type: 'text', text: '42' },
              ],
            },
          ],
        },
      });
    expect((await send()).json.error.code).toBe(132001);
    // The review would take a minute: tick() ends it now.
    await target.tick();
    const webhooks = receiver as WebhookReceiver;
    expect(webhooks.received).toHaveLength(1);
    const change = webhooks.received[0]?.body.entry[0].changes[0];
    expect(change.field).toBe('message_template_status_update');
    expect(change.value).toMatchObject({
      event: 'APPROVED',
      message_template_id: Number(created.json.id),
      message_template_name: 'order_ready',
    });
    expect((await send()).status).toBe(200);
  });

  it('refuses a duplicate or badly named template, and deletes by name', async () => {
    const target = await start();
    const duplicate = await call(target, 'POST', `/v23.0/${DEFAULT_WABA_ID}/message_templates`, {
      name: 'hello_world',
      language: 'en_US',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'again' }],
    });
    expect(duplicate.json.error).toMatchObject({ code: 100, error_subcode: 2388024 });
    const badName = await call(target, 'POST', `/v23.0/${DEFAULT_WABA_ID}/message_templates`, {
      name: 'Hello World',
      language: 'en_US',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'x' }],
    });
    expect(badName.json.error.code).toBe(100);
    const deleted = await call(
      target,
      'DELETE',
      `/v23.0/${DEFAULT_WABA_ID}/message_templates?name=coxcox_offer`,
    );
    expect(deleted.json).toEqual({ success: true });
    const left = await call(target, 'GET', `/v23.0/${DEFAULT_WABA_ID}/message_templates?name=coxcox_offer`);
    expect(left.json.data).toEqual([]);
  });
});

describe('subscribed apps', () => {
  it('subscribes, lists, and verifies an override callback before sending webhooks there', async () => {
    const target = await start();
    const listed = await call(target, 'GET', `/v23.0/${DEFAULT_WABA_ID}/subscribed_apps`);
    expect(listed.json.data).toEqual([
      {
        whatsapp_business_api_data: expect.objectContaining({
          id: expect.any(String),
          name: expect.any(String),
        }),
      },
    ]);

    // A receiver that does not know the verify token answers the verification GET with 403: refused.
    const unverified = await call(target, 'POST', `/v23.0/${DEFAULT_WABA_ID}/subscribed_apps`, {
      override_callback_uri: receiver?.url,
      verify_token: 'vt',
    });
    expect(unverified.json.error.code).toBe(2200);

    override = await startWebhookReceiver({ appSecret: 'management-secret', verifyToken: 'vt' });
    const overrideUrl = override.url.replace('/webhooks/whatsapp', '/webhooks/whatsapp/tenant-app');
    const verified = await call(target, 'POST', `/v23.0/${DEFAULT_WABA_ID}/subscribed_apps`, {
      override_callback_uri: overrideUrl,
      verify_token: 'vt',
    });
    expect(verified.json).toEqual({ success: true });
    expect(
      (await call(target, 'GET', `/v23.0/${DEFAULT_WABA_ID}/subscribed_apps`)).json.data[0]
        .override_callback_uri,
    ).toBe(overrideUrl);

    target.customerSays({ from: '15550004445', text: 'to the override' });
    await target.idle();
    expect(override.received).toHaveLength(1);
    expect(override.received[0]?.isSignatureValid).toBe(true);
    expect(receiver?.received).toHaveLength(0);

    // Posting with no body removes the override.
    await call(target, 'POST', `/v23.0/${DEFAULT_WABA_ID}/subscribed_apps`);
    target.customerSays({ from: '15550004445', text: 'back to the app URL' });
    await target.idle();
    expect(receiver?.received).toHaveLength(1);
  });
});
