import { createHmac } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import {
  type Agent,
  type CreateAgentOptions,
  createAgent,
  createDefaultModelFactory,
  type ModelFactory,
  PLAYBOOK_SETTINGS,
} from './agent/index.ts';
import { buildApp } from './app.ts';
import { type CampaignsConfig, type CampaignsDomain, createCampaigns } from './campaigns/index.ts';
import type { Config } from './config.ts';
import { consentSettingsFor, createOptOutTextMatcher, matchOptOutKeyword } from './contacts/index.ts';
import { createDashboard, type Dashboard } from './dashboard/index.ts';
import { Dispatcher, type DispatcherOptions, reconcileStatus, sendRoutes } from './dispatch/index.ts';
import { type CreateHealthOptions, createHealth, type HealthDomain } from './health/index.ts';
import { createSafeDispatcher, createSafeFetch, type TargetPolicy } from './net/index.ts';
import { createOnboarding, type OnboardingDomain, simulatorSignup } from './onboarding/index.ts';
import { type JobHandler, JobWorker, type JobWorkerOptions, PollLoop } from './queue/index.ts';
import {
  createSimulator,
  defaultTemplates,
  type Persona,
  type PhoneNumberDefinition,
  type Simulator,
  type SimulatorOptions,
} from './simulator/index.ts';
import { openStore, type Store } from './store/open-store.ts';
import { emitTenantEvent } from './tenant-webhooks/index.ts';
import { createSecretBox, TenantDirectory } from './tenants/index.ts';
import { createUserAccounts, type UserAccounts } from './users/index.ts';
import { defaultGraphApiUrl, type GraphClient, UndiciGraphClient } from './whatsapp/graph/index.ts';
import { type AppliedEvent, DeliveryProcessor, DeliveryWriter, Metrics } from './whatsapp/index.ts';

export const SANDBOX_TENANT_ID = 'sandbox';
export const SANDBOX_APP_ID = 'sandbox-app';
export const SANDBOX_WABA_ID = '100000000000001';
export const SANDBOX_PHONE_NUMBER_ID = '100000000000002';
export const SANDBOX_DISPLAY_NUMBER = '15550000001';
/** In DATA_DIR: the built-in simulator's state (it holds access tokens, so it is owner-only). */
export const SIMULATOR_STATE_FILE = 'simulator-state.json';

/** Sandbox credentials derive from SECRET_KEY, so they are stable across restarts and never defaults. */
export function sandboxSecret(secretKey: Buffer, purpose: string): string {
  return createHmac('sha256', secretKey).update(`coxcox sandbox ${purpose}`).digest('base64url');
}

export interface Coxcox {
  config: Config;
  store: Store;
  app: FastifyInstance;
  directory: TenantDirectory;
  metrics: Metrics;
  processor: DeliveryProcessor;
  dispatcher: Dispatcher;
  /** Runs jobs from the `jobs` table: agent turns, and whatever other domains register. */
  jobWorker: JobWorker;
  /** Adds the handler of a job kind (campaigns' planning, outbound webhooks …) before the workers start. */
  registerJobHandler(kind: string, handler: JobHandler): void;
  agent: Agent;
  /** Contacts, consent, templates, campaigns and webhooks to tenants' systems. */
  campaigns: CampaignsDomain;
  graph: GraphClient;
  /** The built-in Cloud API simulator, in sandbox mode. */
  simulator: Simulator | null;
  /** Dashboard users and sessions. */
  users: UserAccounts;
  /** Setup links, Embedded Signup, manual connections and disconnects. */
  onboarding: OnboardingDomain;
  /** Each number's health, its events and the scheduled check with Meta. */
  health: HealthDomain;
  /** The web app, its routes and live events. */
  dashboard: Dashboard;
  defaultAppId: string;
  /** Starts the background workers. */
  startWorkers(): void;
  /** Waits for in-flight commits and the current worker batch, then closes the store. */
  close(): Promise<void>;
}

