import type { PhoneNumberRecord } from './business-directory.ts';
import type { Clock } from './clock.ts';
import type { StatusError } from './graph-error.ts';
import type { ObjectIds } from './object-ids.ts';
import type { RandomSource } from './seeded-random.ts';
import type { SimulatorSettings } from './simulator-config.ts';
import type { SentRecord, SimulatorState } from './simulator-state.ts';
import type { TaskScheduler } from './task-scheduler.ts';
import type { WebhookSender } from './webhook-sender.ts';

/** What became of a message on the customer's phone. */
export type DeliveryOutcome =
  | { kind: 'read' }
  | { kind: 'delivered' }
  /** Reactions only ever get `sent` (cloud-api-details.md §1.6). */
  | { kind: 'sent-only' }
  | { kind: 'failed'; error: StatusError };

/** `pricing` of a status: per-message pricing (PMP) since 1 July 2025; service replies in the window are free. */
export interface Pricing {
  category: string;
  isBillable: boolean;
  type: 'regular' | 'free_customer_service';
}

const DAY_SECONDS = 24 * 60 * 60;

interface PlannedStatus {
  status: 'sent' | 'delivered' | 'read' | 'failed';
  delayMs: number;
}

/**
 * Sends the status webhooks of an accepted message (sent, delivered, read; or failed) after the
 * configured delays, echoing `biz_opaque_callback_data` and carrying `conversation` and `pricing` like
 * Meta's v23 webhooks. Some messages get their statuses out of order (`reorderRate`: read before
 * delivered, as Meta warns), and some statuses come twice (`duplicateRate`), later.
 */
export class StatusEmitter {
  readonly #scheduler: TaskScheduler;
  readonly #sender: WebhookSender;
  readonly #settings: SimulatorSettings;
  readonly #random: RandomSource;
  readonly #clock: Clock;
  readonly #ids: ObjectIds;
  readonly #state: SimulatorState;

  constructor(dependencies: {
    scheduler: TaskScheduler;
    sender: WebhookSender;
    settings: SimulatorSettings;
    random: RandomSource;
    clock: Clock;
    ids: ObjectIds;
    state: SimulatorState;
  }) {
    this.#scheduler = dependencies.scheduler;
    this.#sender = dependencies.sender;
    this.#settings = dependencies.settings;
    this.#random = dependencies.random;
    this.#clock = dependencies.clock;
    this.#ids = dependencies.ids;
    this.#state = dependencies.state;
  }

  emit(record: SentRecord, number: PhoneNumberRecord, outcome: DeliveryOutcome, pricing: Pricing): void {
    const { sentMs, deliveredMs, readMs } = this.#settings.statusDelays;
    const plan: PlannedStatus[] =
      outcome.kind === 'failed'
        ? [{ status: 'failed', delayMs: sentMs }]
        : outcome.kind === 'sent-only'
          ? [{ status: 'sent', delayMs: sentMs }]
          : outcome.kind === 'delivered'
            ? [
                { status: 'sent', delayMs: sentMs },
                { status: 'delivered', delayMs: deliveredMs },
              ]
            : [
                { status: 'sent', delayMs: sentMs },
                { status: 'delivered', delayMs: deliveredMs },
                { status: 'read', delayMs: readMs },
              ];
    // Timestamps keep the true order even when arrival is shuffled below.
    const acceptedAtMs = this.#clock.now();
    const timestamps = plan.map((planned) => Math.floor((acceptedAtMs + planned.delayMs) / 1000));
    if (plan.length > 1 && this.#random() < this.#settings.reorderRate) {
      // Swap two statuses: the earlier one now arrives strictly after the later one.
      const earlier = Math.floor(this.#random() * (plan.length - 1));
      const later = earlier + 1 + Math.floor(this.#random() * (plan.length - 1 - earlier));
      const earlierStatus = plan[earlier] as PlannedStatus;
      const laterStatus = plan[later] as PlannedStatus;
      const slowest = Math.max(earlierStatus.delayMs, laterStatus.delayMs);
      laterStatus.delayMs = Math.min(earlierStatus.delayMs, laterStatus.delayMs);
      earlierStatus.delayMs = slowest + 1;
    }
    const conversationId = this.#ids.hex32();
    plan.forEach((planned, index) => {
      const status = this.#statusJson(
        record,
        planned.status,
        timestamps[index] as number,
        conversationId,
        outcome,
        pricing,
      );
      this.#scheduler.schedule(planned.delayMs, () => this.#queue(record, number, planned.status, status));
    });
  }

  #statusJson(
    record: SentRecord,
    status: PlannedStatus['status'],
    timestamp: number,
    conversationId: string,
    outcome: DeliveryOutcome,
    pricing: Pricing,
  ): Record<string, unknown> {
    const json: Record<string, unknown> = {
      id: record.id,
      status,
      timestamp: String(timestamp),
      recipient_id: record.recipient,
    };
    // Meta puts pricing on `sent` and on one of delivered/read; failures carry errors instead.
    if (status === 'sent' || status === 'delivered') {
      json.conversation = {
        id: conversationId,
        ...(status === 'sent' ? { expiration_timestamp: String(timestamp + DAY_SECONDS) } : {}),
        origin: { type: pricing.category },
      };
      json.pricing = {
        billable: pricing.isBillable,
        pricing_model: 'PMP',
        type: pricing.type,
        category: pricing.category,
      };
    }
    if (record.bizOpaqueCallbackData !== null) json.biz_opaque_callback_data = record.bizOpaqueCallbackData;
    if (outcome.kind === 'failed') json.errors = [outcome.error];
    return json;
  }

  #queue(
    record: SentRecord,
    number: PhoneNumberRecord,
    statusName: string,
    status: Record<string, unknown>,
  ): void {
    record.statuses.push(statusName);
    this.#state.counts.statusesEmitted += 1;
    const item = {
      wabaId: number.wabaId,
      laneKey: record.recipient,
      field: 'messages',
      metadata: { display_phone_number: number.displayDigits, phone_number_id: number.id },
      status,
    };
    this.#sender.enqueue(item);
    if (this.#random() < this.#settings.duplicateRate) {
      // Meta's duplicates are retries: the same status again, a little later.
      this.#scheduler.schedule(1 + this.#random() * 20, () => this.#sender.enqueue(item));
    }
  }
}
