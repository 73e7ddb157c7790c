import type {
  MessagingLimitTier,
  QualityRating,
  ThroughputLevel,
  WabaDefinition,
} from './simulator-options.ts';

/** Messages per second by throughput level (cloud-api-details.md §5.1): 80 by default, 1,000 upgraded. */
const messagesPerSecondByLevel: Record<ThroughputLevel, number> = {
  STANDARD: 80,
  HIGH: 1_000,
  NOT_APPLICABLE: 80,
};

export function messagesPerSecondFor(level: ThroughputLevel): number {
  return messagesPerSecondByLevel[level];
}

export interface PhoneNumberRecord {
  id: string;
  wabaId: string;
  displayPhoneNumber: string;
  /** The digits of the display number: what webhooks carry in `metadata.display_phone_number`. */
  displayDigits: string;
  verifiedName: string;
  qualityRating: QualityRating;
  messagingLimitTier: MessagingLimitTier;
  throughputLevel: ThroughputLevel;
  messagesPerSecond: number;
  isRegistered: boolean;
}

export interface WabaRecord {
  id: string;
  name: string;
  phoneNumberIds: string[];
  isSubscribed: boolean;
  /** Set by `POST /{waba-id}/subscribed_apps {override_callback_uri}`: this WABA's webhooks go there. */
  overrideCallbackUri: string | null;
}

/** The WABAs and business phone numbers the simulator hosts. */
export class BusinessDirectory {
  readonly #wabas = new Map<string, WabaRecord>();
  readonly #numbers = new Map<string, PhoneNumberRecord>();
  readonly #definitions: readonly WabaDefinition[];

  constructor(wabas: readonly WabaDefinition[]) {
    this.#definitions = wabas;
    this.reset();
  }

  /** Back to the configured numbers: registration, subscriptions and overrides as first given. */
  reset(): void {
    this.#wabas.clear();
    this.#numbers.clear();
    for (const waba of this.#definitions) this.addWaba(waba);
  }

  /** Hosts one more WABA and its numbers (what Embedded Signup creates); `reset()` removes it again. */
  addWaba(waba: WabaDefinition): void {
    for (const id of [waba.id, ...waba.phoneNumbers.map((number) => number.id)]) {
      if (this.#wabas.has(id) || this.#numbers.has(id)) throw new Error(`id ${id} is already hosted`);
    }
    this.#wabas.set(waba.id, {
      id: waba.id,
      name: waba.name ?? `WABA ${waba.id}`,
      phoneNumberIds: waba.phoneNumbers.map((number) => number.id),
      isSubscribed: waba.isSubscribed ?? true,
      overrideCallbackUri: null,
    });
    for (const number of waba.phoneNumbers) {
      const throughputLevel = number.throughputLevel ?? 'STANDARD';
      this.#numbers.set(number.id, {
        id: number.id,
        wabaId: waba.id,
        displayPhoneNumber: number.displayPhoneNumber,
        displayDigits: number.displayPhoneNumber.replace(/\D/g, ''),
        verifiedName: number.verifiedName ?? waba.name ?? 'Simulated Business',
        qualityRating: number.qualityRating ?? 'GREEN',
        messagingLimitTier: number.messagingLimitTier ?? 'TIER_UNLIMITED',
        throughputLevel,
        messagesPerSecond: number.messagesPerSecond ?? messagesPerSecondByLevel[throughputLevel],
        isRegistered: number.isRegistered ?? true,
      });
    }
  }

  /** Every WABA and number as it is now (registration, subscription, quality), for the state file. */
  snapshot(): { wabas: WabaRecord[]; phoneNumbers: PhoneNumberRecord[] } {
    return {
      wabas: [...this.#wabas.values()].map((waba) => ({ ...waba, phoneNumberIds: [...waba.phoneNumberIds] })),
      phoneNumbers: [...this.#numbers.values()].map((number) => ({ ...number })),
    };
  }

  /** Puts back a snapshot: its records replace the configured ones with the same id, and add the rest. */
  restore(snapshot: { wabas: readonly WabaRecord[]; phoneNumbers: readonly PhoneNumberRecord[] }): void {
    for (const waba of snapshot.wabas)
      this.#wabas.set(waba.id, { ...waba, phoneNumberIds: [...waba.phoneNumberIds] });
    for (const number of snapshot.phoneNumbers) this.#numbers.set(number.id, { ...number });
  }

  phoneNumber(id: string): PhoneNumberRecord | undefined {
    return this.#numbers.get(id);
  }

  waba(id: string): WabaRecord | undefined {
    return this.#wabas.get(id);
  }

  wabas(): WabaRecord[] {
    return [...this.#wabas.values()];
  }

  phoneNumbersOf(wabaId: string): PhoneNumberRecord[] {
    return (this.#wabas.get(wabaId)?.phoneNumberIds ?? []).flatMap((id) => this.#numbers.get(id) ?? []);
  }

  /** The first hosted number: where `customerSays` writes when no number is named. */
  firstPhoneNumber(): PhoneNumberRecord | undefined {
    return this.#numbers.values().next().value;
  }
}

/** Meta's JSON for a number in `GET /{waba-id}/phone_numbers` and `GET /{phone-number-id}`. */
export function phoneNumberJson(number: PhoneNumberRecord): Record<string, unknown> {
  return {
    verified_name: number.verifiedName,
    code_verification_status: 'VERIFIED',
    display_phone_number: number.displayPhoneNumber,
    quality_rating: number.qualityRating,
    platform_type: 'CLOUD_API',
    status: number.isRegistered ? 'CONNECTED' : 'PENDING',
    name_status: 'APPROVED',
    account_mode: 'LIVE',
    messaging_limit_tier: number.messagingLimitTier,
    whatsapp_business_manager_messaging_limit: number.messagingLimitTier,
    throughput: { level: number.throughputLevel },
    id: number.id,
  };
}
