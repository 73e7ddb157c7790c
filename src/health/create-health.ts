import type { FastifyInstance } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { type JobHandler, PollLoop } from '../queue/index.ts';
import type { DialectFlags } from '../store/dialect-flags.ts';
import type { Database } from '../store/schema.ts';
import type { GraphApp, GraphClient } from '../whatsapp/graph/index.ts';
import type { AppliedEvent, EventHook } from '../whatsapp/index.ts';
import { checkWabaHealth } from './check-waba-health.ts';
import {
  DEFAULT_HEALTH_SCHEDULE,
  type HealthScheduleOptions,
  healthJobHandlers,
  scheduleHealthSweep,
} from './health-check-jobs.ts';
import { createHealthEventHook } from './health-event-hook.ts';
import { healthRoutes } from './health-routes.ts';
import { type HealthEventView, NumberHealth, type NumberHealthView } from './number-health.ts';
import { WebhookActivity } from './webhook-activity.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface CreateHealthOptions {
  db: Kysely<Database>;
  flags: DialectFlags;
  logger: Logger;
  graph: GraphClient;
  /** The clock for every check: token expiry, version retirement, budgets. Tests pin it. */
  now?: () => number;
  graphApiUrl: string;
  graphApiVersion: string;
  defaultAppId: string | null;
  accessTokenFor: (tenantId: string, wabaId: string) => Promise<string | null>;
  appFor: (tenantId: string, wabaId: string) => Promise<GraphApp | null>;
  /** The campaigns domain's template mirror, when there is one. */
  syncTemplates?: (tenantId: string, wabaId: string) => Promise<unknown>;
  /** A change of health, told to the tenant's systems (signed webhooks) in the recording transaction. */
  announce?: (db: Db, event: HealthEventView) => Promise<void>;
  schedule?: Partial<HealthScheduleOptions>;
  /** How often webhook activity is written: 5 s. */
  activityFlushMs?: number;
  /** The first sweep waits this long after start, so that a restart does not open with a burst: 1 min. */
  firstSweepDelayMs?: number;
}

export interface HealthDomain {
  numbers: NumberHealth;
  activity: WebhookActivity;
  /** For the inbox worker: applies quality and account updates in the recording transaction. */
  eventHook: EventHook;
  /** For the inbox worker, after commit: notes that the numbers were heard from. */
  onApplied(events: AppliedEvent[]): void;
  /** For the dispatcher: a number it just marked unhealthy (code 190) is reassessed, and the event recorded. */
  onNumberUnhealthy(phoneNumberId: string): Promise<void>;
  /** For the webhook route: every POST, with whether its signature held. */
  onWebhookDelivery(appId: string, isSignatureValid: boolean): void;
  jobHandlers: Record<string, JobHandler>;
  routes(api: FastifyInstance): Promise<void>;
  /** Checks the tenant's WABAs with Meta now (what the API's "check" does). */
  checkNow(tenantId: string): Promise<NumberHealthView[]>;
  /** Writes the webhook activity gathered in memory. */
  flushActivity(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/** Assembles the health domain: per-number assessment, events, the webhook hook, the scheduled check and the API. */
export function createHealth(options: CreateHealthOptions): HealthDomain {
  const now = options.now ?? Date.now;
  const schedule: HealthScheduleOptions = { ...DEFAULT_HEALTH_SCHEDULE, ...options.schedule };
  const logger = options.logger.child({ domain: 'health' });
  const numbers = new NumberHealth({
    db: options.db,
    flags: options.flags,
    now,
    defaultGraphApiVersion: options.graphApiVersion,
    defaultAppId: options.defaultAppId,
    ...(options.announce ? { announce: options.announce } : {}),
  });
  const activity = new WebhookActivity();
  const checkDeps = {
    db: options.db,
    graph: options.graph,
    health: numbers,
    logger,
    now,
    accessTokenFor: options.accessTokenFor,
    appFor: options.appFor,
    graphApiUrl: options.graphApiUrl,
    graphApiVersion: options.graphApiVersion,
    ...(options.syncTemplates ? { syncTemplates: options.syncTemplates } : {}),
  };
  const flushActivity = () => activity.flush(options.db, now());
  const activityLoop = new PollLoop(flushActivity, options.activityFlushMs ?? 5_000, (error) =>
    logger.error({ err: error }, 'could not write webhook activity; retrying'),
  );
  let isStarted = false;
  const checkNow = async (tenantId: string) => {
    await flushActivity();
    const wabas = await options.db
      .selectFrom('wabas')
      .select('waba_id')
      .where('tenant_id', '=', tenantId)
      .execute();
    for (const waba of wabas) await checkWabaHealth(checkDeps, tenantId, waba.waba_id);
    return numbers.list(tenantId);
  };

  return {
    numbers,
    activity,
    eventHook: createHealthEventHook({ health: numbers, now }),
    onApplied(events) {
      activity.noteEvents(events, now());
    },
    async onNumberUnhealthy(phoneNumberId) {
      await numbers.refresh(options.db, phoneNumberId);
    },
    onWebhookDelivery(appId, isSignatureValid) {
      activity.noteDelivery(appId, isSignatureValid, now());
    },
    jobHandlers: healthJobHandlers({ ...checkDeps, schedule }),
    routes: (api) => healthRoutes(api, { health: numbers, checkNow }),
    checkNow,
    flushActivity,
    start() {
      if (isStarted) return;
      isStarted = true;
      activityLoop.start();
      void scheduleHealthSweep(options.db, schedule, now(), options.firstSweepDelayMs ?? 60_000).catch(
        (error: unknown) => logger.error({ err: error }, 'could not schedule the health check'),
      );
    },
    async stop() {
      await activityLoop.stop();
      await flushActivity().catch((error: unknown) =>
        logger.error({ err: error }, 'could not write webhook activity at stop'),
      );
    },
  };
}
