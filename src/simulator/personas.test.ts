import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, DEFAULT_PHONE_NUMBER_ID, type Persona, type Simulator } from './index.ts';
import { startWebhookReceiver, type WebhookReceiver } from './start-webhook-receiver.ts';

const APP_SECRET = 'persona-secret';
const TOKEN = 'persona-token';

// biome-ignore lint/suspicious/noExplicitAny: Graph answers are read loosely in these tests.
type LooseJson = any;

let simulator: Simulator | undefined;
let receiver: WebhookReceiver | undefined;

async function start(personas: Persona[]): Promise<{ simulator: Simulator; receiver: WebhookReceiver }> {
  receiver = await startWebhookReceiver({ appSecret: APP_SECRET });
  simulator = createSimulator({
    appSecret: APP_SECRET,
    webhookUrl: receiver.url,
    accessTokens: [TOKEN],
    seed: 5,
    personas,
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

const persona = (waId: string, profile: Persona['profile'], extra: Partial<Persona> = {}): Persona => ({
  waId,
  name: `Persona ${waId.slice(-2)}`,
  profile,
  language: 'en',
  replyDelayMs: 10,
  ...extra,
});

async function post(
  target: Simulator,
  body: Record<string, unknown>,
): Promise<{ status: number; json: LooseJson }> {
  const response = await fetch(`${target.url}/v23.0/${DEFAULT_PHONE_NUMBER_ID}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messaging_product: 'whatsapp', ...body }),
  });
  return { status: response.status, json: await response.json() };
}

const offer = (to: string, language = 'en_US', payloads: string[] = []) => ({
  to,
  type: 'template',
  template: {
    name: 'coxcox_offer',
    language: { code: language },
    components: [
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'Ana' },
          { type: 'text', text: 'Big sale.' },
        ],
      },
      ...payloads.map((payload, index) => ({
        type: 'button',
        sub_type: 'quick_reply',
        index: String(index),
        parameters: [{ type: 'payload', payload }],
      })),
    ],
  },
});

const buttons = (to: string) => ({
  to,
  type: 'interactive',
  interactive: {
    type: 'button',
    body: { text: 'Shall we book a call?' },
    action: {
      buttons: [
        { type: 'reply', reply: { id: 'book-yes', title: 'Yes, book it' } },
        { type: 'reply', reply: { id: 'book-no', title: 'No thanks' } },
      ],
    },
  },
});

describe('personas', () => {
  it('an interested customer taps the quick reply of a campaign template, then keeps talking', async () => {
    const { simulator, receiver } = await start([persona('15550007001', 'interested')]);
    const sent = await post(
      simulator,
      offer('15550007001', 'en_US', ['offer-yes', 'offer-no', 'offer-stop']),
    );
    expect(sent.status).toBe(200);
    await receiver.waitFor(() => receiver.messages().length === 1);
    const [tap] = receiver.messages();
    expect(tap).toMatchObject({
      from: '15550007001',
      type: 'button',
      button: { payload: 'offer-yes', text: 'Yes, tell me more' },
      context: { from: '15550000001', id: sent.json.messages[0].id },
    });
    // The reply opened the window: a free-form answer is accepted now, and the customer answers it.
    const answer = await post(simulator, {
      to: '15550007001',
      type: 'text',
      text: { body: 'Great! It is $20.' },
    });
    expect(answer.status).toBe(200);
    await receiver.waitFor(() => receiver.messages().length === 2);
    expect(receiver.messages()[1]).toMatchObject({ type: 'text', text: { body: expect.any(String) } });
  });

  it('taps reply buttons and list rows: the first for an interested customer, "no" for the others', async () => {
    const { simulator, receiver } = await start([
      persona('15550007002', 'interested'),
      persona('15550007003', 'not-interested'),
    ]);
    simulator.customerSays({ from: '15550007002', text: 'hi' });
    simulator.customerSays({ from: '15550007003', text: 'hi' });
    await post(simulator, buttons('15550007002'));
    await post(simulator, buttons('15550007003'));
    await receiver.waitFor(() => receiver.messages().length === 4);
    const replies = receiver.messages().filter((message) => message.type === 'interactive');
    expect(replies.find((message) => message.from === '15550007002').interactive).toEqual({
      type: 'button_reply',
      button_reply: { id: 'book-yes', title: 'Yes, book it' },
    });
    expect(replies.find((message) => message.from === '15550007003').interactive).toEqual({
      type: 'button_reply',
      button_reply: { id: 'book-no', title: 'No thanks' },
    });
  });

  it('answers a list with a list_reply', async () => {
    const { simulator, receiver } = await start([persona('15550007004', 'interested')]);
    simulator.customerSays({ from: '15550007004', text: 'menu?' });
    await post(simulator, {
      to: '15550007004',
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Pick a plan' },
        action: {
          button: 'Plans',
          sections: [
            {
              title: 'Plans',
              rows: [
                { id: 'basic', title: 'Basic' },
                { id: 'pro', title: 'Pro' },
              ],
            },
          ],
        },
      },
    });
    await receiver.waitFor(() => receiver.messages().length === 2);
    expect(receiver.messages()[1].interactive).toEqual({
      type: 'list_reply',
      list_reply: { id: 'basic', title: 'Basic' },
    });
  });

  it('a scripted customer says its lines in order, then stops; opt-out and silent ones behave', async () => {
    const { simulator, receiver } = await start([
      persona('15550007005', 'scripted', { script: ['Who is this?', 'Ok, send the price'] }),
      persona('15550007006', 'opt-out', { language: 'es' }),
      persona('15550007007', 'silent'),
    ]);
    for (const to of ['15550007005', '15550007006', '15550007007']) await post(simulator, offer(to, 'en_US'));
    await receiver.waitFor(() => receiver.messages().length === 2);
    await post(simulator, { to: '15550007005', type: 'text', text: { body: 'Coxcox Store!' } });
    await receiver.waitFor(() => receiver.messages().length === 3);
    await post(simulator, { to: '15550007005', type: 'text', text: { body: 'It is $20.' } });
    await simulator.idle();
    const from = (waId: string) => receiver?.messages().filter((message) => message.from === waId) ?? [];
    expect(from('15550007005').map((message) => message.text.body)).toEqual([
      'Who is this?',
      'Ok, send the price',
    ]);
    expect(from('15550007006')).toHaveLength(1);
    expect(from('15550007006')[0]).toMatchObject({ type: 'button', button: { text: 'Stop promotions' } });
    expect(from('15550007007')).toHaveLength(0);
    // Silent customers never read.
    const silentRecord = simulator.state.sent.find((record) => record.recipient === '15550007007');
    expect(silentRecord?.statuses).toEqual(['sent', 'delivered']);
  });

  it('caps the replies so that a persona and an agent cannot talk forever', async () => {
    const { simulator, receiver } = await start([persona('15550007008', 'interested', { maxReplies: 2 })]);
    simulator.customerSays({ from: '15550007008', text: 'hi' });
    for (let turn = 0; turn < 4; turn += 1) {
      await post(simulator, { to: '15550007008', type: 'text', text: { body: `turn ${turn}` } });
      await simulator.idle();
    }
    expect(receiver.messages().filter((message) => message.from === '15550007008')).toHaveLength(3);
  });

  it('replies in the persona’s language', async () => {
    const { simulator, receiver } = await start([
      persona('5215550007009', 'not-interested', { language: 'es' }),
    ]);
    simulator.customerSays({ from: '5215550007009', text: 'hola' });
    await post(simulator, { to: '5215550007009', type: 'text', text: { body: '¿Te interesa?' } });
    await receiver.waitFor(() => receiver.messages().length === 2);
    expect(receiver.messages()[1].text.body).toMatch(/No, gracias|Ahora no/);
  });
});

describe('control routes', () => {
  it('makes a customer write on demand and shows state and the sent log', async () => {
    const { simulator, receiver } = await start([]);
    const said = await fetch(`${simulator.url}/_simulator/customers/15550008001/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Do you ship to Lima?', name: 'Lucía' }),
    });
    const { messages } = await said.json();
    expect(messages[0].id).toMatch(/^wamid\./);
    await receiver.waitFor(() => receiver.messages().length === 1);
    expect(receiver.messages()[0]).toMatchObject({
      id: messages[0].id,
      from: '15550008001',
      text: { body: 'Do you ship to Lima?' },
    });
    const reply = await post(simulator, {
      to: '15550008001',
      type: 'text',
      text: { body: 'Yes we do.' },
      biz_opaque_callback_data: 'outbox-77',
      context: { message_id: messages[0].id },
    });
    expect(reply.status).toBe(200);

    const state = await (await fetch(`${simulator.url}/_simulator/state`)).json();
    expect(state.counts).toMatchObject({ accepted: 1, inboundMessages: 1, rejected: 0 });
    const sent = await (
      await fetch(`${simulator.url}/_simulator/sent?biz_opaque_callback_data=outbox-77`)
    ).json();
    expect(sent.data).toHaveLength(1);
    expect(sent.data[0]).toMatchObject({
      id: reply.json.messages[0].id,
      recipient: '15550008001',
      bizOpaqueCallbackData: 'outbox-77',
      timestamp: expect.any(Number),
      type: 'text',
    });

    const reset = await fetch(`${simulator.url}/_simulator/reset`, { method: 'POST' });
    expect(await reset.json()).toEqual({ success: true });
    expect(simulator.state.counts.accepted).toBe(0);
    // The reset closed the window again.
    expect(
      (await post(simulator, { to: '15550008001', type: 'text', text: { body: 'hello?' } })).json.error.code,
    ).toBe(131047);
  });

  it('a customer stopping marketing sends user_preferences, then marketing templates fail with 131050', async () => {
    const { simulator, receiver } = await start([]);
    const stopped = await fetch(`${simulator.url}/_simulator/customers/15550008002/stop-marketing`, {
      method: 'POST',
    });
    expect(await stopped.json()).toEqual({ success: true });
    await receiver.waitFor(() => receiver.received.length === 1);
    const change = receiver.received[0]?.body.entry[0].changes[0];
    expect(change.field).toBe('user_preferences');
    expect(change.value.user_preferences[0]).toMatchObject({
      wa_id: '15550008002',
      category: 'marketing_messages',
      value: 'stop',
    });
    await post(simulator, offer('15550008002'));
    await receiver.waitFor(() => receiver.statuses().length === 1);
    expect(receiver.statuses()[0]).toMatchObject({ status: 'failed', errors: [{ code: 131050 }] });
    // Utility templates still go.
    await post(simulator, {
      to: '15550008002',
      type: 'template',
      template: {
        name: 'coxcox_follow_up',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }],
      },
    });
    await receiver.waitFor(() => receiver.statuses().some((status) => status.status === 'read'));
  });
});
