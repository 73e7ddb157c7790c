import type { PairRateLimit } from './simulator-options.ts';

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

/** Sweep idle buckets after this many takes, so that a million one-off recipients do not stay in memory. */
const SWEEP_EVERY = 10_000;

/**
 * The (business number, customer) pair rate: a token bucket holding `burst` messages that refills one
 * message per `intervalMs`. Meta allows about one message per 6 s with bursts of about 45 borrowed from
 * future quota; over it, 131056 (cloud-api-details.md §5.2).
 */
export class PairRateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  #limit: PairRateLimit;
  #takes = 0;

  constructor(limit: PairRateLimit) {
    this.#limit = limit;
  }

  get limit(): PairRateLimit {
    return this.#limit;
  }

  set limit(limit: PairRateLimit) {
    this.#limit = limit;
  }

  tryTake(phoneNumberId: string, waId: string, nowMs: number): boolean {
    const key = `${phoneNumberId}:${waId}`;
    const { burst, intervalMs } = this.#limit;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { tokens: burst, updatedAtMs: nowMs };
      this.#buckets.set(key, bucket);
    } else {
      const refilled = intervalMs > 0 ? (nowMs - bucket.updatedAtMs) / intervalMs : burst;
      bucket.tokens = Math.min(burst, bucket.tokens + Math.max(0, refilled));
      bucket.updatedAtMs = nowMs;
    }
    this.#takes += 1;
    if (this.#takes % SWEEP_EVERY === 0) this.#sweep(nowMs);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  #sweep(nowMs: number): void {
    const { burst, intervalMs } = this.#limit;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (nowMs - bucket.updatedAtMs) / intervalMs >= burst) this.#buckets.delete(key);
    }
  }

  reset(): void {
    this.#buckets.clear();
    this.#takes = 0;
  }
}
