import { messagesPerSecondFor } from './business-directory.ts';
import type { SimulatorContext } from './simulator-context.ts';
import type { MessagingLimitTier, QualityRating, ThroughputLevel } from './simulator-options.ts';

/** A change Meta makes to a number: its quality, its messaging limit or its throughput. */
export interface QualityChange {
  qualityRating?: QualityRating;
  messagingLimitTier?: MessagingLimitTier;
  throughputLevel?: ThroughputLevel;
  /** The webhook's `event`; derived from the change when absent (DOWNGRADE, UPGRADE, FLAGGED, UNFLAGGED). */
  event?: string;
}

/** Tiers in order, so that a change reads as an upgrade or a downgrade. */
const tierOrder: MessagingLimitTier[] = [
  'TIER_50',
  'TIER_250',
  'TIER_1K',
  'TIER_2K',
  'TIER_10K',
  'TIER_100K',
  'TIER_UNLIMITED',
];

function eventFor(
  change: QualityChange,
  before: {
    qualityRating: QualityRating;
    messagingLimitTier: MessagingLimitTier;
    throughputLevel: ThroughputLevel;
  },
): string {
  if (change.event) return change.event;
  if (change.messagingLimitTier && change.messagingLimitTier !== before.messagingLimitTier) {
    return tierOrder.indexOf(change.messagingLimitTier) < tierOrder.indexOf(before.messagingLimitTier)
      ? 'DOWNGRADE'
      : 'UPGRADE';
  }
  if (change.throughputLevel === 'HIGH' && before.throughputLevel !== 'HIGH') return 'THROUGHPUT_UPGRADE';
  if (change.qualityRating && change.qualityRating !== before.qualityRating) {
    return change.qualityRating === 'GREEN' ? 'UNFLAGGED' : 'FLAGGED';
  }
  return 'ONBOARDING';
}

/**
 * Changes a hosted number and tells the app with a `phone_number_quality_update` webhook:
 * `{display_phone_number, event, current_limit, old_limit, max_daily_conversations_per_business}`
 * (cloud-api-details.md §2: `current_limit` is the older key, the newer one names the portfolio limit).
 */
export function changePhoneNumberQuality(
  context: SimulatorContext,
  phoneNumberId: string,
  change: QualityChange,
): string {
  const number = context.directory.phoneNumber(phoneNumberId);
  if (!number) throw new Error(`No hosted phone number ${phoneNumberId}`);
  const before = {
    qualityRating: number.qualityRating,
    messagingLimitTier: number.messagingLimitTier,
    throughputLevel: number.throughputLevel,
  };
  const event = eventFor(change, before);
  if (change.qualityRating) number.qualityRating = change.qualityRating;
  if (change.messagingLimitTier) number.messagingLimitTier = change.messagingLimitTier;
  if (change.throughputLevel) {
    number.throughputLevel = change.throughputLevel;
    number.messagesPerSecond = messagesPerSecondFor(change.throughputLevel);
  }
  context.sender.enqueue({
    wabaId: number.wabaId,
    laneKey: `number:${number.id}`,
    field: 'phone_number_quality_update',
    value: {
      display_phone_number: number.displayDigits,
      event,
      current_limit: number.messagingLimitTier,
      ...(before.messagingLimitTier !== number.messagingLimitTier
        ? { old_limit: before.messagingLimitTier }
        : {}),
      max_daily_conversations_per_business: number.messagingLimitTier,
    },
  });
  return event;
}

/**
 * An `account_update` webhook for a WABA: `{event, phone_number?, …}` with the event's own details
 * (`restriction_info`, `ban_info`, `violation_info`, `waba_info` …; cloud-api-details.md §2).
 */
export function sendAccountUpdate(
  context: SimulatorContext,
  wabaId: string,
  value: Record<string, unknown>,
): void {
  if (!context.directory.waba(wabaId)) throw new Error(`No hosted WABA ${wabaId}`);
  if (typeof value.event !== 'string' || value.event === '')
    throw new Error('an account_update needs an event');
  context.sender.enqueue({ wabaId, laneKey: `waba:${wabaId}`, field: 'account_update', value });
}