export interface CreateCoxcoxOptions {
  logger: Logger;
  postgresSchema?: string;
  /** Listeners for applied webhook events (the agent, live updates). */
  onApplied?: Array<(events: AppliedEvent[]) => void>;
  /** The Graph API client; the undici adapter by default. */
  graph?: GraphClient;
  /** Dispatcher tuning (tests shorten the reconcile window). */
  dispatcher?: Partial<DispatcherOptions>;
  /** Builds the agent's model from its settings; the AI SDK adapters and the offline playbook by default. */
  modelFor?: ModelFactory;
  /** Campaigns tuning (tests pin the clock and shorten the ticks). */
  campaigns?: Partial<CampaignsConfig>;
  /** Health tuning (tests pin the clock and the schedule). */
  health?: Partial<Pick<CreateHealthOptions, 'now' | 'schedule' | 'firstSweepDelayMs' | 'activityFlushMs'>>;
  /** Users' clock (tests pin it: sessions and the sign-in limits). */
  usersNow?: () => number;
  /** Onboarding's clock (tests pin it: codes, links and token expiry). */
  onboardingNow?: () => number;
  /** Job worker tuning. */
  jobs?: Partial<Pick<JobWorkerOptions, 'batchSize' | 'lockMs' | 'maxAttempts' | 'rerunDelayMs' | 'now'>>;
  /** Agent turn tuning (tests abort the model's deadline themselves). */
  agentRunner?: CreateAgentOptions['runner'];
  /**
   * Resolves the names of tenant-chosen URLs (webhook endpoints, Graph URL overrides, model base URLs);
   * `dns.lookup` by default. Tests make made-up names resolve where they want (DNS rebinding).
   */
  lookup?: LookupFunction;
}

