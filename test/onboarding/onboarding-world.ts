import {
  SANDBOX_APP_ID,
  SANDBOX_DISPLAY_NUMBER,
  SANDBOX_PHONE_NUMBER_ID,
  SANDBOX_WABA_ID,
  sandboxSecret,
} from '../../src/coxcox.ts';
import type { CreateHealthOptions } from '../../src/health/index.ts';
import {
  createSimulator,
  defaultTemplates,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator/index.ts';
import { type GraphClient, GraphError, UndiciGraphClient } from '../../src/whatsapp/graph/index.ts';
import { startTestCoxcox, TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import type { TestDatabase } from '../support/databases.ts';

const SECRET_KEY = '11'.repeat(32);
export const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/** The Graph client over HTTP, with a way to make the next call of one method fail as Meta would. */
export function scriptedGraph(inner: GraphClient) {
  const failures = new Map<string, GraphError>();
  const calls: string[] = [];
  const client = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        calls.push(property);
        const failure = failures.get(property);
        if (failure) {
          failures.delete(property);
          return Promise.reject(failure);
        }
        return (value as (...values: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as GraphClient;
  return {
    client,
    calls,
    /** The next call of `method` gets Meta's error with this code (HTTP status as Meta's table lists it). */
    failNext(
      method: keyof GraphClient,
      code: number,
      httpStatus = 400,
      message = `(#${code}) scripted by the test`,
    ) {
      failures.set(method, GraphError.fromMeta({ httpStatus, code, message, fbtraceId: 'test-trace' }));
    },
  };
}

/** A clock the test moves: the real time, plus whatever the test adds. */
export function movableClock() {
  let offsetMs = 0;
  return {
    now: () => Date.now() + offsetMs,
    advance(ms: number) {
      offsetMs += ms;
    },
  };
}

/**
 * Coxcox and the Cloud API simulator on loopback ports, over real HTTP both ways, in sandbox mode: the
 * simulator plays Meta's side of Embedded Signup (it knows the sandbox app's id and secret).
 */
export async function startOnboardingWorld(
  database: TestDatabase,
  options: {
    simulator?: Partial<SimulatorOptions>;
    health?: Partial<Pick<CreateHealthOptions, 'now' | 'schedule' | 'firstSweepDelayMs' | 'activityFlushMs'>>;
    onboardingNow?: () => number;
  } = {},
) {
  const key = Buffer.from(SECRET_KEY, 'hex');
  const simulator: Simulator = createSimulator({
    webhookUrl: null,
    appId: SANDBOX_APP_ID,
    appSecret: sandboxSecret(key, 'app secret'),
    accessTokens: [sandboxSecret(key, 'access token')],
    wabas: [
      {
        id: SANDBOX_WABA_ID,
        phoneNumbers: [
          {
            id: SANDBOX_PHONE_NUMBER_ID,
            displayPhoneNumber: SANDBOX_DISPLAY_NUMBER,
            messagingLimitTier: 'TIER_UNLIMITED',
          },
        ],
        templates: defaultTemplates(),
      },
    ],
    statusDelaysMs: { sentMs: 5, deliveredMs: 10, readMs: 20 },
    seed: 11,
    ...options.simulator,
  });
  const simulatorUrl = await simulator.listen(0, '127.0.0.1');
  // 5 s per call: the machine is shared with other suites, and a local simulator answers in milliseconds.
  const inner = new UndiciGraphClient({
    sendTimeoutMs: 5_000,
    requestTimeoutMs: 5_000,
    // The operator's Graph URL, as coxcox.ts trusts GRAPH_API_URL.
    targetPolicy: { allowPrivateNetworkTargets: false, trustedOrigins: [simulatorUrl] },
  });
  const graph = scriptedGraph(inner);
  const coxcox = await startTestCoxcox(
    database,
    { SECRET_KEY, GRAPH_API_URL: simulatorUrl, PUBLIC_URL: 'https://coxcox.test' },
    {
      graph: graph.client,
      dispatcher: { scanIntervalMs: 20, reconcileWindowMs: 3000 },
      health: { firstSweepDelayMs: 3_600_000, activityFlushMs: 50, ...options.health },
      ...(options.onboardingNow ? { onboardingNow: options.onboardingNow } : {}),
    },
  );
  const address = await coxcox.app.listen({ port: 0, host: '127.0.0.1' });
  simulator.setWebhookUrl(`${address}/webhooks/whatsapp`);
  coxcox.startWorkers();

  const api = async (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = admin,
  ) => {
    const response = await coxcox.app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    return {
      status: response.statusCode,
      json: response.body === '' ? null : safeJson(response.body),
      body: response.body,
    };
  };

  return {
    coxcox,
    simulator,
    graph,
    api,
    /** One API call: a new tenant and its setup link; answers the tenant id, the link's id and path. */
    async newTenant(name: string, options: { allowAdditionalNumbers?: boolean } = {}) {
      const created = await api('POST', '/api/v1/setup-links', { tenantName: name, ...options });
      if (created.status !== 201) throw new Error(`setup link: ${created.body}`);
      const url = new URL(created.json.setupLink.url);
      return {
        tenantId: created.json.tenant.id as string,
        linkId: created.json.setupLink.id as string,
        path: url.pathname,
        url: created.json.setupLink.url as string,
      };
    },
    /** What the page does in sandbox mode: the simulated signup, then complete with its code. */
    async signup(path: string) {
      const code = await api('POST', `${path}/sandbox-signup`, {}, {});
      if (code.status !== 200) throw new Error(`sandbox signup: ${code.body}`);
      const completed = await api(
        'POST',
        `${path}/complete`,
        { code: code.json.code, wabaId: code.json.wabaId, phoneNumberId: code.json.phoneNumberId },
        {},
      );
      return { code: code.json, completed };
    },
    async dispose() {
      await coxcox.dispose();
      await simulator.close();
      await inner.close();
    },
  };
}

export type OnboardingWorld = Awaited<ReturnType<typeof startOnboardingWorld>>;

function safeJson(text: string) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
