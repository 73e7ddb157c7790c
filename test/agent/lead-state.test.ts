import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { testDatabases } from '../support/databases.ts';
import { startAgentCoxcox } from './agent-harness.ts';
import { call, RecordingModel } from './recording-model.ts';

const databases = await testDatabases();

type Decide = RecordingModel['decide'];
/** One step of tool calls and replies, then nothing: the model loop ends. */
const once =
  (step: ReturnType<Decide>): Decide =>
  (_input, previous) =>
    previous.length === 0 ? step : { replies: [], toolCalls: [] };

const inTwoDays = () => new Date(Date.now() + 2 * 24 * 60 * 60_000).toISOString().replace('Z', '+00:00');

/**
 * Issue 11, item 7: the lead never says two things at once. A lost sale or a STOP cancels the calls booked;
 * a call asked for makes the lead live again; and the typing bubble is sent only while the agent answers.
 */
describe.each(databases)('lead state on $name', (database) => {
  let harness: Awaited<ReturnType<typeof startAgentCoxcox>>;
  const model = new RecordingModel(once({ replies: [], toolCalls: [] }));

  beforeAll(async () => {
    harness = await startAgentCoxcox(database, model);
    const saved = await harness.api('PUT', `/api/v1/agent/profile?tenantId=${SANDBOX_TENANT_ID}`, {
      profile: { companyName: 'Solar Co', persona: 'Ana', fields: [], languages: ['en', 'pt'] },
    });
    expect(saved.statusCode).toBe(200);
  });
  afterAll(async () => harness?.coxcox.dispose());
  beforeEach(() => {
    model.decide = once({ replies: [], toolCalls: [] });
  });

  const shown = async (waId: string) => {
    const conversation = await harness.conversationOf(waId);
    return (await harness.api('GET', `/api/v1/conversations/${conversation.id}`)).json() as {
      outcome: string | null;
      callbacks: Array<{ state: string }>;
    };
  };

  const bookCallback = async (waId: string) => {
    model.decide = once({
      replies: ['We will call you.'],
      toolCalls: [
        call('schedule_callback', { at: inTwoDays() }),
        call('set_outcome', { outcome: 'callback' }),
      ],
    });
    await harness.customerWrites(waId, 'call me the day after tomorrow at noon');
    await harness.runTurns();
    expect(await shown(waId)).toMatchObject({ outcome: 'callback', callbacks: [{ state: 'scheduled' }] });
  };

  it('cancels the scheduled callbacks when the outcome becomes not interested', async () => {
    const customer = '5511900007001';
    await bookCallback(customer);
    model.decide = once({
      replies: ['No problem.'],
      toolCalls: [call('set_outcome', { outcome: 'not_interested' })],
    });
    await harness.customerWrites(customer, 'actually, forget it, not interested');
    await harness.runTurns();
    expect(await shown(customer)).toMatchObject({
      outcome: 'not_interested',
      callbacks: [{ state: 'cancelled' }],
    });
  });

  it('cancels a callback booked in the same turn as "not interested"', async () => {
    const customer = '5511900007002';
    model.decide = once({
      replies: ['Ok.'],
      toolCalls: [
        call('schedule_callback', { at: inTwoDays() }),
        call('set_outcome', { outcome: 'not_interested' }),
      ],
    });
    await harness.customerWrites(customer, 'hmm no');
    await harness.runTurns();
    expect(await shown(customer)).toMatchObject({
      outcome: 'not_interested',
      callbacks: [{ state: 'cancelled' }],
    });
  });

  it('makes a not-interested lead a callback when the customer asks to be called after all', async () => {
    const customer = '5511900007003';
    model.decide = once({
      replies: ['Ok.'],
      toolCalls: [call('set_outcome', { outcome: 'not_interested' })],
    });
    await harness.customerWrites(customer, 'not interested');
    await harness.runTurns();
    expect((await shown(customer)).outcome).toBe('not_interested');
    // The model books the call and forgets the outcome: the lead is not left "not interested".
    model.decide = once({ replies: ['Sure.'], toolCalls: [call('schedule_callback', { at: inTwoDays() })] });
    await harness.customerWrites(customer, 'wait, call me the day after tomorrow at noon');
    await harness.runTurns();
    expect(await shown(customer)).toMatchObject({ outcome: 'callback', callbacks: [{ state: 'scheduled' }] });
  });

  it('cancels the callbacks of a customer who writes STOP', async () => {
    const customer = '5511900007004';
    await bookCallback(customer);
    await harness.customerWrites(customer, 'STOP');
    expect((await shown(customer)).callbacks).toMatchObject([{ state: 'cancelled' }]);
  });

  it('does not bring up a callback whose contact opted out through the API', async () => {
    const customer = '5511900007005';
    await bookCallback(customer);
    const conversation = await harness.conversationOf(customer);
    const optOut = await harness.api(
      'POST',
      `/api/v1/contacts/${conversation.contact_id}/opt-out?tenantId=${SANDBOX_TENANT_ID}`,
      { scope: 'all' },
    );
    expect(optOut.statusCode).toBe(200);
    await harness.runTurns(); // the callback's job, due now
    const after = await harness.api('GET', `/api/v1/conversations/${conversation.id}`);
    expect(after.json()).toMatchObject({ callbacks: [{ state: 'cancelled' }], needsAttention: false });
  });

  /** Runs the turns, doing `during` after the turn has loaded the conversation (while it reads the profile). */
  const runTurnsWith = async (during: () => Promise<void>) => {
    const profiles = harness.coxcox.agent.profiles;
    const resolve = profiles.resolve.bind(profiles);
    profiles.resolve = async (...args) => {
      profiles.resolve = resolve;
      await during();
      return resolve(...args);
    };
    try {
      await harness.runTurns();
    } finally {
      profiles.resolve = resolve;
    }
  };
  const readMarksOf = (wamid: string) =>
    harness.graph.readMarks
      .filter((mark) => mark.wamid === wamid)
      .map((mark) => ({
        isTyping: 'typing_indicator' in mark.body && mark.body.typing_indicator !== undefined,
      }));

  it('sends no typing bubble when a colleague takes over after the turn started', async () => {
    const customer = '5511900007006';
    model.decide = once({ replies: ['Hi!'], toolCalls: [] });
    const id = await harness.customerWrites(customer, 'hello');
    const conversation = await harness.conversationOf(customer);
    const modelCalls = model.inputs.length;
    await runTurnsWith(async () => {
      const takeover = await harness.api('POST', `/api/v1/conversations/${conversation.id}/takeover`, {
        userId: 'u-1',
      });
      expect(takeover.statusCode).toBe(200);
    });
    expect(readMarksOf(id)).toEqual([]);
    expect(model.inputs.length).toBe(modelCalls);
  });

  it('sends the read receipt without a typing bubble when STOP arrives during the debounce', async () => {
    const customer = '5511900007007';
    model.decide = once({ replies: ['Hi!'], toolCalls: [] });
    const id = await harness.customerWrites(customer, 'hello');
    const modelCalls = model.inputs.length;
    await runTurnsWith(async () => {
      await harness.customerWrites(customer, 'STOP');
    });
    expect(readMarksOf(id)).toEqual([{ isTyping: false }]);
    expect(model.inputs.length).toBe(modelCalls);
  });

  it('types while the agent answers an agent-owned conversation', async () => {
    const customer = '5511900007008';
    model.decide = once({ replies: ['Hi!'], toolCalls: [] });
    const id = await harness.customerWrites(customer, 'hello');
    await harness.runTurns();
    expect(readMarksOf(id)).toEqual([{ isTyping: true }]);
  });
});
