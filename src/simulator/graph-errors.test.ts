import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator, type SimulatorOptions, type TemplateDefinition } from './index.ts';

const TOKEN = 'errors-token';
const NUMBER_ID = '200000000000002';
const WABA_ID = '200000000000001';
const OTHER_NUMBER_ID = '300000000000002';
const OTHER_WABA_ID = '300000000000001';
const CUSTOMER = '5491155550000';

const templates: TemplateDefinition[] = [
  {
    name: 'offer',
    language: 'en_US',
    category: 'MARKETING',
    components: [
      { type: 'HEADER', format: 'IMAGE' },
      { type: 'BODY', text: 'Hi {{1}}, {{2}}' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Yes' },
          { type: 'URL', text: 'Open', url: 'https://example.com/{{1}}' },
        ],
      },
    ],
  },
  {
    name: 'pending_one',
    language: 'en_US',
    category: 'UTILITY',
    status: 'PENDING',
    components: [{ type: 'BODY', text: 'Hi' }],
  },
  {
    name: 'paused_one',
    language: 'en_US',
    category: 'MARKETING',
    status: 'PAUSED',
    components: [{ type: 'BODY', text: 'Hi' }],
  },
  {
    name: 'disabled_one',
    language: 'en_US',
    category: 'MARKETING',
    status: 'DISABLED',
    components: [{ type: 'BODY', text: 'Hi' }],
  },
  {
    name: 'named_one',
    language: 'es',
    category: 'UTILITY',
    parameterFormat: 'named',
    components: [{ type: 'BODY', text: 'Hola {{first_name}}' }],
  },
];

let simulator: Simulator | undefined;
let nowMs = Date.UTC(2025, 5, 1, 12, 0, 0);

function start(overrides: Partial<SimulatorOptions> = {}): Simulator {
  nowMs = Date.UTC(2025, 5, 1, 12, 0, 0);
  simulator = createSimulator({
    appSecret: 'secret',
    webhookUrl: null,
    seed: 3,
    clock: { now: () => nowMs },
    accessTokens: [TOKEN, { token: 'other-waba-token', wabaIds: [OTHER_WABA_ID] }],
    wabas: [
      {
        id: WABA_ID,
        phoneNumbers: [{ id: NUMBER_ID, displayPhoneNumber: '+1 555-010-0002', messagesPerSecond: 5 }],
        templates,
      },
      {
        id: OTHER_WABA_ID,
        phoneNumbers: [{ id: OTHER_NUMBER_ID, displayPhoneNumber: '+1 555-010-0003', isRegistered: false }],
      },
    ],
    ...overrides,
  });
  return simulator;
}

afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

function send(body: unknown, options: { token?: string | null; numberId?: string; version?: string } = {}) {
  const token = options.token === undefined ? TOKEN : options.token;
  return (simulator as Simulator).app.inject({
    method: 'POST',
    url: `/${options.version ?? 'v23.0'}/${options.numberId ?? NUMBER_ID}/messages`,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    payload: body as Record<string, unknown>,
  });
}

const text = (to = CUSTOMER, body = 'hello') => ({
  messaging_product: 'whatsapp',
  to,
  type: 'text',
  text: { body },
});
const offer = (bodyParameters: number, extra: unknown[] = []) => ({
  messaging_product: 'whatsapp',
  to: CUSTOMER,
  type: 'template',
  template: {
    name: 'offer',
    language: { code: 'en_US' },
    components: [
      {
        type: 'body',
        parameters: Array.from({ length: bodyParameters }, (_, index) => ({
          type: 'text',
          text: `p${index}`,
        })),
      },
      ...extra,
    ],
  },
});

async function expectGraphError(
  responsePromise: ReturnType<typeof send>,
  code: number,
  httpStatus = 400,
): Promise<Record<string, unknown>> {
  const response = await responsePromise;
  expect(response.statusCode, response.body).toBe(httpStatus);
  const { error } = response.json();
  expect(error.code).toBe(code);
  expect(error.type).toMatch(/Exception$/);
  expect(error.fbtrace_id).toMatch(/^A[A-Za-z0-9_-]{22}$/);
  expect(error.message).toEqual(expect.any(String));
  return error;
}

