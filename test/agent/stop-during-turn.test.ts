import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentModel, TurnStep } from '../../src/agent/agent-model.ts';
import { SANDBOX_PHONE_NUMBER_ID, SANDBOX_WABA_ID } from '../../src/coxcox.ts';
import { testDatabases } from '../support/databases.ts';
import { textMessageNotification } from '../support/meta-body.ts';
import { startAgentCoxcox } from './agent-harness.ts';

const databases = await testDatabases();

/**
 * Issue 11, bug 2, the other order: the customer's STOP arrives while the model is still thinking, so the
 * turn's reply would be queued after the stop was received (and, if the inbox is quick, after it was
 * recorded). The reply must not go.
 */
describe.each(databases)('a stop received during an agent turn, on $name', (database) => {
  let harness: Awaited<ReturnType<typeof startAgentCoxcox>>;
  /** What happens while the model "thinks": the STOP arrives, and the inbox applies it or not. */
  let duringTurn: () => Promise<void> = async () => {};
  const model: AgentModel = {
    name: 'test-double',
    async step(_input, previous): Promise<TurnStep> {
      if (previous.length === 0) await duringTurn();
      return {
        usage: { inputTokens: 10, outputTokens: 10, costUsd: 0 },
        model: 'test-double',
        replies: previous.length === 0 ? ['The plan is 49 a month. Shall I sign you up?'] : [],
        toolCalls: [],
      };
    },
  };
  const stopArrives = (from: string) =>
    harness.deliver(
      textMessageNotification({
        wabaId: SANDBOX_WABA_ID,
        phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
        from,
        text: 'STOP',
      }),
    );
  const turnReason = async (customer: string) => {
    const conversation = await harness.conversationOf(customer);
    const turns = (await harness.api('GET', `/api/v1/conversations/${conversation.id}/turns`)).json().data;
    return turns.map((turn: { reason: string | null }) => turn.reason);
  };

  beforeAll(async () => {
    harness = await startAgentCoxcox(database, model);
  });
  afterAll(async () => harness?.coxcox.dispose());

  it('queues no reply when the STOP was received and recorded while the model was thinking', async () => {
    const customer = '5511900009001';
    await harness.customerWrites(customer, 'hi, how much is the plan?');
    duringTurn = async () => {
      await stopArrives(customer);
      await harness.coxcox.processor.drain();
    };
    await harness.runTurns();
    await harness.sendAll();
    expect(harness.textsTo(customer)).toEqual(['You will not receive any more messages from us. Thank you.']);
    expect(await turnReason(customer)).toContain('opted-out-during-turn');
  });

  it('queues no reply when the STOP was received but still waits in the inbox', async () => {
    const customer = '5511900009002';
    duringTurn = async () => {};
    await harness.customerWrites(customer, 'hi, how much is the plan?');
    duringTurn = () => stopArrives(customer);
    await harness.runTurns();
    const queued = await harness.coxcox.store.db
      .selectFrom('outbox')
      .select('id')
      .where('recipient', '=', customer)
      .execute();
    expect(queued).toEqual([]);
    expect(await turnReason(customer)).toContain('opted-out-during-turn');
    await harness.coxcox.processor.drain();
    await harness.sendAll();
    expect(harness.textsTo(customer)).toEqual(['You will not receive any more messages from us. Thank you.']);
  });
});
