/** One accepted outbound message, as `GET /_simulator/sent` lists it. */
export interface SentRecord {
  /** The wamid the send answered with. */
  id: string;
  phoneNumberId: string;
  wabaId: string;
  /** The customer's WhatsApp id (digits). */
  recipient: string;
  /** `to` as the client sent it. */
  input: string;
  type: string;
  templateName: string | null;
  templateLanguage: string | null;
  /** Pricing category: marketing, utility, authentication or service. */
  category: string;
  bizOpaqueCallbackData: string | null;
  /** Clock time of acceptance, in ms. */
  timestamp: number;
  text: string | null;
  /** Statuses emitted so far, in the order they were queued for delivery. */
  statuses: string[];
  /** The request body, as parsed. */
  request: unknown;
}

export interface Counts {
  accepted: number;
  rejected: number;
  markedRead: number;
  inboundMessages: number;
  statusesEmitted: number;
  webhookPosts: number;
  webhookFailures: number;
  webhookRetries: number;
  webhooksDropped: number;
  webhooksSuppressed: number;
  mediaUploaded: number;
  faults5xx: number;
  faults429: number;
  faultsTimeout: number;
  faultsReset: number;
}

function zeroCounts(): Counts {
  return {
    accepted: 0,
    rejected: 0,
    markedRead: 0,
    inboundMessages: 0,
    statusesEmitted: 0,
    webhookPosts: 0,
    webhookFailures: 0,
    webhookRetries: 0,
    webhooksDropped: 0,
    webhooksSuppressed: 0,
    mediaUploaded: 0,
    faults5xx: 0,
    faults429: 0,
    faultsTimeout: 0,
    faultsReset: 0,
  };
}

/** Keeps the newest sends; counters are never trimmed. */
const SENT_LOG_LIMIT = 200_000;

/**
 * What tests assert on: how often each `biz_opaque_callback_data` was accepted (exactly-once), how many
 * sends each number had accepted in each clock second (rate limits held), and rejections by code.
 */
export class SimulatorState {
  counts: Counts = zeroCounts();
  readonly acceptedByCallbackData = new Map<string, number>();
  /** Phone number id → clock second (epoch seconds) → accepted sends. */
  readonly acceptedPerSecond = new Map<string, Map<number, number>>();
  readonly rejectionsByCode = new Map<number, number>();
  readonly sent: SentRecord[] = [];
  readonly #sentById = new Map<string, SentRecord>();

  recordAccepted(record: SentRecord): void {
    this.counts.accepted += 1;
    if (record.bizOpaqueCallbackData !== null) {
      const key = record.bizOpaqueCallbackData;
      this.acceptedByCallbackData.set(key, (this.acceptedByCallbackData.get(key) ?? 0) + 1);
    }
    const second = Math.floor(record.timestamp / 1000);
    let perSecond = this.acceptedPerSecond.get(record.phoneNumberId);
    if (!perSecond) {
      perSecond = new Map();
      this.acceptedPerSecond.set(record.phoneNumberId, perSecond);
    }
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    this.sent.push(record);
    this.#sentById.set(record.id, record);
    if (this.sent.length > SENT_LOG_LIMIT * 1.25) {
      for (const dropped of this.sent.splice(0, this.sent.length - SENT_LOG_LIMIT))
        this.#sentById.delete(dropped.id);
    }
  }

  recordRejected(code: number): void {
    this.counts.rejected += 1;
    this.rejectionsByCode.set(code, (this.rejectionsByCode.get(code) ?? 0) + 1);
  }

  sentMessage(wamid: string): SentRecord | undefined {
    return this.#sentById.get(wamid);
  }

  /** The most sends one clock second saw on this number. */
  maxAcceptedPerSecond(phoneNumberId: string): number {
    let max = 0;
    for (const count of this.acceptedPerSecond.get(phoneNumberId)?.values() ?? []) max = Math.max(max, count);
    return max;
  }

  /** Callback data accepted more than once: empty when every outbox item went out exactly once. */
  duplicateCallbackData(): string[] {
    return [...this.acceptedByCallbackData].filter(([, count]) => count > 1).map(([key]) => key);
  }

  /** JSON for `GET /_simulator/state`. */
  snapshot(): Record<string, unknown> {
    return {
      counts: { ...this.counts },
      rejectionsByCode: Object.fromEntries(this.rejectionsByCode),
      maxAcceptedPerSecond: Object.fromEntries(
        [...this.acceptedPerSecond.keys()].map((phoneNumberId) => [
          phoneNumberId,
          this.maxAcceptedPerSecond(phoneNumberId),
        ]),
      ),
      distinctCallbackData: this.acceptedByCallbackData.size,
      duplicateCallbackData: this.duplicateCallbackData().length,
    };
  }

  reset(): void {
    this.counts = zeroCounts();
    this.acceptedByCallbackData.clear();
    this.acceptedPerSecond.clear();
    this.rejectionsByCode.clear();
    this.sent.length = 0;
    this.#sentById.clear();
  }
}
