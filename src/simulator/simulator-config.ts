import { randomInt } from 'node:crypto';
import { type Clock, systemClock } from './clock.ts';
import { DEFAULT_ACCESS_TOKEN, defaultWabas } from './default-business.ts';
import { createSeededRandom, type RandomSource } from './seeded-random.ts';
import type {
  FaultRates,
  PairRateLimit,
  Permission,
  Persona,
  SimulatorOptions,
  StatusDelays,
  TokenType,
  WabaDefinition,
  WebhookDeliveryOptions,
} from './simulator-options.ts';

export interface AccessGrant {
  token: string;
  /** Null: the token sees every WABA. */
  wabaIds: readonly string[] | null;
  /** Granted permissions; a control route can take one back. */
  scopes: Permission[];
  /** Epoch ms; null: never expires. */
  expiresAt: number | null;
  type: TokenType;
}

export const allPermissions: readonly Permission[] = [
  'business_management',
  'whatsapp_business_management',
  'whatsapp_business_messaging',
];

/** The Meta app the simulator plays unless `appId` says otherwise. */
export const DEFAULT_APP = { id: '900000000000001', name: 'Coxcox Simulator App' };

/** The options with every default filled in, checked once. Faults and rates can change later (`settings`). */
export interface SimulatorConfig {
  readonly webhookUrl: string | null;
  readonly appSecret: string;
  readonly appId: string;
  readonly signupCodeTtlMs: number;
  readonly accessGrants: readonly AccessGrant[];
  readonly wabas: readonly WabaDefinition[];
  readonly personas: readonly Persona[];
  readonly canPersonasReply: boolean;
  readonly statusDelays: StatusDelays;
  readonly duplicateRate: number;
  readonly reorderRate: number;
  readonly faults: FaultRates;
  readonly pairRateLimit: PairRateLimit;
  readonly windowMs: number;
  readonly windowErrorDelivery: 'response' | 'status';
  readonly undeliverableRecipients: readonly string[];
  readonly placeholderRecipient: string;
  readonly seed: number;
  readonly random: RandomSource;
  readonly clock: Clock;
  readonly webhookDelivery: WebhookDeliveryOptions;
  readonly templateReviewMs: number;
  readonly logger: boolean;
  readonly stateFile: string | null;
}

export const defaultStatusDelays: StatusDelays = { sentMs: 5, deliveredMs: 10, readMs: 20 };
/** Meta: about one message per 6 s to one customer, with bursts of about 45 (cloud-api-details.md §5.2). */
export const defaultPairRateLimit: PairRateLimit = { burst: 45, intervalMs: 6_000 };
export const defaultWebhookDelivery: WebhookDeliveryOptions = {
  concurrency: 4,
  maxBatchSize: 100,
  retryDelaysMs: [100, 500, 2_000, 5_000], // four retries, then the body is dropped
  timeoutMs: 10_000, // 10 s
};
const DAY_MS = 24 * 60 * 60 * 1000;

export class SimulatorOptionError extends Error {
  readonly option: string;
  constructor(option: string, problem: string) {
    super(`Simulator option ${option}: ${problem}`);
    this.name = 'SimulatorOptionError';
    this.option = option;
  }
}

function rate(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0 || value > 1)
    throw new SimulatorOptionError(option, 'must be from 0 to 1');
  return value;
}

function duration(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new SimulatorOptionError(option, 'must be 0 ms or more');
  return value;
}

export function resolveFaultRates(input: Partial<FaultRates> | undefined, base: FaultRates): FaultRates {
  const faults: FaultRates = {
    rate5xx: rate('faults.rate5xx', input?.rate5xx, base.rate5xx),
    rate429: rate('faults.rate429', input?.rate429, base.rate429),
    timeoutRate: rate('faults.timeoutRate', input?.timeoutRate, base.timeoutRate),
    resetRate: rate('faults.resetRate', input?.resetRate, base.resetRate),
    acceptedBeforeFaultRate: rate(
      'faults.acceptedBeforeFaultRate',
      input?.acceptedBeforeFaultRate,
      base.acceptedBeforeFaultRate,
    ),
  };
  if (faults.rate5xx + faults.rate429 + faults.timeoutRate + faults.resetRate > 1) {
    throw new SimulatorOptionError('faults', 'the four rates add up to more than 1');
  }
  return faults;
}

export const noFaults: FaultRates = {
  rate5xx: 0,
  rate429: 0,
  timeoutRate: 0,
  resetRate: 0,
  acceptedBeforeFaultRate: 0.5,
};

