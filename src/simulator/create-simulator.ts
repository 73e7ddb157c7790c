import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { GrantOptions } from './access-tokens.ts';
import { changePhoneNumberQuality, type QualityChange, sendAccountUpdate } from './account-events.ts';
import { buildSimulatorApp } from './build-simulator-app.ts';
import { messagesPerSecondFor, type PhoneNumberRecord } from './business-directory.ts';
import type { CustomerMessage } from './customers.ts';
import type { IssuedSignup, SignupInput } from './embedded-signup.ts';
import type { ScriptedResponse } from './scripted-responses.ts';
import { resolveSimulatorConfig } from './simulator-config.ts';
import { createSimulatorContext, type SimulatorContext } from './simulator-context.ts';
import {
  adjustSimulator,
  resetSimulator,
  type SimulatorAdjustments,
  tickSimulator,
  waitUntilIdle,
} from './simulator-controls.ts';
import type { Permission, Persona, SimulatorOptions, TemplateDefinition } from './simulator-options.ts';
import { restoreSnapshot, takeSnapshot } from './simulator-snapshot.ts';
import type { SimulatorState } from './simulator-state.ts';
import { SimulatorStateFile } from './simulator-state-file.ts';
import type { TemplateRecord } from './template-registry.ts';

/** Changes to a hosted number while the simulator runs (quality drops, tier upgrades, registration). */
export type PhoneNumberPatch = Partial<
  Pick<
    PhoneNumberRecord,
    'qualityRating' | 'messagingLimitTier' | 'throughputLevel' | 'messagesPerSecond' | 'isRegistered'
  >
>;

export interface Simulator {
  /** The Fastify app, built without listening: drive it with `inject()`, or call `listen()`. */
  readonly app: FastifyInstance;
  /** Listens on `port` (0: any free one) and `host` (default 127.0.0.1); resolves to the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** The base URL once listening, for `GRAPH_API_URL`. */
  readonly url: string | null;
  /** Stops listening, ends hung requests, clears every timer, and saves the state file. */
  close(): Promise<void>;
  /** Counters and the sent log: accepted sends per callback data and per number-second, rejections by code. */
  readonly state: SimulatorState;

  addPersona(persona: Persona): void;
  removePersona(waId: string): boolean;
  personas(): Persona[];
  /** Whether this phone number id is one the simulator hosts (the sandbox's, or one a signup created). */
  hostsPhoneNumber(phoneNumberId: string): boolean;
  /** A customer writes to a business number (the first hosted one when `to` is absent). */
  customerSays(message: CustomerMessage): { id: string };
  /** Until when the customer's phone shows the business typing (clock ms), or null (mark-as-read docs). */
  typingUntil(input: { from: string; to?: string }): number | null;
  /** The persona that wrote an inbound message by itself, or null when someone wrote it (`customerSays`). */
  scriptedBy(wamid: string): string | null;
  /** The quick-reply buttons of a template message the business sent. */
  quickReplies(wamid: string): Array<{ text: string; payload: string }>;
  /** Whether personas answer by themselves (see `configure({ canPersonasReply })`). */
  canPersonasReply(): boolean;
  /** A customer taps Meta's marketing "Stop": a `user_preferences` webhook, then 131050 on marketing templates. */
  customerStopsMarketing(input: { from: string; to?: string }): void;

  /** Changes faults, duplicate and reorder rates, status delays or the pair rate while running. */
  configure(adjustments: SimulatorAdjustments): void;
  setWebhookUrl(url: string | null): void;
  addAccessToken(token: string, wabaIds?: string[], options?: GrantOptions): void;
  /** Later calls with this token get 190 (session invalidated). */
  revokeAccessToken(token: string): void;
  /** The customer takes a permission back: calls needing it answer code 10, and debug_token no longer lists it. */
  revokePermission(token: string, permission: Permission): void;
  /** The token expires now: calls answer 190/463, and debug_token says is_valid false. */
  expireAccessToken(token: string): void;
  /**
   * A customer's pass through Embedded Signup: creates (or shares) a WABA with a test number and
   * templates, and returns the code (exchangeable once, for `signupCodeTtlMs`) and the session info.
   */
  issueSignupCode(input?: SignupInput): IssuedSignup;
  /** Meta changes a number's quality, limit or throughput, and says so with a `phone_number_quality_update`. */
  changePhoneNumberQuality(phoneNumberId: string, change: QualityChange): string;
  /** Meta sends an `account_update` webhook for a WABA (`{event, …}`). */
  sendAccountUpdate(wabaId: string, value: Record<string, unknown>): void;
  addTemplate(wabaId: string, template: TemplateDefinition): TemplateRecord;
  updatePhoneNumber(phoneNumberId: string, patch: PhoneNumberPatch): void;
  /** Makes sends to this customer fail with 131026 (not on WhatsApp). */
  markUndeliverable(waId: string): void;
  /** The next Graph call (of any route) gets this answer instead of its own; several queue up in order. */
  scriptNext(response: ScriptedResponse): void;
  /**
   * Media as if a customer had sent it to a number (the first hosted one when absent); returns its id.
   * `sha256` overrides the hash `GET /{media-id}` reports, to test a client's integrity check.
   */
  seedMedia(media: { bytes: Uint8Array; mimeType: string; phoneNumberId?: string; sha256?: string }): string;

  /** Holds statuses and replies until `resume()` or `tick()`. */
  pause(): void;
  resume(): void;
  /** Fires every held or scheduled status and reply now; resolves when their webhooks were delivered. */
  tick(): Promise<number>;
  /** Waits until nothing is scheduled and every webhook was delivered (or dropped after its retries). */
  idle(timeoutMs?: number): Promise<void>;
  /** Back to the configured start; keeps the webhook URL. */
  reset(): void;
}