describe('authentication (190, HTTP 401)', () => {
  it('refuses a missing, an unknown and a revoked token', async () => {
    start();
    const missing = await send(text(), { token: null });
    expect(missing.headers['www-authenticate']).toContain('invalid_token');
    await expectGraphError(Promise.resolve(missing), 190, 401);
    await expectGraphError(send(text(), { token: 'nope' }), 190, 401);
    simulator?.revokeAccessToken(TOKEN);
    const revoked = await expectGraphError(send(text()), 190, 401);
    expect(revoked.error_subcode).toBe(467);
    expect(simulator?.state.rejectionsByCode.get(190)).toBe(3);
    expect(simulator?.state.counts.accepted).toBe(0);
  });

  it('takes the token as the access_token query parameter too', async () => {
    start();
    simulator?.customerSays({ from: CUSTOMER, to: NUMBER_ID, text: 'hi' });
    const response = await simulator?.app.inject({
      method: 'POST',
      url: `/v23.0/${NUMBER_ID}/messages?access_token=${TOKEN}`,
      payload: text(),
    });
    expect(response?.statusCode).toBe(200);
  });

  it('hides numbers of WABAs the token may not see, like ids that do not exist (100/33)', async () => {
    start();
    const foreign = await expectGraphError(send(text(), { token: 'other-waba-token' }), 100);
    expect(foreign.error_subcode).toBe(33);
    const unknown = await expectGraphError(send(text(), { numberId: '999999999' }), 100);
    expect(unknown.error_subcode).toBe(33);
  });
});

describe('malformed sends (100, 131008, 131009)', () => {
  it.each([
    ['no messaging_product', { to: CUSTOMER, type: 'text', text: { body: 'x' } }, 100],
    ['another product', { messaging_product: 'sms', to: CUSTOMER, type: 'text', text: { body: 'x' } }, 100],
    ['no recipient', { messaging_product: 'whatsapp', type: 'text', text: { body: 'x' } }, 100],
    ['an unknown type', { messaging_product: 'whatsapp', to: CUSTOMER, type: 'poll', poll: {} }, 100],
    ['a JSON array', [1, 2], 100],
    ['a text without body', { messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: {} }, 131008],
    ['a type without its object', { messaging_product: 'whatsapp', to: CUSTOMER, type: 'image' }, 131008],
    [
      'an image without id or link',
      { messaging_product: 'whatsapp', to: CUSTOMER, type: 'image', image: {} },
      131008,
    ],
    [
      'a template without name',
      {
        messaging_product: 'whatsapp',
        to: CUSTOMER,
        type: 'template',
        template: { language: { code: 'en_US' } },
      },
      131008,
    ],
    [
      'buttons without action',
      {
        messaging_product: 'whatsapp',
        to: CUSTOMER,
        type: 'interactive',
        interactive: { type: 'button', body: { text: 'b' } },
      },
      131008,
    ],
    ['a recipient that is no phone number', text('call-me-maybe'), 131009],
    ['a text over 4,096 characters', text(CUSTOMER, 'x'.repeat(4097)), 131009],
    [
      'an image with id and link',
      { messaging_product: 'whatsapp', to: CUSTOMER, type: 'image', image: { id: '1', link: 'https://x' } },
      131009,
    ],
    [
      'four reply buttons',
      {
        messaging_product: 'whatsapp',
        to: CUSTOMER,
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'pick' },
          action: {
            buttons: [1, 2, 3, 4].map((n) => ({ type: 'reply', reply: { id: `b${n}`, title: `B${n}` } })),
          },
        },
      },
      131009,
    ],
    [
      'a button title over 20 characters',
      {
        messaging_product: 'whatsapp',
        to: CUSTOMER,
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'pick' },
          action: { buttons: [{ type: 'reply', reply: { id: 'a', title: 'This title is far too long' } }] },
        },
      },
      131009,
    ],
    ['callback data over 512 characters', { ...text(), biz_opaque_callback_data: 'x'.repeat(513) }, 131009],
    [
      'mark-as-read of something that is no wamid',
      { messaging_product: 'whatsapp', status: 'read', message_id: '12' },
      131009,
    ],
  ])('answers %s with its code', async (_name, body, code) => {
    start();
    simulator?.customerSays({ from: CUSTOMER, to: NUMBER_ID, text: 'hi' });
    await expectGraphError(send(body), code);
    expect(simulator?.state.rejectionsByCode.get(code)).toBe(1);
    expect(simulator?.state.counts.accepted).toBe(0);
  });

  it('answers invalid JSON with 100', async () => {
    start();
    const response = await simulator?.app.inject({
      method: 'POST',
      url: `/v23.0/${NUMBER_ID}/messages`,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: '{"messaging_product": "whatsapp",',
    });
    expect(response?.statusCode).toBe(400);
    expect(response?.json().error.code).toBe(100);
  });

  it('refuses an unknown version in the path (2500) and sending to the business itself (131021)', async () => {
    start();
    await expectGraphError(send(text(), { version: 'latest' }), 2500);
    await expectGraphError(send(text('15550100002')), 131021);
  });
});

