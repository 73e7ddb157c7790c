import type { PhoneNumberRecord, WabaRecord } from './business-directory.ts';
import { isRecord } from './is-record.ts';
import type { AccessGrant } from './simulator-config.ts';
import type { SimulatorContext } from './simulator-context.ts';
import type { TemplateRecord } from './template-registry.ts';

/**
 * What Meta would still know after the simulator restarts: the WABAs and numbers (with their
 * registration, subscription and quality), the tokens, the templates, open customer-service windows,
 * marketing stops and undeliverable customers, and how many ids were issued. Counters, the sent log,
 * media (its URLs live 5 minutes), pending statuses and fault settings are a run's, and start over.
 */
export interface SimulatorSnapshot {
  version: 1;
  idsIssued: number;
  signupNumbersCreated: number;
  wabas: WabaRecord[];
  phoneNumbers: PhoneNumberRecord[];
  tokens: { grants: AccessGrant[]; revoked: string[] };
  templates: TemplateRecord[];
  windows: Array<[string, number]>;
  marketingStops: string[];
  undeliverable: string[];
}

export function takeSnapshot(context: SimulatorContext): SimulatorSnapshot {
  const directory = context.directory.snapshot();
  return {
    version: 1,
    idsIssued: context.ids.issued,
    signupNumbersCreated: context.signup.numbersCreated,
    wabas: directory.wabas,
    phoneNumbers: directory.phoneNumbers,
    tokens: context.tokens.snapshot(),
    templates: context.templates.all(),
    windows: context.windows.openEntries(context.clock.now(), context.config.windowMs),
    marketingStops: context.customers.marketingStops(),
    undeliverable: [...context.undeliverable],
  };
}

/**
 * Puts a snapshot back over the configured start. A WABA in the snapshot keeps exactly its saved
 * templates; a WABA configured since then keeps its configured ones.
 */
export function restoreSnapshot(context: SimulatorContext, snapshot: SimulatorSnapshot): void {
  context.ids.continueAfter(snapshot.idsIssued);
  context.signup.numbersCreated = snapshot.signupNumbersCreated;
  context.directory.restore(snapshot);
  context.tokens.restore(snapshot.tokens);
  context.templates.restore(
    snapshot.wabas.map((waba) => waba.id),
    snapshot.templates,
  );
  context.windows.restore(snapshot.windows);
  context.customers.restoreMarketingStops(snapshot.marketingStops);
  for (const waId of snapshot.undeliverable) context.undeliverable.add(waId);
}

/** Checks the shape of a state file's JSON; throws naming what is wrong. */
export function parseSnapshot(json: unknown): SimulatorSnapshot {
  if (!isRecord(json)) throw new Error('it is not a JSON object');
  if (json.version !== 1) throw new Error(`version ${String(json.version)} is not 1`);
  for (const field of ['idsIssued', 'signupNumbersCreated'] as const) {
    if (typeof json[field] !== 'number') throw new Error(`${field} is not a number`);
  }
  for (const field of ['wabas', 'phoneNumbers', 'templates', 'windows', 'marketingStops', 'undeliverable']) {
    if (!Array.isArray(json[field])) throw new Error(`${field} is not a list`);
  }
  const tokens = json.tokens;
  if (!isRecord(tokens) || !Array.isArray(tokens.grants) || !Array.isArray(tokens.revoked)) {
    throw new Error('tokens must have grants and revoked lists');
  }
  return json as unknown as SimulatorSnapshot;
}
