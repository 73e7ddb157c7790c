import type { Socket } from 'node:net';
import { AccessTokens } from './access-tokens.ts';
import { BusinessDirectory } from './business-directory.ts';
import type { Clock } from './clock.ts';
import { CustomerWindows } from './customer-windows.ts';
import { Customers } from './customers.ts';
import { EmbeddedSignup } from './embedded-signup.ts';
import { MediaStore } from './media-store.ts';
import { MessagingLimit } from './messaging-limit.ts';
import { ObjectIds } from './object-ids.ts';
import { PairRateLimiter } from './pair-rate-limiter.ts';
import type { ScriptedResponse } from './scripted-responses.ts';
import type { RandomSource } from './seeded-random.ts';
import { initialSettings, type SimulatorConfig, type SimulatorSettings } from './simulator-config.ts';
import { SimulatorState } from './simulator-state.ts';
import { StatusEmitter } from './status-emitter.ts';
import { TaskScheduler } from './task-scheduler.ts';
import { TemplateRegistry } from './template-registry.ts';
import { ThroughputLimiter } from './throughput-limiter.ts';
import { WebhookSender } from './webhook-sender.ts';

/** Every part of one simulator, built once by `createSimulator` and shared by its routes. */
export interface SimulatorContext {
  config: SimulatorConfig;
  settings: SimulatorSettings;
  clock: Clock;
  random: RandomSource;
  ids: ObjectIds;
  directory: BusinessDirectory;
  tokens: AccessTokens;
  /** Meta's side of Embedded Signup: codes, their exchange, and the assets a signup creates. */
  signup: EmbeddedSignup;
  templates: TemplateRegistry;
  media: MediaStore;
  windows: CustomerWindows;
  throughput: ThroughputLimiter;
  pairRate: PairRateLimiter;
  messagingLimit: MessagingLimit;
  state: SimulatorState;
  scheduler: TaskScheduler;
  sender: WebhookSender;
  statuses: StatusEmitter;
  customers: Customers;
  undeliverable: Set<string>;
  /** Where webhooks go when a WABA has no override; changeable after start (`setWebhookUrl`). */
  webhook: { url: string | null };
  /** Requests left hanging by a timeout fault; `close()` destroys them. */
  hungSockets: Set<Socket>;
  /** Answers the next Graph calls get instead of their real ones, first in first out (`scriptNext`). */
  scripted: ScriptedResponse[];
  /** Told when something the state file keeps may have changed; the state file listens (`stateFile`). */
  changes: ChangeSignal;
}

/** One listener, swapped in by the state file; a no-op until then. */
export interface ChangeSignal {
  notify(): void;
}

export function loadTemplates(context: Pick<SimulatorContext, 'config' | 'templates'>): void {
  context.templates.clear();
  for (const waba of context.config.wabas) {
    for (const template of waba.templates ?? []) context.templates.add(waba.id, template);
  }
}

export function createSimulatorContext(config: SimulatorConfig): SimulatorContext {
  const { clock, random } = config;
  const settings = initialSettings(config);
  const ids = new ObjectIds(random);
  const directory = new BusinessDirectory(config.wabas);
  const state = new SimulatorState();
  const scheduler = new TaskScheduler();
  const webhook = { url: config.webhookUrl };
  const changes: ChangeSignal = { notify: () => {} };
  const sender = new WebhookSender({
    appSecret: config.appSecret,
    delivery: config.webhookDelivery,
    state,
    clock,
    resolveUrl: (wabaId) => {
      const waba = directory.waba(wabaId);
      if (!waba?.isSubscribed) return null;
      return waba.overrideCallbackUri ?? webhook.url;
    },
  });
  const windows = new CustomerWindows();
  const media = new MediaStore();
  const templates = new TemplateRegistry(ids);
  const tokens = new AccessTokens(config.accessGrants);
  const context: SimulatorContext = {
    config,
    settings,
    clock,
    random,
    ids,
    directory,
    tokens,
    signup: new EmbeddedSignup({
      directory,
      templates,
      tokens,
      ids,
      clock,
      codeTtlMs: config.signupCodeTtlMs,
    }),
    templates,
    media,
    windows,
    throughput: new ThroughputLimiter(),
    pairRate: new PairRateLimiter(config.pairRateLimit),
    messagingLimit: new MessagingLimit(),
    state,
    scheduler,
    sender,
    statuses: new StatusEmitter({ scheduler, sender, settings, random, clock, ids, state }),
    customers: new Customers(config.personas, {
      directory,
      windows,
      scheduler,
      sender,
      ids,
      clock,
      random,
      state,
      media,
      settings,
      changes,
    }),
    undeliverable: new Set(config.undeliverableRecipients),
    webhook,
    hungSockets: new Set(),
    scripted: [],
    changes,
  };
  loadTemplates(context);
  return context;
}