describe('templates (132001, 132000, 132012, 132015, 132016)', () => {
  it('accepts an approved template with the right parameters', async () => {
    start();
    const response = await send(offer(2));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().messages[0].message_status).toBe('accepted');
  });

  it('refuses a name or language that does not exist, and a template not yet approved (132001, HTTP 404)', async () => {
    start();
    await expectGraphError(
      send({ ...offer(2), template: { name: 'nope', language: { code: 'en_US' } } }),
      132001,
      404,
    );
    await expectGraphError(
      send({ ...offer(2), template: { ...offer(2).template, language: { code: 'pt_BR' } } }),
      132001,
      404,
    );
    await expectGraphError(
      send({ ...offer(0), template: { name: 'pending_one', language: { code: 'en_US' } } }),
      132001,
      404,
    );
  });

  it('refuses paused and disabled templates', async () => {
    start();
    await expectGraphError(
      send({ ...offer(0), template: { name: 'paused_one', language: { code: 'en_US' } } }),
      132015,
    );
    await expectGraphError(
      send({ ...offer(0), template: { name: 'disabled_one', language: { code: 'en_US' } } }),
      132016,
    );
  });

  it('refuses the wrong number of body, header or button parameters (132000)', async () => {
    start();
    await expectGraphError(send(offer(1)), 132000);
    await expectGraphError(send(offer(3)), 132000);
    await expectGraphError(send(offer(0)), 132000);
    const twoImages = {
      type: 'header',
      parameters: [
        { type: 'image', image: { link: 'https://x/1.jpg' } },
        { type: 'image', image: { link: 'https://x/2.jpg' } },
      ],
    };
    await expectGraphError(send(offer(2, [twoImages])), 132000);
    await expectGraphError(
      send(offer(2, [{ type: 'button', sub_type: 'url', index: 1, parameters: [] }])),
      132000,
    );
  });

  it('refuses a header parameter of another format (132012) and a button that does not exist (131009)', async () => {
    start();
    await expectGraphError(
      send(offer(2, [{ type: 'header', parameters: [{ type: 'text', text: 'no image' }] }])),
      132012,
    );
    await expectGraphError(
      send(
        offer(2, [
          {
            type: 'button',
            sub_type: 'quick_reply',
            index: 5,
            parameters: [{ type: 'payload', payload: 'x' }],
          },
        ]),
      ),
      131009,
    );
  });

  it('checks parameter names of a named template', async () => {
    start();
    const named = (parameter: Record<string, unknown>) => ({
      messaging_product: 'whatsapp',
      to: CUSTOMER,
      type: 'template',
      template: {
        name: 'named_one',
        language: { code: 'es' },
        components: [{ type: 'body', parameters: [parameter] }],
      },
    });
    expect((await send(named({ type: 'text', text: 'Ana', parameter_name: 'first_name' }))).statusCode).toBe(
      200,
    );
    await expectGraphError(send(named({ type: 'text', text: 'Ana', parameter_name: 'last_name' })), 132000);
    await expectGraphError(send(named({ type: 'text', text: 'Ana' })), 131008);
  });
});