function baseUrl(address: AddressInfo | string | null, host: string): string {
  if (address === null || typeof address === 'string')
    throw new Error('The simulator is not listening on TCP');
  const shownHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shownHost}:${address.port}`;
}

/**
 * A local WhatsApp Cloud API: Graph endpoints for sending, media, templates, numbers and subscriptions;
 * signed status and message webhooks; simulated customers; and injected faults. It shares no code with
 * `src/whatsapp/`, so that it checks our client instead of agreeing with it.
 */
export function createSimulator(options: SimulatorOptions): Simulator {
  const context: SimulatorContext = createSimulatorContext(resolveSimulatorConfig(options));
  const stateFile = context.config.stateFile
    ? new SimulatorStateFile(context.config.stateFile, () => takeSnapshot(context))
    : null;
  if (stateFile) {
    const saved = SimulatorStateFile.read(stateFile.path);
    if (saved) restoreSnapshot(context, saved);
    context.changes.notify = () => stateFile.changed();
  }
  const app = buildSimulatorApp(context);
  let url: string | null = null;
  let isClosed = false;
  /** Runs a change made through this object, then lets the state file know. */
  const changing = <T>(change: () => T): T => {
    const result = change();
    context.changes.notify();
    return result;
  };

  return {
    app,
    get url() {
      return url;
    },
    get state() {
      return context.state;
    },
    async listen(port = 0, host = '127.0.0.1') {
      await app.listen({ port, host });
      url = baseUrl(app.server.address(), host);
      return url;
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      context.scheduler.close();
      for (const socket of context.hungSockets) socket.destroy();
      context.hungSockets.clear();
      await context.sender.close();
      await app.close();
      // The last save: nothing after it may write, or it could overwrite the state of a simulator that
      // starts next on the same file.
      context.changes.notify = () => {};
      await stateFile?.flush();
    },
    addPersona: (persona) => context.customers.addPersona(persona),
    removePersona: (waId) => context.customers.removePersona(waId),
    personas: () => context.customers.personas(),
    hostsPhoneNumber: (phoneNumberId) => context.directory.phoneNumber(phoneNumberId) !== undefined,
    customerSays: (message) => context.customers.say(message),
    typingUntil: ({ from, to }) => {
      const phoneNumberId = to ?? context.directory.firstPhoneNumber()?.id;
      return phoneNumberId === undefined ? null : context.customers.typingUntil(phoneNumberId, from);
    },
    scriptedBy: (wamid) => context.customers.scriptedBy(wamid),
    quickReplies: (wamid) => context.customers.quickReplies(wamid),
    canPersonasReply: () => context.settings.canPersonasReply,
    customerStopsMarketing: ({ from, to }) => changing(() => context.customers.stopMarketing(from, to)),
    configure: (adjustments) => adjustSimulator(context, adjustments),
    setWebhookUrl(next) {
      if (next !== null && !URL.canParse(next)) throw new Error(`"${next}" is not a URL`);
      context.webhook.url = next;
    },
    addAccessToken: (token, wabaIds, grantOptions) =>
      changing(() => context.tokens.add(token, wabaIds ?? null, grantOptions)),
    revokeAccessToken: (token) => changing(() => context.tokens.revoke(token)),
    revokePermission(token, permission) {
      if (!changing(() => context.tokens.revokePermission(token, permission)))
        throw new Error('No such access token');
    },
    expireAccessToken(token) {
      if (!changing(() => context.tokens.expire(token, context.clock.now())))
        throw new Error('No such access token');
    },
    issueSignupCode: (input) => changing(() => context.signup.issue(input)),
    changePhoneNumberQuality: (phoneNumberId, change) =>
      changing(() => changePhoneNumberQuality(context, phoneNumberId, change)),
    sendAccountUpdate: (wabaId, value) => sendAccountUpdate(context, wabaId, value),
    addTemplate(wabaId, template) {
      if (!context.directory.waba(wabaId)) throw new Error(`No hosted WABA ${wabaId}`);
      return changing(() => context.templates.add(wabaId, template));
    },
    updatePhoneNumber(phoneNumberId, patch) {
      const number = context.directory.phoneNumber(phoneNumberId);
      if (!number) throw new Error(`No hosted phone number ${phoneNumberId}`);
      changing(() => {
        Object.assign(number, patch);
        if (patch.throughputLevel !== undefined && patch.messagesPerSecond === undefined) {
          number.messagesPerSecond = messagesPerSecondFor(patch.throughputLevel);
        }
      });
    },
    markUndeliverable(waId) {
      changing(() => context.undeliverable.add(waId));
    },
    scriptNext(response) {
      context.scripted.push(response);
    },
    seedMedia({ bytes, mimeType, phoneNumberId, sha256 }) {
      const numberId = phoneNumberId ?? context.directory.firstPhoneNumber()?.id;
      if (!numberId) throw new Error('seedMedia: the simulator hosts no phone number');
      const stored = context.media.add(context.ids.numeric(), numberId, mimeType, Buffer.from(bytes), null);
      if (sha256 !== undefined) stored.sha256Hex = sha256;
      return stored.id;
    },
    pause: () => context.scheduler.pause(),
    resume: () => context.scheduler.resume(),
    tick: () => tickSimulator(context),
    idle: (timeoutMs) => waitUntilIdle(context, timeoutMs),
    reset: () => changing(() => resetSimulator(context)),
  };
}
