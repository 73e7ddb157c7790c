import { describe, expect, it } from 'vitest';
import { FakeGraphClient } from './fake-graph-client.ts';
import { GraphError } from './graph-error.ts';
import { createGraphTarget } from './graph-target.ts';

const target = createGraphTarget({ phoneNumberId: '1065', accessToken: 'token' });
const text = { to: '+5511987654321', type: 'text', text: { body: 'Oi' } } as const;

async function failureOf(promise: Promise<unknown>): Promise<GraphError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GraphError);
  return error as GraphError;
}

describe('FakeGraphClient', () => {
  it('records every call and the exact body it would have posted', async () => {
    const fake = new FakeGraphClient();
    const sent = await fake.sendMessage(target, text, {
      bizOpaqueCallbackData: 'outbox:1',
      replyToWamid: 'wamid.A',
    });
    await fake.markRead(target, 'wamid.B', { typingIndicator: true });
    expect(fake.calls.map((call) => call.method)).toEqual(['sendMessage', 'markRead']);
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]).toMatchObject({
      wamid: sent.wamid,
      body: {
        messaging_product: 'whatsapp',
        to: '+5511987654321',
        context: { message_id: 'wamid.A' },
        biz_opaque_callback_data: 'outbox:1',
      },
    });
    expect(fake.readMarks[0]?.body).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.B',
      typing_indicator: { type: 'text' },
    });
  });

  it('fails the next call with a Meta code, with Meta’s HTTP status for it', async () => {
    const fake = new FakeGraphClient();
    fake.failNext(131000);
    const error = await failureOf(fake.sendMessage(target, text));
    expect(error).toMatchObject({
      code: 131000,
      httpStatus: 500,
      category: 'retry-later',
      outcome: 'unknown',
    });
    await expect(fake.sendMessage(target, text)).resolves.toMatchObject({ wamid: expect.any(String) });
    expect(fake.sent).toHaveLength(1);
  });

  it('uses the send attempt for the pair-rate backoff', async () => {
    const fake = new FakeGraphClient();
    fake.failNext(131056);
    const error = await failureOf(fake.sendMessage(target, text, { attempt: 2 }));
    expect(error.retryAfterMs).toBe(16_000);
  });

  it('fails only the chosen method, and throws a given GraphError as is', async () => {
    const fake = new FakeGraphClient();
    const scripted = GraphError.transport('timeout', 'unknown', 'scripted');
    fake.failNext(scripted, { method: 'sendMessage' });
    await expect(fake.markRead(target, 'wamid.A')).resolves.toBeUndefined();
    await expect(fake.sendMessage(target, text)).rejects.toBe(scripted);
  });

  it('keeps templates in memory and moves them through review', async () => {
    const fake = new FakeGraphClient();
    await fake.createTemplate(target, 'waba', {
      name: 'welcome',
      category: 'UTILITY',
      language: 'en_US',
      components: [{ type: 'BODY', text: 'Hi' }],
    });
    expect((await fake.listTemplates(target, 'waba'))[0]?.status).toBe('PENDING');
    fake.setTemplateStatus('waba', 'welcome', 'en_US', 'APPROVED');
    expect(await fake.listTemplates(target, 'waba', { status: 'APPROVED' })).toHaveLength(1);
  });

  it('registers numbers', async () => {
    const fake = new FakeGraphClient();
    await fake.registerNumber(target, '1065', '654321');
    expect(fake.isRegistered('1065')).toBe(true);
  });
});
