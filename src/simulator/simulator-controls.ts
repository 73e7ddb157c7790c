import { initialSettings, resolveFaultRates } from './simulator-config.ts';
import { loadTemplates, type SimulatorContext } from './simulator-context.ts';
import type { FaultRates, PairRateLimit, StatusDelays } from './simulator-options.ts';

/** What `configure()` and `POST /_simulator/faults` may change while the simulator runs. */
export interface SimulatorAdjustments {
  faults?: Partial<FaultRates>;
  duplicateRate?: number;
  reorderRate?: number;
  statusDelaysMs?: Partial<StatusDelays>;
  pairRateLimit?: Partial<PairRateLimit>;
  /** Personas answer by themselves (true) or only write when asked to (false). */
  canPersonasReply?: boolean;
}

function checkRate(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`${name} must be a number from 0 to 1`);
  }
  return value;
}

function checkDelay(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be 0 ms or more`);
  return value;
}

export function adjustSimulator(context: SimulatorContext, adjustments: SimulatorAdjustments): void {
  const { settings } = context;
  // Check everything before changing anything.
  const faults = resolveFaultRates(adjustments.faults, settings.faults);
  const duplicateRate = checkRate('duplicateRate', adjustments.duplicateRate, settings.duplicateRate);
  const reorderRate = checkRate('reorderRate', adjustments.reorderRate, settings.reorderRate);
  const delays = adjustments.statusDelaysMs ?? {};
  const statusDelays = {
    sentMs: checkDelay('statusDelaysMs.sentMs', delays.sentMs, settings.statusDelays.sentMs),
    deliveredMs: checkDelay(
      'statusDelaysMs.deliveredMs',
      delays.deliveredMs,
      settings.statusDelays.deliveredMs,
    ),
    readMs: checkDelay('statusDelaysMs.readMs', delays.readMs, settings.statusDelays.readMs),
  };
  const pairRateLimit = { ...context.pairRate.limit, ...adjustments.pairRateLimit };
  if (!(pairRateLimit.burst >= 1) || !(pairRateLimit.intervalMs >= 0)) {
    throw new RangeError('pairRateLimit needs burst ≥ 1 and intervalMs ≥ 0');
  }
  if (adjustments.canPersonasReply !== undefined && typeof adjustments.canPersonasReply !== 'boolean')
    throw new RangeError('canPersonasReply must be true or false');
  settings.faults = faults;
  if (adjustments.canPersonasReply !== undefined) settings.canPersonasReply = adjustments.canPersonasReply;
  settings.duplicateRate = duplicateRate;
  settings.reorderRate = reorderRate;
  settings.statusDelays = statusDelays;
  context.pairRate.limit = pairRateLimit;
}

/**
 * Back to the configured start: counters, sent log, windows, limits, media, personas, numbers,
 * templates and tokens; pending statuses and webhooks are dropped. The webhook URL stays.
 */
export function resetSimulator(context: SimulatorContext): void {
  context.scheduler.clear();
  context.sender.clear();
  context.state.reset();
  context.windows.reset();
  context.throughput.reset();
  context.pairRate.reset();
  context.pairRate.limit = context.config.pairRateLimit;
  context.messagingLimit.reset();
  context.media.reset();
  context.scripted.length = 0;
  context.customers.reset();
  context.directory.reset();
  context.tokens.reset();
  context.signup.reset();
  loadTemplates(context);
  Object.assign(context.settings, initialSettings(context.config));
  context.undeliverable.clear();
  for (const waId of context.config.undeliverableRecipients) context.undeliverable.add(waId);
}

/** Fires every scheduled status and reply now, then waits until their webhooks were delivered. */
export async function tickSimulator(context: SimulatorContext): Promise<number> {
  let ran = 0;
  do {
    ran += context.scheduler.runAll();
    await context.sender.idle();
  } while (context.scheduler.pending > 0);
  return ran;
}

/** Waits, in real time, until nothing is scheduled and every webhook was delivered or dropped. */
export async function waitUntilIdle(context: SimulatorContext, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (context.scheduler.pending === 0) {
      await context.sender.idle();
      if (context.scheduler.pending === 0) return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Simulator still busy after ${timeoutMs} ms: ${context.scheduler.pending} scheduled, ${context.sender.pending} webhooks`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