describe('the 24-hour window (131047)', () => {
  it('refuses free-form messages until the customer writes, and again 24 hours after', async () => {
    start();
    await expectGraphError(send(text()), 131047);
    simulator?.customerSays({ from: CUSTOMER, to: NUMBER_ID, text: 'Hi there' });
    expect((await send(text())).statusCode).toBe(200);
    nowMs += 23 * 60 * 60 * 1000;
    expect((await send(text())).statusCode).toBe(200);
    nowMs += 60 * 60 * 1000;
    await expectGraphError(send(text()), 131047);
    // A template is fine outside the window.
    expect((await send(offer(2))).statusCode).toBe(200);
  });

  it('can report the window as a failed status instead, as Meta often does', async () => {
    start({ windowErrorDelivery: 'status' });
    const response = await send({ ...text(), biz_opaque_callback_data: 'late-1' });
    expect(response.statusCode).toBe(200);
    await simulator?.idle();
    expect(simulator?.state.sent[0]?.statuses).toEqual(['failed']);
  });
});

describe('rate limits (130429, 131056: HTTP 400, classified by code)', () => {
  it('holds the number to its messages per second (130429)', async () => {
    start();
    for (let index = 0; index < 5; index += 1) {
      const response = await send({ ...offer(2), to: `54911555500${10 + index}` });
      expect(response.statusCode, response.body).toBe(200);
    }
    const over = await expectGraphError(send({ ...offer(2), to: '5491155550099' }), 130429);
    expect(over.is_transient).toBe(true);
    expect(simulator?.state.maxAcceptedPerSecond(NUMBER_ID)).toBe(5);
    nowMs += 1000;
    expect((await send({ ...offer(2), to: '5491155550099' })).statusCode).toBe(200);
    expect([...(simulator?.state.acceptedPerSecond.get(NUMBER_ID)?.values() ?? [])]).toEqual([5, 1]);
  });

  it('holds each customer to the pair rate, refilled over time (131056)', async () => {
    start({ pairRateLimit: { burst: 3, intervalMs: 6_000 } });
    for (let index = 0; index < 3; index += 1) {
      nowMs += 250; // stay under the number's 5 per second
      expect((await send(offer(2))).statusCode).toBe(200);
    }
    await expectGraphError(send(offer(2)), 131056);
    // Another customer is not affected.
    expect((await send({ ...offer(2), to: '5491155550001' })).statusCode).toBe(200);
    nowMs += 6_000;
    expect((await send(offer(2))).statusCode).toBe(200);
    await expectGraphError(send(offer(2)), 131056);
    expect(simulator?.state.rejectionsByCode.get(131056)).toBe(2);
  });
});

describe('registration (133010)', () => {
  it('refuses sends from an unregistered number until it registers with a six-digit PIN', async () => {
    start();
    await expectGraphError(send(offer(2), { numberId: OTHER_NUMBER_ID }), 133010);
    const register = (pin: string) =>
      simulator?.app.inject({
        method: 'POST',
        url: `/v23.0/${OTHER_NUMBER_ID}/register`,
        headers: { authorization: `Bearer ${TOKEN}` },
        payload: { messaging_product: 'whatsapp', pin },
      });
    expect((await register('12'))?.json().error.code).toBe(100);
    expect((await register('123456'))?.json()).toEqual({ success: true });
    simulator?.addTemplate(OTHER_WABA_ID, { name: 'hello', language: 'en_US', category: 'UTILITY' });
    const response = await send(
      {
        messaging_product: 'whatsapp',
        to: CUSTOMER,
        type: 'template',
        template: { name: 'hello', language: { code: 'en_US' } },
      },
      { numberId: OTHER_NUMBER_ID },
    );
    expect(response.statusCode, response.body).toBe(200);
  });
});
