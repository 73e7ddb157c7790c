import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';
import { startSandboxCoxcox } from '../support/sandbox-coxcox.ts';
import { waitFor } from '../support/simulated-coxcox.ts';

const databases = await testDatabases();
const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const tenant = `tenantId=${SANDBOX_TENANT_ID}`;
/** Jordan Lee, the sandbox's not-interested persona. */
const JORDAN = '14155550003';

interface Phone {
  typingUntil: string | null;
  persona: { name: string; profile: string } | null;
  canPersonasReply: boolean;
  scripted: Array<{ messageId: string; persona: string }>;
  quickReplies: Array<{
    messageId: string;
    wamid: string;
    buttons: Array<{ text: string; payload: string }>;
  }>;
}

/**
 * Issue 11, items 7 and 8, through the API the Sandbox screen uses: the phone shows the business typing
 * only when Coxcox said so, labels what a scripted persona wrote, lets personas be switched off, and taps
 * a template's quick-reply button.
 */
describe.each(databases)('the sandbox phone on $name', (database) => {
  let coxcox: Awaited<ReturnType<typeof startSandboxCoxcox>>;

  beforeAll(async () => {
    coxcox = await startSandboxCoxcox(database);
  });
  afterAll(async () => coxcox?.dispose());

  const api = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
    const response = await coxcox.app.inject({
      method,
      url: `/api/v1${url}${url.includes('?') ? '&' : '?'}${tenant}`,
      headers: admin,
      ...(payload ? { payload } : {}),
    });
    return response;
  };
  const phone = async (from: string) => (await api('GET', `/sandbox/phone?from=${from}`)).json() as Phone;
  const conversationOf = async (from: string) =>
    (await api('GET', `/sandbox/conversation?from=${from}`)).json().conversationId as string | null;
  const threadOf = async (conversationId: string) =>
    (await api('GET', `/inbox/conversations/${conversationId}/thread`)).json() as {
      messages: Array<{ id: string; direction: string; type: string; text: string }>;
    };
  const turnsOf = async (conversationId: string) =>
    (await api('GET', `/conversations/${conversationId}/turns`)).json().data as Array<{
      reason: string | null;
    }>;

  it('shows no typing while a human owns the conversation', async () => {
    const from = '5511900000201';
    expect((await api('POST', '/sandbox/messages', { from, text: 'hi' })).statusCode).toBe(202);
    await waitFor('the conversation', async () => (await conversationOf(from)) !== null);
    const conversationId = (await conversationOf(from))!;
    await waitFor('the agent’s answer', async () =>
      (await threadOf(conversationId)).messages.some((line) => line.direction === 'out'),
    );
    const takeover = await api('POST', `/conversations/${conversationId}/takeover`, { userId: 'u-1' });
    expect(takeover.statusCode).toBe(200);

    expect((await api('POST', '/sandbox/messages', { from, text: 'hello? anyone?' })).statusCode).toBe(202);
    await waitFor('the skipped turn', async () =>
      (await turnsOf(conversationId)).some((turn) => turn.reason === 'human-owner'),
    );
    expect((await phone(from)).typingUntil).toBeNull();
  });

  it('labels what a scripted persona wrote by itself, and not what was typed for it', async () => {
    const typed = await api('POST', '/sandbox/messages', { from: JORDAN, text: 'Hi, what is this about?' });
    expect(typed.statusCode).toBe(202);
    // The agent answers; Jordan's script answers the agent with nobody typing.
    await waitFor('Jordan’s scripted answer', async () => (await phone(JORDAN)).scripted.length > 0);
    const conversationId = (await conversationOf(JORDAN))!;
    const thread = await threadOf(conversationId);
    const shown = await phone(JORDAN);
    expect(shown.persona).toEqual({ name: 'Jordan Lee', profile: 'not-interested' });
    const labelled = thread.messages.filter((line) =>
      shown.scripted.some((entry) => entry.messageId === line.id),
    );
    expect(labelled.map((line) => line.text)).toEqual([expect.stringMatching(/not|no thanks/i)]);
    expect(shown.scripted[0]!.persona).toBe('Jordan Lee');
    const first = thread.messages.find((line) => line.text === 'Hi, what is this about?')!;
    expect(shown.scripted.some((entry) => entry.messageId === first.id)).toBe(false);
  });

  it('switches the personas off and on from the Sandbox screen', async () => {
    expect((await api('GET', '/sandbox')).json().canPersonasReply).toBe(true);
    const off = await api('PUT', '/sandbox/settings', { canPersonasReply: false });
    expect(off.json()).toEqual({ canPersonasReply: false });
    expect((await api('GET', '/sandbox')).json().canPersonasReply).toBe(false);
    expect(coxcox.simulator.canPersonasReply()).toBe(false);
    const on = await api('PUT', '/sandbox/settings', { canPersonasReply: true });
    expect(on.json()).toEqual({ canPersonasReply: true });
  });

  it("offers a template's quick replies to tap, and a tap arrives in the inbox as the button's text", async () => {
    const from = '5511900000202';
    const queued = await api('POST', '/messages', {
      message: {
        to: `+${from}`,
        type: 'template',
        template: {
          name: 'coxcox_offer',
          languageCode: 'en_US',
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Rui' },
                { type: 'text', text: 'Solar panels, 20% off.' },
              ],
            },
          ],
        },
      },
    });
    expect(queued.statusCode).toBe(202);
    await waitFor('the template on the phone', async () => (await phone(from)).quickReplies.length === 1);
    const [offer] = (await phone(from)).quickReplies;
    expect(offer!.buttons.map((button) => button.text)).toEqual([
      'Yes, tell me more',
      'Not interested',
      'Stop promotions',
    ]);

    const tap = await api('POST', '/sandbox/messages', {
      from,
      button: offer!.buttons[0],
      replyTo: offer!.wamid,
    });
    expect(tap.statusCode).toBe(202);
    const conversationId = (await conversationOf(from))!;
    await waitFor('the tap in the inbox', async () =>
      (await threadOf(conversationId)).messages.some(
        (line) => line.direction === 'in' && line.type === 'button',
      ),
    );
    const thread = await threadOf(conversationId);
    expect(thread.messages.find((line) => line.type === 'button')!.text).toBe('Yes, tell me more');
  });

  it('refuses a message that is neither text nor a button', async () => {
    const response = await api('POST', '/sandbox/messages', { from: '5511900000203' });
    expect(response.statusCode).toBe(400);
  });
});
