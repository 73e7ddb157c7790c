import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SANDBOX_DISPLAY_NUMBER,
  SANDBOX_PHONE_NUMBER_ID,
  SANDBOX_TENANT_ID,
  SANDBOX_WABA_ID,
} from '../../src/coxcox.ts';
import { FakeGraphClient } from '../../src/whatsapp/graph/fake-graph-client.ts';
import { startTestCoxcox } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';

const databases = await testDatabases();

/**
 * debug_token answers a bad *input* token with `is_valid: false`; an error from it means Meta refused
 * the app token (a wrong app id or secret). That is no reason to stop a number whose sending token
 * works: under fault injection it once held every message of a run for good.
 */
describe.each(databases)('a health check whose app token Meta refuses, on $name', (database) => {
  const graph = new FakeGraphClient();
  let coxcox: Awaited<ReturnType<typeof startTestCoxcox>>;

  beforeAll(async () => {
    graph.addPhoneNumber(SANDBOX_WABA_ID, {
      id: SANDBOX_PHONE_NUMBER_ID,
      displayPhoneNumber: SANDBOX_DISPLAY_NUMBER,
      verifiedName: 'Sandbox',
      qualityRating: 'GREEN',
      messagingLimitTier: 'TIER_1K',
      throughputLevel: 'STANDARD',
    });
    coxcox = await startTestCoxcox(database, {}, { graph });
  });
  afterAll(async () => coxcox?.dispose());

  const numberRow = () =>
    coxcox.store.db
      .selectFrom('phone_numbers')
      .select(['is_healthy', 'health_problem', 'messaging_tier'])
      .where('phone_number_id', '=', SANDBOX_PHONE_NUMBER_ID)
      .executeTakeFirstOrThrow();

  it('keeps the number sending and still reads it from Meta', async () => {
    graph.failNext(190, { method: 'debugToken' });
    await coxcox.health.checkNow(SANDBOX_TENANT_ID);
    expect(graph.calls.map((call) => call.method)).toEqual(
      expect.arrayContaining(['debugToken', 'listPhoneNumbers']),
    );
    expect(await numberRow()).toMatchObject({ is_healthy: 1, health_problem: null });
  });

  it('still holds the number when the sending token itself is refused', async () => {
    graph.failNext(190, { method: 'listPhoneNumbers' });
    await coxcox.health.checkNow(SANDBOX_TENANT_ID);
    const row = await numberRow();
    expect(row.is_healthy).toBe(0);
    expect(row.health_problem).toMatch(/token/);
  });
});