/** Assembles Coxcox from a parsed config: store, tenants, webhook intake and workers. */
export async function createCoxcox(config: Config, options: CreateCoxcoxOptions): Promise<Coxcox> {
  const { logger } = options;
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    ...(options.postgresSchema ? { postgresSchema: options.postgresSchema } : {}),
  });
  const box = createSecretBox(config.secretKeyId, config.secretKey, config.previousSecretKeys);
  // Coxcox's own apps: the quick-start (or sandbox) app and the Embedded Signup app (decision 0009).
  const platformAppIds = [config.whatsapp?.appId ?? SANDBOX_APP_ID, config.signupAppId].filter(
    (appId): appId is string => appId !== undefined,
  );
  const simulator =
    config.isSandbox && !config.graphApiUrl && !options.graph ? await startSandboxSimulator(config) : null;
  const graphApiUrl = simulator?.url ?? config.graphApiUrl ?? defaultGraphApiUrl;
  // URLs a tenant chooses are refused when they reach a private address, unless the operator allows it
  // (ALLOW_PRIVATE_NETWORK_TARGETS). The operator's own Graph URL (GRAPH_API_URL, the built-in simulator on
  // loopback) is not the tenant's choice, so a number may name it.
  const tenantTargets: TargetPolicy = {
    allowPrivateNetworkTargets: config.allowPrivateNetworkTargets,
    ...(options.lookup ? { lookup: options.lookup } : {}),
  };
  const graphTargets: TargetPolicy = { ...tenantTargets, trustedOrigins: [graphApiUrl] };
  const directory = new TenantDirectory(store.db, box, Date.now, platformAppIds, graphTargets);
  const metrics = new Metrics();

  const defaultAppId = await ensureDefaultTenant(config, directory);

  const graph = options.graph ?? new UndiciGraphClient({ targetPolicy: graphTargets });
  const modelDispatcher = createSafeDispatcher(tenantTargets);
  const dashboard = createDashboard({
    db: store.db,
    directory,
    graph,
    logger,
    defaultGraphApiUrl: graphApiUrl,
    defaultGraphApiVersion: config.graphApiVersion,
    defaultAppId,
    isSandbox: config.isSandbox,
    simulator: () => simulator,
    sandboxTenantId: SANDBOX_TENANT_ID,
    // Called per request, after the agent below exists.
    evaluationModel: async (tenantId, which) =>
      agent.runner.modelFor(
        which === 'playbook'
          ? PLAYBOOK_SETTINGS
          : (await agent.profiles.resolve(tenantId, null)).modelSettings,
      ),
  });
  const users = createUserAccounts({
    db: store.db,
    isSandbox: config.isSandbox,
    defaultTenantId: config.whatsapp ? 'default' : SANDBOX_TENANT_ID,
    deviceCookieKey: createHmac('sha256', config.secretKey).update('coxcox device cookie').digest(),
    adminToken: config.adminToken,
    ...(options.usersNow ? { now: options.usersNow } : {}),
  });
  // Coxcox's own Meta app (the tech provider app) exchanges signup codes and asks debug_token.
  const signupAppId = config.signupAppId ?? defaultAppId;
  const appCredentials = async (appId: string) => {
    const app = await directory.webhookApp(appId);
    return app
      ? { appId: app.appId, appSecret: app.appSecret, graphApiUrl, graphApiVersion: config.graphApiVersion }
      : null;
  };
  // Templates are the campaigns domain's mirror (created below; called only once requests flow).
  const syncTemplates = async (tenantId: string, wabaId: string) =>
    (await campaigns.templates.sync(tenantId, wabaId)).filter((template) => template.wabaId === wabaId)
      .length;
  const health = createHealth({
    db: store.db,
    flags: store.flags,
    logger,
    graph,
    graphApiUrl,
    graphApiVersion: config.graphApiVersion,
    defaultAppId,
    accessTokenFor: (tenantId, wabaId) => directory.accessTokenFor(tenantId, wabaId),
    // The WABA's own app when it has one connected, else Coxcox's.
    appFor: async (tenantId, wabaId) => {
      const waba = (await directory.listWabas(tenantId)).find((candidate) => candidate.wabaId === wabaId);
      return (waba?.appId ? await appCredentials(waba.appId) : null) ?? (await appCredentials(signupAppId));
    },
    syncTemplates,
    announce: async (db, event) => {
      await emitTenantEvent(db, {
        tenantId: event.tenantId,
        event: 'number.health_changed',
        data: { ...event },
      });
    },
    ...options.health,
  });
  const onboarding = createOnboarding({
    db: store.db,
    box,
    directory,
    graph,
    logger,
    ...(options.onboardingNow ? { now: options.onboardingNow } : {}),
    graphApiUrl,
    graphApiVersion: config.graphApiVersion,
    secretKey: config.secretKey,
    publicUrl: config.publicUrl,
    signupAppId,
    signupConfigId: config.signupConfigId ?? null,
    // Sandbox mode: the simulator (built in, or at GRAPH_API_URL) plays Meta's signup window.
    sandboxSignup: config.isSandbox ? simulatorSignup(graphApiUrl) : null,
    companyAdmin: {
      canCreate: (tenantId) => users.canCreateCompanyAdmin(tenantId),
      create: (tenantId, input, client) => users.createCompanyAdmin(tenantId, input, client),
    },
    syncTemplates,
    onConnected: async (tenantId, phoneNumberId, observed) => {
      await health.numbers.recordConnection(phoneNumberId, tenantId, observed);
      await health.numbers.refresh(store.db, phoneNumberId);
    },
    onDisconnected: async (_tenantId, phoneNumberId) => {
      await health.numbers.refresh(store.db, phoneNumberId);
    },
  });
  const dispatcher = new Dispatcher({
    db: store.db,
    flags: store.flags,
    directory,
    graph,
    logger: logger.child({ worker: 'dispatch' }),
    metrics,
    defaultGraphApiUrl: graphApiUrl,
    defaultGraphApiVersion: config.graphApiVersion,
    reconcileWindowMs: config.dispatchReconcileWindowMs,
    sendLockMs: config.dispatchSendLockMs,
    onRecorded: (outcomes) => dashboard.onSendOutcomes(outcomes),
    onNumberUnhealthy: (phoneNumberId) => health.onNumberUnhealthy(phoneNumberId),
    isOptOutText: async (trx, tenantId, text) =>
      matchOptOutKeyword(text, (await consentSettingsFor(trx, tenantId)).optOutKeywords) !== null,
    ...options.dispatcher,
  });

  // One job worker for every domain: handlers are added by kind (registerJobHandler), before start.
  const jobHandlers: Record<string, JobHandler> = {};
  const jobWorker = new JobWorker({
    db: store.db,
    flags: store.flags,
    logger: logger.child({ worker: 'jobs' }),
    handlers: jobHandlers,
    // A message that arrives during a turn gets one more turn, after the same debounce.
    rerunDelayMs: config.agentDebounceMs,
    ...options.jobs,
  });
  const jobs = new PollLoop(
    () => jobWorker.runBatch(),
    1000, // 1 s: woken sooner by the agent's debounce timers
    (error) => logger.error({ err: error }, 'job worker failed; backing off'),
  );
  const registerJobHandler = (kind: string, handler: JobHandler) => {
    if (jobHandlers[kind]) throw new Error(`a handler for job kind "${kind}" is already registered`);
    jobHandlers[kind] = handler;
  };
  const agent = createAgent({
    db: store.db,
    flags: store.flags,
    box,
    accessTokenFor: (tenantId, wabaId) => directory.accessTokenFor(tenantId, wabaId),
    graph,
    logger: logger.child({ worker: 'agent' }),
    modelFor: options.modelFor ?? createDefaultModelFactory({ fetch: createSafeFetch(modelDispatcher) }),
    defaultGraphApiUrl: graphApiUrl,
    defaultGraphApiVersion: config.graphApiVersion,
    debounceMs: config.agentDebounceMs,
    onQueued: () => dispatcher.wake(),
    onTurnsDue: () => jobs.wake(),
    runner: {
      modelDeadlineMs: config.agentModelDeadlineMs,
      maxMessagesPerTurn: config.agentMaxMessagesPerTurn,
      ...options.agentRunner,
    },
  });
  for (const [kind, handler] of Object.entries(agent.jobHandlers)) registerJobHandler(kind, handler);
  for (const [kind, handler] of Object.entries(health.jobHandlers)) registerJobHandler(kind, handler);
  // Campaigns run their own job workers (imports, webhooks to tenants): a long import or a slow tenant
  // endpoint must not hold back agent turns in the shared worker's batch.
  const campaigns = createCampaigns({
    db: store.db,
    flags: store.flags,
    logger,
    directory,
    box,
    graph,
    defaultGraphApiUrl: graphApiUrl,
    defaultGraphApiVersion: config.graphApiVersion,
    onQueued: () => dispatcher.wake(),
    allowPrivateNetworkTargets: config.allowPrivateNetworkTargets,
    lookup: options.lookup ?? null,
    ...options.campaigns,
  });

  const processor = new DeliveryProcessor({
    db: store.db,
    flags: store.flags,
    directory,
    metrics,
    logger: logger.child({ worker: 'inbox' }),
    hooks: [reconcileStatus, agent.eventHook, campaigns.eventHook, health.eventHook],
    onApplied: (events) => {
      health.onApplied(events);
      agent.onApplied(events);
      campaigns.onApplied(events);
      dashboard.onApplied(events);
      for (const listener of options.onApplied ?? []) listener(events);
    },
  });
  // PostgreSQL takes several writers: claim batches in parallel (SKIP LOCKED keeps them apart), because
  // each delivery costs a few round trips. SQLite has one writer, so one batch at a time.
  const parallelBatches = store.flags.supportsConcurrentWriters ? 4 : 1;
  const inbox = new PollLoop(
    async () => {
      const counts = await Promise.all(
        Array.from({ length: parallelBatches }, () => processor.processBatch()),
      );
      return counts.reduce((sum, count) => sum + count, 0);
    },
    config.inboxPollIntervalMs,
    (error) => logger.error({ err: error }, 'inbox worker failed; backing off'),
  );
  // Opt-out keywords are spotted at intake, so that a stop counts from its 200 (see DeliveryWriter).
  const optOutTexts = createOptOutTextMatcher(store.db, {
    onError: (error) => logger.error({ err: error }, 'could not read the opt-out keywords'),
  });
  const writer = new DeliveryWriter(
    store.db,
    store.flags,
    () => inbox.wake(),
    (text) => optOutTexts.matches(text),
  );
  const app = await buildApp({
    store,
    logger,
    adminToken: config.adminToken,
    directory,
    writer,
    metrics,
    metricsToken: config.metricsToken,
    trustProxy: config.trustProxy,
    defaultAppId,
    apiPlugins: [
      (api) => sendRoutes(api, { db: store.db, onQueued: () => dispatcher.wake() }),
      (api) => agent.routes(api),
      (api) => campaigns.routes(api),
      (api) => users.routes(api),
      (api) => dashboard.routes(api),
      (api) => onboarding.routes(api),
      (api) => health.routes(api),
    ],
    publicApiPlugins: [(api) => users.publicRoutes(api)],
    rootPlugins: [(app) => dashboard.pages(app), (app) => onboarding.publicRoutes(app)],
    onWebhookDelivery: (appId, isSignatureValid) => health.onWebhookDelivery(appId, isSignatureValid),
    sessionFromCookie: (cookie) => users.sessionFromCookie(cookie),
    canAgentChange: (method, routeUrl) => users.canAgentChange(method, routeUrl),
  });

  return {
    config,
    store,
    app,
    directory,
    metrics,
    processor,
    dispatcher,
    jobWorker,
    registerJobHandler,
    agent,
    campaigns,
    graph,
    simulator,
    users,
    dashboard,
    onboarding,
    health,
    defaultAppId,
    startWorkers: () => {
      inbox.start();
      jobs.start();
      campaigns.start();
      health.start();
      dispatcher.start();
    },
    async close() {
      await app.close();
      await writer.drain();
      await inbox.stop();
      agent.stop();
      await campaigns.stop();
      await jobs.stop();
      await dispatcher.stop();
      await health.stop();
      if (!options.graph && graph instanceof UndiciGraphClient) await graph.close();
      await modelDispatcher.close();
      await simulator?.close();
      await store.close();
    },
  };
}

