import type { BusinessDirectory, PhoneNumberRecord } from './business-directory.ts';
import type { Clock } from './clock.ts';
import type { CustomerWindows } from './customer-windows.ts';
import { SimulatedGraphError } from './graph-error.ts';
import type { MediaStore } from './media-store.ts';
import type { ObjectIds } from './object-ids.ts';
import {
  type BusinessMessageView,
  choosePersonaReply,
  defaultMaxReplies,
  type PersonaReply,
} from './persona-reply.ts';
import type { RandomSource } from './seeded-random.ts';
import type { SimulatorSettings } from './simulator-config.ts';
import type { Persona } from './simulator-options.ts';
import type { SimulatorState } from './simulator-state.ts';
import type { TaskScheduler } from './task-scheduler.ts';
import type { WebhookSender } from './webhook-sender.ts';

export type InboundMediaType = 'image' | 'audio' | 'video' | 'document' | 'sticker';

/** A message a simulated customer sends to a business number. */
export interface CustomerMessage {
  /** The customer's wa_id (digits). */
  from: string;
  /** The business phone number id; the first hosted number when absent. */
  to?: string;
  text?: string;
  /** Profile name in the webhook's `contacts`; a persona's name when absent. */
  name?: string;
  /** Quotes a message (`context.id`), as a reply in the chat does. */
  replyTo?: string;
  /** A tap on a template's quick-reply button: Meta sends a `button` message with its payload and text. */
  button?: { payload: string; text: string };
  media?: {
    type: InboundMediaType;
    bytes: Uint8Array;
    mimeType: string;
    caption?: string;
    filename?: string;
  };
}

const profiles = new Set<string>(['interested', 'not-interested', 'opt-out', 'silent', 'random', 'scripted']);
const languages = new Set<string>(['en', 'es', 'pt']);

export interface CustomerDependencies {
  directory: BusinessDirectory;
  windows: CustomerWindows;
  scheduler: TaskScheduler;
  sender: WebhookSender;
  ids: ObjectIds;
  clock: Clock;
  random: RandomSource;
  state: SimulatorState;
  media: MediaStore;
  settings: SimulatorSettings;
  /** A customer's message opens a window, which the state file keeps. */
  changes: { notify(): void };
}

/** Meta shows the typing bubble until the business's next message, or 25 s at most (mark-as-read docs). */
const TYPING_MS = 25_000;
/** Inbound messages and buttons sent, remembered for the sandbox phone; the oldest are forgotten first. */
const REMEMBERED = 10_000;

interface InboundRecord {
  from: string;
  phoneNumberId: string;
  /** The persona that wrote it by itself, or null when someone asked for it (`say`). */
  persona: string | null;
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.set(key, value);
  if (map.size > REMEMBERED) map.delete(map.keys().next().value!);
}

interface PersonaRuntime {
  persona: Persona;
  repliesSent: number;
  isReplyPending: boolean;
  lastMessage: { view: BusinessMessageView; number: PhoneNumberRecord } | null;
}

/**
 * The simulated customers: personas that answer what they receive, and messages sent on demand. Every
 * customer message opens (or restarts) the customer-service window and goes out as a signed webhook.
 */
export class Customers {
  readonly #personas = new Map<string, PersonaRuntime>();
  readonly #marketingStops = new Set<string>();
  readonly #inbound = new Map<string, InboundRecord>();
  /** `phone number id:wa_id` → when the business's typing bubble goes (clock ms). */
  readonly #typing = new Map<string, number>();
  readonly #quickReplies = new Map<string, BusinessMessageView['quickReplies']>();
  readonly #initial: readonly Persona[];
  readonly #deps: CustomerDependencies;

  constructor(personas: readonly Persona[], deps: CustomerDependencies) {
    this.#initial = personas;
    this.#deps = deps;
    for (const persona of personas) this.addPersona(persona);
  }

  addPersona(persona: Persona): void {
    if (!/^\d{8,15}$/.test(persona.waId))
      throw new Error(`Persona waId "${persona.waId}" must be 8 to 15 digits`);
    if (!profiles.has(persona.profile))
      throw new Error(`Persona profile "${persona.profile}" is not one of ${[...profiles].join(', ')}`);
    if (!languages.has(persona.language))
      throw new Error(`Persona language "${persona.language}" is not one of en, es, pt`);
    if (!(persona.replyDelayMs >= 0)) throw new Error('Persona replyDelayMs must be 0 ms or more');
    this.#personas.set(persona.waId, { persona, repliesSent: 0, isReplyPending: false, lastMessage: null });
  }

