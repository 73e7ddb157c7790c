import type { LookupFunction } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import {
  CONTACT_IMPORT_JOB,
  ContactImports,
  consentRoutes,
  contactRoutes,
  importRoutes,
  sweepMarketingOptOuts,
} from '../contacts/index.ts';
import { createSafeDispatcher, type TargetPolicy } from '../net/index.ts';
import { JobWorker, PollLoop } from '../queue/index.ts';
import type { DialectFlags } from '../store/dialect-flags.ts';
import type { Database } from '../store/schema.ts';
import { MessageTemplates, templateRoutes } from '../templates/index.ts';
import {
  createWebhookPoster,
  OUTBOUND_WEBHOOK_JOB,
  OutboundWebhooks,
  type WebhookPoster,
  webhookEndpointRoutes,
} from '../tenant-webhooks/index.ts';
import type { SecretBox, TenantDirectory } from '../tenants/index.ts';
import type { GraphClient } from '../whatsapp/graph/index.ts';
import type { AppliedEvent, EventHook } from '../whatsapp/index.ts';
import { createCampaignEventHook } from './campaign-event-hook.ts';
import { campaignRoutes } from './campaign-routes.ts';
import { CampaignScheduler } from './campaign-scheduler.ts';
import { Campaigns } from './campaigns.ts';

export interface CampaignsConfig {
  /** The clock for schedules, sending hours and the daily cap; tests pin it. */
  now: () => number;
  /** Contacts released per transaction. */
  releaseBatchSize: number;
  /** Most messages one campaign keeps waiting in the outbox. */
  maxInFlightPerCampaign: number;
  /** How soon a campaign with messages in flight is looked at again. */
  activeTickMs: number;
  /** The longest a running campaign goes unlooked-at. */
  idleTickMs: number;
  /** How often the scheduler and the job workers look for work when not woken. */
  pollIntervalMs: number;
  /** How often sends that failed with 131050 are swept into marketing opt-outs. */
  optOutSweepIntervalMs: number;
  /** Largest import upload, in bytes. */
  maxImportBytes: number;
  /** One run of an import job writes at most this long before letting other work in. */
  importSliceMs: number;
  /** A running import not heard of for this long (it renews at every batch) is taken over. */
  importLeaseMs: number;
  /** An upload that stored nothing for this long is given up (failed, its pieces deleted). */
  uploadIdleMs: number;
  /** How often the import worker looks for imports that a dead process left behind. */
  importSweepIntervalMs: number;
  /** Outbound webhooks: the POST (by default through a dispatcher that refuses private addresses), its timeout, and attempts before giving up. */
  webhookPoster: WebhookPoster | null;
  webhookTimeoutMs: number;
  webhookMaxAttempts: number;
  /** ALLOW_PRIVATE_NETWORK_TARGETS: tenant webhook endpoints may be on loopback and private networks. */
  allowPrivateNetworkTargets: boolean;
  /** Resolves endpoint names (tests inject one); dns.lookup by default. */
  lookup: LookupFunction | null;
}

export const DEFAULT_CAMPAIGNS_CONFIG: CampaignsConfig = Object.freeze({
  now: Date.now,
  releaseBatchSize: 200,
  maxInFlightPerCampaign: 2000,
  activeTickMs: 1000, // 1 s
  idleTickMs: 60_000, // 1 min
  pollIntervalMs: 1000, // 1 s
  optOutSweepIntervalMs: 30_000, // 30 s
  maxImportBytes: 512 * 2 ** 20, // 512 MiB: about ten million rows of a typical list
  importSliceMs: 60_000, // 1 min, well inside the job lock (5 min)
  // 30 s: a batch of 1,000 rows commits in about 50 ms, and SQLite waits 5 s at most for its writer.
  importLeaseMs: 30_000,
  // 5 min: an API request is cut after 30 s (app.ts requestTimeout), so a live upload stores a piece sooner.
  uploadIdleMs: 5 * 60_000,
  importSweepIntervalMs: 10_000, // 10 s
  webhookPoster: null,
  webhookTimeoutMs: 10_000, // 10 s
  webhookMaxAttempts: 8,
  allowPrivateNetworkTargets: false,
  lookup: null,
});