/**
 * Meta's side of the sandbox, as the simulator hosts it: Coxcox's sandbox app (whose id and secret the
 * signup code exchange and debug_token check), the sandbox token, and the sandbox WABA with its number
 * and the default templates. The built-in simulator, tests and benchmarks start from this and add their
 * own pace, delays, customers and extra numbers.
 */
export function sandboxSimulatorOptions(
  secretKey: Buffer,
  number: Partial<PhoneNumberDefinition> = {},
  moreNumbers: PhoneNumberDefinition[] = [],
): SimulatorOptions {
  return {
    webhookUrl: null,
    appId: SANDBOX_APP_ID,
    appSecret: sandboxSecret(secretKey, 'app secret'),
    accessTokens: [sandboxSecret(secretKey, 'access token')],
    wabas: [
      {
        id: SANDBOX_WABA_ID,
        name: 'Sandbox WABA',
        phoneNumbers: [
          {
            id: SANDBOX_PHONE_NUMBER_ID,
            displayPhoneNumber: SANDBOX_DISPLAY_NUMBER,
            verifiedName: 'Coxcox Sandbox',
            qualityRating: 'GREEN',
            messagingLimitTier: 'TIER_UNLIMITED',
            ...number,
          },
          ...moreNumbers,
        ],
        templates: defaultTemplates(),
      },
    ],
  };
}

