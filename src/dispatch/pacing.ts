/**
 * The numbers behind pacing, as pure functions. Sources: our WhatsApp reference, "Limits":
 * throughput 80 messages/s per number by default and up to 1,000/s; about 1 message every 6 s to one
 * user with bursts borrowed from future quota; business-initiated unique users per moving 24 h by tier.
 */

export interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

/** Tokens accrue at `ratePerSecond` up to `capacity`. */
export function refill(bucket: Bucket, nowMs: number, ratePerSecond: number, capacity: number): Bucket {
  const elapsedMs = Math.max(0, nowMs - bucket.updatedAtMs);
  return {
    tokens: Math.min(capacity, bucket.tokens + (elapsedMs * ratePerSecond) / 1000),
    updatedAtMs: nowMs,
  };
}

/** How long until `needed` tokens are there (0 when they already are). */
export function msUntil(bucket: Bucket, needed: number, ratePerSecond: number): number {
  if (bucket.tokens >= needed) return 0;
  return Math.ceil(((needed - bucket.tokens) * 1000) / ratePerSecond);
}

/**
 * A token bucket that never lets more than `limitPerSecond` through in any one-second window: the burst
 * (capacity) plus one second of refill equals the limit. A small burst lets a batch go out at once.
 */
export function throughputBucketShape(limitPerSecond: number): { capacity: number; ratePerSecond: number } {
  const capacity = Math.max(1, Math.floor(limitPerSecond * 0.02));
  return { capacity, ratePerSecond: Math.max(1, limitPerSecond - capacity) };
}

/** Pair rate: about one message per 6 s to the same user (Meta, "Pair rate limit"). */
export const PAIR_RATE_PER_SECOND = 1 / 6;

/** After 131056, wait 4^X seconds, X = 0, 1, 2 … (Meta's guidance for the pair rate limit). */
export function pairBackoffMs(level: number): number {
  return 4 ** Math.min(level, 8) * 1000;
}

/** Unique users a number may reach with business-initiated messages in a moving 24 h, by Meta's tier enum. */
export function tierLimit(tier: string | null): number {
  switch ((tier ?? 'TIER_250').toUpperCase()) {
    case 'TIER_50':
      return 50;
    case 'TIER_250':
      return 250;
    case 'TIER_1K':
      return 1000;
    case 'TIER_2K':
      return 2000;
    case 'TIER_10K':
      return 10_000;
    case 'TIER_100K':
      return 100_000;
    case 'TIER_UNLIMITED':
    case 'UNLIMITED':
      return Number.POSITIVE_INFINITY;
    default:
      return 250;
  }
}

export const TIER_WINDOW_MS = 24 * 60 * 60 * 1000; // a moving 24 hours
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000; // 24 h from the customer's last message
