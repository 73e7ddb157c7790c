import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, DEFAULT_PHONE_NUMBER_ID, type Persona, type Simulator } from './index.ts';
import { startWebhookReceiver, type WebhookReceiver } from './start-webhook-receiver.ts';

const APP_SECRET = 'phone-secret';
const TOKEN = 'phone-token';

let simulator: Simulator | undefined;
let receiver: WebhookReceiver | undefined;
let now = Date.parse('2026-03-02T12:00:00Z');

async function start(options: { personas?: Persona[]; canPersonasReply?: boolean } = {}) {
  receiver = await startWebhookReceiver({ appSecret: APP_SECRET });
  simulator = createSimulator({
    appSecret: APP_SECRET,
    webhookUrl: receiver.url,
    accessTokens: [TOKEN],
    seed: 7,
    clock: { now: () => now },
    ...options,
  });
  await simulator.listen();
  return { simulator, receiver };
}

afterEach(async () => {
  await simulator?.close();
  await receiver?.close();
  simulator = undefined;
  receiver = undefined;
});

async function post(target: Simulator, body: Record<string, unknown>) {
  const response = await fetch(`${target.url}/v23.0/${DEFAULT_PHONE_NUMBER_ID}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messaging_product: 'whatsapp', ...body }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: Graph answers are read loosely in these tests.
  return { status: response.status, json: (await response.json()) as any };
}

const offer = (to: string) => ({
  to,
  type: 'template',
  template: {
    name: 'coxcox_offer',
    language: { code: 'en_US' },
    components: [
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'Ana' },
          { type: 'text', text: 'Big sale.' },
        ],
      },
      {
        type: 'button',
        sub_type: 'quick_reply',
        index: '0',
        parameters: [{ type: 'payload', payload: 'yes-1' }],
      },
    ],
  },
});

const jordan: Persona = {
  waId: '14155550003',
  name: 'Jordan Lee',
  profile: 'not-interested',
  language: 'en',
  replyDelayMs: 10,
};

describe('the sandbox phone in the simulator', () => {
  it('shows the typing bubble only after a mark-read with typing_indicator, until the next message or 25 s', async () => {
    const { simulator } = await start();
    const customer = { from: '5511900000099' };
    const first = simulator.customerSays({ ...customer, text: 'hello' });
    expect(simulator.typingUntil(customer)).toBeNull();

    // A read receipt alone is not typing.
    expect((await post(simulator, { status: 'read', message_id: first.id })).status).toBe(200);
    expect(simulator.typingUntil(customer)).toBeNull();

    const read = { status: 'read', message_id: first.id, typing_indicator: { type: 'text' } };
    expect((await post(simulator, read)).status).toBe(200);
    expect(simulator.typingUntil(customer)).toBe(now + 25_000);
    // Another customer's phone shows nothing.
    expect(simulator.typingUntil({ from: '5511900000098' })).toBeNull();

    // The business's next message ends it.
    await post(simulator, { to: customer.from, type: 'text', text: { body: 'Hi!' } });
    expect(simulator.typingUntil(customer)).toBeNull();

    // Without a message, it goes after 25 s.
    await post(simulator, read);
    now += 24_999;
    expect(simulator.typingUntil(customer)).not.toBeNull();
    now += 1;
    expect(simulator.typingUntil(customer)).toBeNull();
  });

  it('tells which messages a persona wrote by itself, and keeps webhooks as Meta sends them', async () => {
    const { simulator, receiver } = await start({ personas: [jordan] });
    const asked = simulator.customerSays({ from: jordan.waId, text: 'I am typing this myself' });
    await post(simulator, { to: jordan.waId, type: 'text', text: { body: 'Interested in our offer?' } });
    await receiver.waitFor(() => receiver.messages().length === 2);
    const [typed, scripted] = receiver.messages();
    expect(simulator.scriptedBy(asked.id)).toBeNull();
    expect(simulator.scriptedBy(scripted.id)).toBe('Jordan Lee');
    // Meta's shape: nothing in the webhook says who wrote it.
    expect(Object.keys(scripted).sort()).toEqual(Object.keys(typed).concat('context').sort());
  });

  it('lets personas be turned off: then nothing is sent with nobody typing it', async () => {
    const { simulator, receiver } = await start({ personas: [jordan], canPersonasReply: false });
    expect(simulator.canPersonasReply()).toBe(false);
    simulator.pause();
    await post(simulator, offer(jordan.waId));
    await simulator.tick(); // runs whatever is held: statuses, and an answer if one was scheduled
    expect(simulator.state.counts.inboundMessages).toBe(0);
    simulator.resume();

    simulator.configure({ canPersonasReply: true });
    await post(simulator, offer(jordan.waId));
    await receiver.waitFor(() => receiver.messages().length === 1);
    expect(simulator.canPersonasReply()).toBe(true);
  });

  it('keeps the quick replies of a template, and sends a tap as the button message Meta sends', async () => {
    const { simulator, receiver } = await start();
    const sent = await post(simulator, offer('5511900000099'));
    const wamid = sent.json.messages[0].id as string;
    expect(simulator.quickReplies(wamid)).toEqual([
      { text: 'Yes, tell me more', payload: 'yes-1' },
      { text: 'Not interested', payload: 'Not interested' },
      { text: 'Stop promotions', payload: 'Stop promotions' },
    ]);
    simulator.customerSays({
      from: '5511900000099',
      button: { payload: 'yes-1', text: 'Yes, tell me more' },
      replyTo: wamid,
    });
    await receiver.waitFor(() => receiver.messages().length === 1);
    expect(receiver.messages()[0]).toMatchObject({
      from: '5511900000099',
      type: 'button',
      button: { payload: 'yes-1', text: 'Yes, tell me more' },
      context: { id: wamid },
    });
  });
});