/**
 * Sandbox mode: the simulator plays Meta on a loopback port, hosting the sandbox WABA and number with the
 * sandbox token, and signs its webhooks with the sandbox app secret. Its webhook URL is set once Coxcox
 * listens (see main.ts). What Meta would remember (the WABAs, numbers, tokens and templates that signups
 * created) is kept in DATA_DIR, so that onboarded companies still send after a restart. Rebuilding it from
 * Coxcox's own records instead would miss what only Meta knows (templates created or edited at Meta,
 * registration, revoked tokens) and could not serve the standalone simulator.
 */
async function startSandboxSimulator(config: Config): Promise<Simulator> {
  const simulator = createSimulator({
    ...sandboxSimulatorOptions(config.secretKey),
    stateFile: join(config.dataDir, SIMULATOR_STATE_FILE),
    personas: SANDBOX_PERSONAS,
    canPersonasReply: config.canSandboxPersonasReply,
    statusDelaysMs: { sentMs: 200, deliveredMs: 800, readMs: 3000 },
  });
  await simulator.listen(config.simulatorPort, '127.0.0.1');
  return simulator;
}

/** Customers who answer in the sandbox, so a campaign or the agent can be watched end to end. */
const SANDBOX_PERSONAS: Persona[] = [
  { waId: '5511987650001', name: 'Ana Souza', profile: 'interested', language: 'pt', replyDelayMs: 1500 },
  { waId: '5215512340002', name: 'Carlos Pérez', profile: 'random', language: 'es', replyDelayMs: 2000 },
  { waId: '14155550003', name: 'Jordan Lee', profile: 'not-interested', language: 'en', replyDelayMs: 2500 },
  { waId: '447700900004', name: 'Sam Taylor', profile: 'opt-out', language: 'en', replyDelayMs: 3000 },
];