  removePersona(waId: string): boolean {
    return this.#personas.delete(waId);
  }

  personas(): Persona[] {
    return [...this.#personas.values()].map((runtime) => runtime.persona);
  }

  persona(waId: string): Persona | undefined {
    return this.#personas.get(waId)?.persona;
  }

  /** Silent personas never open what they get: their messages stop at `delivered`. */
  reads(waId: string): boolean {
    return this.#personas.get(waId)?.persona.profile !== 'silent';
  }

  isMarketingStopped(phoneNumberId: string, waId: string): boolean {
    return this.#marketingStops.has(`${phoneNumberId}:${waId}`);
  }

  /** `phone number id:wa_id` of every customer who stopped marketing, for the state file. */
  marketingStops(): string[] {
    return [...this.#marketingStops];
  }

  restoreMarketingStops(keys: readonly string[]): void {
    for (const key of keys) this.#marketingStops.add(key);
  }

  /** Sends a customer message as an inbound webhook; returns its wamid. */
  say(message: CustomerMessage): { id: string } {
    const number = this.#number(message.to);
    if (!/^\d{8,15}$/.test(message.from))
      throw new SimulatedGraphError(131009, `from "${message.from}" must be 8 to 15 digits`);
    const json = this.#content(message, number);
    return this.#send(number, message.from, message.name, json, message.replyTo ?? null, null);
  }

  /**
   * The business marked a customer's message read. With `typing_indicator`, the customer's phone shows
   * "typing…" until the business's next message to them, or 25 s.
   */
  markedRead(phoneNumberId: string, wamid: string, hasTypingIndicator: boolean): void {
    const inbound = this.#inbound.get(wamid);
    if (!hasTypingIndicator || !inbound || inbound.phoneNumberId !== phoneNumberId) return;
    remember(this.#typing, `${phoneNumberId}:${inbound.from}`, this.#deps.clock.now() + TYPING_MS);
  }

  /** Until when the customer's phone shows the business typing (clock ms), or null when it does not. */
  typingUntil(phoneNumberId: string, waId: string): number | null {
    const until = this.#typing.get(`${phoneNumberId}:${waId}`);
    return until !== undefined && until > this.#deps.clock.now() ? until : null;
  }

  /** The persona that wrote an inbound message by itself, or null (someone wrote it, or it is unknown). */
  scriptedBy(wamid: string): string | null {
    return this.#inbound.get(wamid)?.persona ?? null;
  }

  /** The quick-reply buttons of a template message the business sent, as the customer's phone shows them. */
  quickReplies(wamid: string): BusinessMessageView['quickReplies'] {
    return this.#quickReplies.get(wamid) ?? [];
  }

  /**
   * The customer taps "Stop" on a marketing message in WhatsApp: Meta sends a `user_preferences`
   * webhook, and marketing templates to them fail with 131050 from then on.
   */
  stopMarketing(from: string, to?: string): void {
    const number = this.#number(to);
    this.#marketingStops.add(`${number.id}:${from}`);
    const { clock, sender } = this.#deps;
    sender.enqueue({
      wabaId: number.wabaId,
      laneKey: from,
      field: 'user_preferences',
      value: {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: number.displayDigits, phone_number_id: number.id },
        contacts: [{ wa_id: from, profile: { name: this.#name(from) } }],
        user_preferences: [
          {
            wa_id: from,
            detail: 'User requested to stop marketing messages',
            category: 'marketing_messages',
            value: 'stop',
            timestamp: Math.floor(clock.now() / 1000),
          },
        ],
      },
    });
  }

  /** A business message reached a customer: a persona answers after its delay, at most once at a time. */
  onBusinessMessage(number: PhoneNumberRecord, recipient: string, view: BusinessMessageView): void {
    this.#typing.delete(`${number.id}:${recipient}`);
    if (view.quickReplies.length > 0) remember(this.#quickReplies, view.wamid, view.quickReplies);
    const runtime = this.#personas.get(recipient);
    if (!runtime || view.type === 'reaction' || !this.#deps.settings.canPersonasReply) return;
    runtime.lastMessage = { view, number };
    const maxReplies = runtime.persona.maxReplies ?? defaultMaxReplies(runtime.persona);
    if (runtime.isReplyPending || runtime.repliesSent >= maxReplies) return;
    runtime.isReplyPending = true;
    this.#deps.scheduler.schedule(runtime.persona.replyDelayMs, () => {
      runtime.isReplyPending = false;
      const last = runtime.lastMessage;
      // Turned off while the answer was pending: nobody writes it.
      if (!last || !this.#deps.settings.canPersonasReply) return;
      const reply = choosePersonaReply(runtime.persona, last.view, runtime.repliesSent, this.#deps.random);
      runtime.repliesSent += 1;
      if (reply) {
        const json = this.#replyJson(reply);
        this.#send(last.number, runtime.persona.waId, undefined, json, last.view.wamid, runtime.persona.name);
      }
    });
  }

  reset(): void {
    this.#personas.clear();
    this.#marketingStops.clear();
    this.#inbound.clear();
    this.#typing.clear();
    this.#quickReplies.clear();
    for (const persona of this.#initial) this.addPersona(persona);
  }

  #number(phoneNumberId: string | undefined): PhoneNumberRecord {
    const number =
      phoneNumberId === undefined
        ? this.#deps.directory.firstPhoneNumber()
        : this.#deps.directory.phoneNumber(phoneNumberId);
    if (!number) throw new SimulatedGraphError(100, `No hosted phone number ${phoneNumberId ?? ''}`.trim());
    return number;
  }

  #name(waId: string): string {
    return this.#personas.get(waId)?.persona.name ?? `Customer ${waId.slice(-4)}`;
  }

  #content(message: CustomerMessage, number: PhoneNumberRecord): Record<string, unknown> {
    if (message.media) {
      const { type, bytes, mimeType, caption, filename } = message.media;
      const stored = this.#deps.media.add(
        this.#deps.ids.numeric(),
        number.id,
        mimeType,
        Buffer.from(bytes),
        filename ?? null,
      );
      return {
        type,
        [type]: {
          ...(caption === undefined ? {} : { caption }),
          ...(filename === undefined ? {} : { filename }),
          mime_type: mimeType,
          sha256: stored.sha256Base64,
          id: stored.id,
          ...(type === 'audio' ? { voice: false } : {}),
          ...(type === 'sticker' ? { animated: false } : {}),
        },
      };
    }
    if (message.button) return { type: 'button', button: { ...message.button } };
    if (typeof message.text !== 'string' || message.text === '')
      throw new SimulatedGraphError(131008, 'text, a button or media is required');
    return { type: 'text', text: { body: message.text } };
  }

  #replyJson(reply: PersonaReply): Record<string, unknown> {
    switch (reply.type) {
      case 'text':
        return { type: 'text', text: { body: reply.text } };
      case 'button':
        return { type: 'button', button: { payload: reply.payload, text: reply.text } };
      case 'button_reply':
        return {
          type: 'interactive',
          interactive: { type: 'button_reply', button_reply: { id: reply.id, title: reply.title } },
        };
      case 'list_reply':
        return {
          type: 'interactive',
          interactive: { type: 'list_reply', list_reply: { id: reply.id, title: reply.title } },
        };
    }
  }

  #send(
    number: PhoneNumberRecord,
    from: string,
    name: string | undefined,
    content: Record<string, unknown>,
    contextId: string | null,
    persona: string | null,
  ): { id: string } {
    const { clock, ids, random, scheduler, sender, settings, state, windows } = this.#deps;
    const now = clock.now();
    const id = ids.wamid(from, 'inbound');
    remember(this.#inbound, id, { from, phoneNumberId: number.id, persona });
    windows.open(number.id, from, now);
    this.#deps.changes.notify();
    state.counts.inboundMessages += 1;
    const message: Record<string, unknown> = {
      ...(contextId === null ? {} : { context: { from: number.displayDigits, id: contextId } }),
      from,
      id,
      timestamp: String(Math.floor(now / 1000)),
      ...content,
    };
    const item = {
      wabaId: number.wabaId,
      laneKey: from,
      field: 'messages',
      metadata: { display_phone_number: number.displayDigits, phone_number_id: number.id },
      contact: { profile: { name: name ?? this.#name(from) }, wa_id: from },
      message,
    };
    sender.enqueue(item);
    if (random() < settings.duplicateRate) scheduler.schedule(1 + random() * 20, () => sender.enqueue(item));
    return { id };
  }
}
