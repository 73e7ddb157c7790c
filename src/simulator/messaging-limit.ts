import type { MessagingLimitTier } from './simulator-options.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Unique customers a number may reach with business-initiated messages in a moving 24 hours. */
export const tierLimits: Record<MessagingLimitTier, number> = {
  TIER_50: 50,
  TIER_250: 250,
  TIER_1K: 1_000,
  TIER_2K: 2_000,
  TIER_10K: 10_000,
  TIER_100K: 100_000,
  TIER_UNLIMITED: Number.POSITIVE_INFINITY,
};

interface Reach {
  lastByWaId: Map<string, number>;
  /** In time order, so that expired reaches leave from the front. */
  log: Array<{ waId: string; atMs: number }>;
  head: number;
}

/**
 * The messaging limit (cloud-api-details.md §5.3): templates sent outside a customer-service window
 * count the customer once per moving 24 hours. Meta counts it per portfolio now; the simulator counts
 * per number, which is the same for one number per portfolio.
 */
export class MessagingLimit {
  readonly #reach = new Map<string, Reach>();

  /** Records a business-initiated message; false when it would take the number over its tier. */
  tryReach(phoneNumberId: string, waId: string, tier: MessagingLimitTier, nowMs: number): boolean {
    let reach = this.#reach.get(phoneNumberId);
    if (!reach) {
      reach = { lastByWaId: new Map(), log: [], head: 0 };
      this.#reach.set(phoneNumberId, reach);
    }
    this.#expire(reach, nowMs);
    if (!reach.lastByWaId.has(waId) && reach.lastByWaId.size >= tierLimits[tier]) return false;
    reach.lastByWaId.set(waId, nowMs);
    reach.log.push({ waId, atMs: nowMs });
    return true;
  }

  /** Unique customers reached in the last 24 hours. */
  reached(phoneNumberId: string, nowMs: number): number {
    const reach = this.#reach.get(phoneNumberId);
    if (!reach) return 0;
    this.#expire(reach, nowMs);
    return reach.lastByWaId.size;
  }

  #expire(reach: Reach, nowMs: number): void {
    while (reach.head < reach.log.length) {
      const entry = reach.log[reach.head] as { waId: string; atMs: number };
      if (nowMs - entry.atMs < DAY_MS) break;
      if (reach.lastByWaId.get(entry.waId) === entry.atMs) reach.lastByWaId.delete(entry.waId);
      reach.head += 1;
    }
    if (reach.head > 1024 && reach.head * 2 > reach.log.length) {
      reach.log = reach.log.slice(reach.head);
      reach.head = 0;
    }
  }

  reset(): void {
    this.#reach.clear();
  }
}