function checkWabas(wabas: readonly WabaDefinition[]): void {
  const seen = new Set<string>();
  for (const waba of wabas) {
    for (const id of [waba.id, ...waba.phoneNumbers.map((number) => number.id)]) {
      if (!/^\d+$/.test(id)) throw new SimulatorOptionError('wabas', `id "${id}" must be digits`);
      if (seen.has(id)) throw new SimulatorOptionError('wabas', `id "${id}" is used twice`);
      seen.add(id);
    }
  }
}

export function resolveSimulatorConfig(options: SimulatorOptions): SimulatorConfig {
  if (typeof options.appSecret !== 'string' || options.appSecret === '') {
    throw new SimulatorOptionError('appSecret', 'is required (it keys X-Hub-Signature-256)');
  }
  const webhookUrl = options.webhookUrl ?? null;
  if (webhookUrl !== null && !URL.canParse(webhookUrl)) {
    throw new SimulatorOptionError('webhookUrl', `"${webhookUrl}" is not a URL`);
  }
  const accessGrants: AccessGrant[] = (options.accessTokens ?? [DEFAULT_ACCESS_TOKEN]).map((entry) =>
    typeof entry === 'string'
      ? { token: entry, wabaIds: null, scopes: [...allPermissions], expiresAt: null, type: 'SYSTEM_USER' }
      : {
          token: entry.token,
          wabaIds: entry.wabaIds ? [...entry.wabaIds] : null,
          scopes: [...(entry.scopes ?? allPermissions)],
          expiresAt: entry.expiresAt ?? null,
          type: entry.type ?? 'SYSTEM_USER',
        },
  );
  const appId = options.appId ?? DEFAULT_APP.id;
  if (appId === '' || appId.includes('|'))
    throw new SimulatorOptionError('appId', 'must be a non-empty id without "|"');
  const wabas = options.wabas ?? defaultWabas();
  checkWabas(wabas);
  const seed = options.seed ?? randomInt(2 ** 31);
  const delivery = { ...defaultWebhookDelivery, ...options.webhookDelivery };
  if (!Number.isInteger(delivery.concurrency) || delivery.concurrency < 1) {
    throw new SimulatorOptionError('webhookDelivery.concurrency', 'must be a whole number of 1 or more');
  }
  const pairRateLimit = { ...defaultPairRateLimit, ...options.pairRateLimit };
  if (pairRateLimit.burst < 1) throw new SimulatorOptionError('pairRateLimit.burst', 'must be 1 or more');
  return Object.freeze({
    webhookUrl,
    appSecret: options.appSecret,
    appId,
    signupCodeTtlMs: duration('signupCodeTtlMs', options.signupCodeTtlMs, 30_000), // 30 s, like Meta's codes
    accessGrants,
    wabas,
    personas: options.personas ?? [],
    canPersonasReply: options.canPersonasReply ?? true,
    statusDelays: {
      sentMs: duration('statusDelaysMs.sentMs', options.statusDelaysMs?.sentMs, defaultStatusDelays.sentMs),
      deliveredMs: duration(
        'statusDelaysMs.deliveredMs',
        options.statusDelaysMs?.deliveredMs,
        defaultStatusDelays.deliveredMs,
      ),
      readMs: duration('statusDelaysMs.readMs', options.statusDelaysMs?.readMs, defaultStatusDelays.readMs),
    },
    duplicateRate: rate('duplicateRate', options.duplicateRate, 0),
    reorderRate: rate('reorderRate', options.reorderRate, 0),
    faults: resolveFaultRates(options.faults, noFaults),
    pairRateLimit,
    windowMs: duration('windowMs', options.windowMs, DAY_MS),
    windowErrorDelivery: options.windowErrorDelivery ?? 'response',
    undeliverableRecipients: options.undeliverableRecipients ?? [],
    placeholderRecipient: options.placeholderRecipient ?? '16505551234',
    seed,
    random: options.random ?? createSeededRandom(seed),
    clock: options.clock ?? systemClock,
    webhookDelivery: delivery,
    templateReviewMs: duration('templateReviewMs', options.templateReviewMs, 0),
    logger: options.logger ?? false,
    stateFile: options.stateFile ?? null,
  });
}

/** What may change while the simulator runs (`POST /_simulator/faults`, `setFaults`). */
export interface SimulatorSettings {
  faults: FaultRates;
  duplicateRate: number;
  reorderRate: number;
  statusDelays: StatusDelays;
  /** Whether personas answer by themselves. */
  canPersonasReply: boolean;
}

export function initialSettings(config: SimulatorConfig): SimulatorSettings {
  return {
    canPersonasReply: config.canPersonasReply,
    faults: { ...config.faults },
    duplicateRate: config.duplicateRate,
    reorderRate: config.reorderRate,
    statusDelays: { ...config.statusDelays },
  };
}