/** The WHATSAPP_* variables, or in sandbox mode the simulator's, make a default tenant at start. */
async function ensureDefaultTenant(config: Config, directory: TenantDirectory): Promise<string> {
  if (config.whatsapp) {
    const whatsapp = config.whatsapp;
    await directory.ensureTenant('default', 'Default company');
    await directory.upsertMetaApp(
      'default',
      { appId: whatsapp.appId, appSecret: whatsapp.appSecret, verifyToken: whatsapp.verifyToken },
      'operator',
    );
    await directory.upsertWaba('default', { wabaId: whatsapp.wabaId, appId: whatsapp.appId });
    await directory.upsertPhoneNumber('default', {
      wabaId: whatsapp.wabaId,
      phoneNumberId: whatsapp.phoneNumberId,
    });
    if ((await directory.accessTokenFor('default', whatsapp.wabaId)) !== whatsapp.accessToken) {
      await directory.addAccessToken('default', {
        token: whatsapp.accessToken,
        kind: 'system_user',
        wabaId: whatsapp.wabaId,
      });
    }
    return whatsapp.appId;
  }
  await directory.ensureTenant(SANDBOX_TENANT_ID, 'Sandbox company');
  await directory.upsertMetaApp(
    SANDBOX_TENANT_ID,
    {
      appId: SANDBOX_APP_ID,
      appSecret: sandboxSecret(config.secretKey, 'app secret'),
      verifyToken: sandboxSecret(config.secretKey, 'verify token'),
    },
    'operator',
  );
  await directory.upsertWaba(SANDBOX_TENANT_ID, {
    wabaId: SANDBOX_WABA_ID,
    appId: SANDBOX_APP_ID,
    name: 'Sandbox WABA',
  });
  await directory.upsertPhoneNumber(SANDBOX_TENANT_ID, {
    wabaId: SANDBOX_WABA_ID,
    phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
    displayPhoneNumber: SANDBOX_DISPLAY_NUMBER,
    verifiedName: 'Coxcox Sandbox',
    messagingTier: 'TIER_UNLIMITED',
    qualityRating: 'GREEN',
  });
  const sandboxToken = sandboxSecret(config.secretKey, 'access token');
  if ((await directory.accessTokenFor(SANDBOX_TENANT_ID, SANDBOX_WABA_ID)) !== sandboxToken) {
    await directory.addAccessToken(SANDBOX_TENANT_ID, {
      token: sandboxToken,
      kind: 'system_user',
      wabaId: SANDBOX_WABA_ID,
    });
  }
  return SANDBOX_APP_ID;
}