export interface CreateCampaignsOptions extends Partial<CampaignsConfig> {
  db: Kysely<Database>;
  flags: DialectFlags;
  logger: Logger;
  directory: TenantDirectory;
  box: SecretBox;
  graph: GraphClient;
  defaultGraphApiUrl: string;
  defaultGraphApiVersion: string;
  /** Wakes the dispatcher after campaign messages were queued. */
  onQueued: () => void;
}

export interface CampaignsDomain {
  campaigns: Campaigns;
  imports: ContactImports;
  templates: MessageTemplates;
  webhooks: OutboundWebhooks;
  scheduler: CampaignScheduler;
  /** Runs the domain's jobs (imports, outbound webhooks). */
  jobs: { drain(): Promise<number> };
  /** For the inbox worker: runs inside the transaction that records each webhook event. */
  eventHook: EventHook;
  /** For the inbox worker: after commit; wakes the scheduler when a campaign's contacts answered. */
  onApplied(events: AppliedEvent[]): void;
  /** The API routes (under /api/v1). */
  routes(api: FastifyInstance): Promise<void>;
  /** Runs every due piece of background work once: scheduler, jobs (tests, the CLI). */
  runOnce(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

/** Assembles the campaigns domain: its services, the event hook, the routes and the background loops. */
export function createCampaigns(options: CreateCampaignsOptions): CampaignsDomain {
  const config: CampaignsConfig = { ...DEFAULT_CAMPAIGNS_CONFIG, ...stripUndefined(options) };
  const { db, flags, logger, now } = { ...options, now: config.now };
  const log = logger.child({ domain: 'campaigns' });

  let wakeScheduler = () => {};
  let wakeJobs = () => {};
  const campaigns = new Campaigns({ db, now, onScheduled: () => wakeScheduler() });
  const imports = new ContactImports({
    db,
    now,
    maxImportBytes: config.maxImportBytes,
    jobSliceMs: config.importSliceMs,
    onQueued: () => wakeJobs(),
    interruption: { leaseMs: config.importLeaseMs, uploadIdleMs: config.uploadIdleMs },
  });
  const templates = new MessageTemplates({
    db,
    graph: options.graph,
    directory: options.directory,
    defaultGraphApiUrl: options.defaultGraphApiUrl,
    defaultGraphApiVersion: options.defaultGraphApiVersion,
    now,
  });
  const targetPolicy: TargetPolicy = {
    allowPrivateNetworkTargets: config.allowPrivateNetworkTargets,
    ...(config.lookup ? { lookup: config.lookup } : {}),
  };
  const webhookDispatcher = createSafeDispatcher({
    ...targetPolicy,
    connectTimeoutMs: config.webhookTimeoutMs,
  });
  const webhooks = new OutboundWebhooks({
    db,
    box: options.box,
    post: config.webhookPoster ?? createWebhookPoster(webhookDispatcher),
    now,
    maxAttempts: config.webhookMaxAttempts,
    timeoutMs: config.webhookTimeoutMs,
    targetPolicy,
  });
  const scheduler = new CampaignScheduler({
    db,
    flags,
    logger: log,
    now,
    onReleased: options.onQueued,
    limits: { batchSize: config.releaseBatchSize, maxInFlight: config.maxInFlightPerCampaign },
    activeTickMs: config.activeTickMs,
    idleTickMs: config.idleTickMs,
    tickLockMs: 5 * 60_000, // 5 min: a tick takes seconds at most
    batchSize: 10,
  });
  // Imports have their own worker: a long import must not hold back webhooks to tenants.
  const importWorker = new JobWorker({
    db,
    flags,
    logger: log,
    now,
    batchSize: 2,
    lockMs: 10 * 60_000, // 10 min: an import run gives its worker back after importSliceMs (1 min)
    handlers: { [CONTACT_IMPORT_JOB]: (payload) => imports.runJob(payload) },
  });
  const webhookWorker = new JobWorker({
    db,
    flags,
    logger: log,
    now,
    batchSize: 20,
    maxAttempts: config.webhookMaxAttempts,
    lockMs: 60_000, // 1 min: a POST times out after 10 s
    handlers: { [OUTBOUND_WEBHOOK_JOB]: (payload, job) => webhooks.deliver(payload, job) },
  });

  let sweptUntil = now() - 60 * 60_000; // at start, look back an hour
  let lastSweepAt = 0;
  const sweep = async () => {
    const at = now();
    if (at - lastSweepAt < config.optOutSweepIntervalMs) return 0;
    lastSweepAt = at;
    // A little overlap: rows committed just before the last sweep read its watermark.
    const count = await sweepMarketingOptOuts(db, sweptUntil - 5_000, at);
    sweptUntil = at;
    return count;
  };

  const onError = (what: string) => (error: unknown) =>
    log.error({ err: error }, `${what} failed; backing off`);
  const schedulerLoop = new PollLoop(
    async () => {
      await sweep();
      return scheduler.runDue();
    },
    config.pollIntervalMs,
    onError('campaign scheduler'),
  );
  let lastImportSweepAt = Number.NEGATIVE_INFINITY;
  /** Imports a dead process left behind, every importSweepIntervalMs: the count taken over or failed. */
  const sweepImports = async () => {
    const at = now();
    if (at - lastImportSweepAt < config.importSweepIntervalMs) return 0;
    lastImportSweepAt = at;
    const outcome = await imports.sweepInterrupted();
    if (outcome.resumed.length + outcome.failed.length > 0)
      log.warn(outcome, 'took over interrupted imports');
    return outcome.resumed.length + outcome.failed.length;
  };
  const importLoop = new PollLoop(
    async () => (await sweepImports()) + (await importWorker.runBatch()),
    config.pollIntervalMs,
    onError('import worker'),
  );
  const webhookLoop = new PollLoop(
    () => webhookWorker.runBatch(),
    config.pollIntervalMs,
    onError('webhook worker'),
  );
  wakeScheduler = () => schedulerLoop.wake();
  wakeJobs = () => {
    importLoop.wake();
    webhookLoop.wake();
  };

  const eventHook = createCampaignEventHook({ now, logger: log });

  return {
    campaigns,
    imports,
    templates,
    webhooks,
    scheduler,
    jobs: {
      async drain() {
        return (await importWorker.drain()) + (await webhookWorker.drain());
      },
    },
    eventHook,
    onApplied(events) {
      // Replies, statuses and opt-outs may queue webhooks to tenants, and change what campaigns do next.
      if (events.some((applied) => applied.isNew)) wakeJobs();
    },
    async routes(api) {
      await contactRoutes(api, { db, now });
      await importRoutes(api, { imports });
      await consentRoutes(api, { db, now });
      await templateRoutes(api, { db, templates });
      await campaignRoutes(api, { db, flags, campaigns });
      await webhookEndpointRoutes(api, { webhooks });
    },
    async runOnce() {
      await sweepMarketingOptOuts(db, 0, now());
      await scheduler.drain();
      lastImportSweepAt = Number.NEGATIVE_INFINITY;
      await sweepImports();
      await importWorker.drain();
      await webhookWorker.drain();
    },
    start() {
      schedulerLoop.start();
      importLoop.start();
      webhookLoop.start();
    },
    async stop() {
      await Promise.all([schedulerLoop.stop(), importLoop.stop(), webhookLoop.stop()]);
      await webhookDispatcher.close();
    },
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
}
