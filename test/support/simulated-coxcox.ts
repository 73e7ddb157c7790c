import type { CampaignsConfig } from '../../src/campaigns/index.ts';
import { SANDBOX_PHONE_NUMBER_ID, sandboxSimulatorOptions } from '../../src/coxcox.ts';
import type { DispatcherOptions } from '../../src/dispatch/index.ts';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.ts';
import { UndiciGraphClient } from '../../src/whatsapp/graph/index.ts';
import { startTestCoxcox } from './coxcox-harness.ts';
import type { TestDatabase } from './databases.ts';

const SECRET_KEY = '11'.repeat(32);

/**
 * Coxcox and the Cloud API simulator, each on a real loopback port, talking real HTTP both ways:
 * sends go to the simulator, and its signed webhooks come back to Coxcox's webhook route.
 */
export async function startSimulatedCoxcox(
  database: TestDatabase,
  options: {
    simulator?: Partial<SimulatorOptions>;
    dispatcher?: Partial<DispatcherOptions>;
    /** Campaigns tuning (a pinned clock, short ticks). */
    campaigns?: Partial<CampaignsConfig>;
    sendTimeoutMs?: number;
    throughputMps?: number;
  } = {},
) {
  const key = Buffer.from(SECRET_KEY, 'hex');
  const simulator: Simulator = createSimulator({
    ...sandboxSimulatorOptions(key, { messagesPerSecond: options.throughputMps ?? 80 }),
    statusDelaysMs: { sentMs: 5, deliveredMs: 10, readMs: 20 },
    seed: 7,
    ...options.simulator,
  });
  const simulatorUrl = await simulator.listen(0, '127.0.0.1');
  // Injected timeouts hold a connection until the client gives up, so leave room beside them.
  const graph = new UndiciGraphClient({
    sendTimeoutMs: options.sendTimeoutMs ?? 2000,
    connectionsPerOrigin: 512,
    // The operator's Graph URL, as coxcox.ts trusts GRAPH_API_URL.
    targetPolicy: { allowPrivateNetworkTargets: false, trustedOrigins: [simulatorUrl] },
  });
  const coxcox = await startTestCoxcox(
    database,
    { SECRET_KEY, GRAPH_API_URL: simulatorUrl },
    {
      graph,
      dispatcher: { scanIntervalMs: 20, reconcileWindowMs: 3000, ...options.dispatcher },
      ...(options.campaigns ? { campaigns: options.campaigns } : {}),
    },
  );
  await coxcox.store.db
    .updateTable('phone_numbers')
    .set({ messaging_tier: 'TIER_UNLIMITED', throughput_mps: options.throughputMps ?? 80 })
    .where('phone_number_id', '=', SANDBOX_PHONE_NUMBER_ID)
    .execute();
  const address = await coxcox.app.listen({ port: 0, host: '127.0.0.1' });
  simulator.setWebhookUrl(`${address}/webhooks/whatsapp`);
  coxcox.startWorkers();
  return {
    coxcox,
    simulator,
    graph,
    async dispose() {
      await coxcox.dispose();
      await simulator.close();
      await graph.close();
    },
  };
}

/** Polls until `check` is true, or fails after `timeoutMs` naming what it waited for. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  explain: () => Promise<string> | string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} ${await explain()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
