import { describe, expect, it } from 'vitest';
import { MessagingLimit } from './messaging-limit.ts';
import { PairRateLimiter } from './pair-rate-limiter.ts';
import { ThroughputLimiter } from './throughput-limiter.ts';

describe('PairRateLimiter', () => {
  it('allows the burst, then one message per interval, per customer', () => {
    const limiter = new PairRateLimiter({ burst: 45, intervalMs: 6_000 });
    const start = 1_000_000;
    let accepted = 0;
    for (let index = 0; index < 60; index += 1) if (limiter.tryTake('n', 'c', start)) accepted += 1;
    expect(accepted).toBe(45);
    expect(limiter.tryTake('n', 'other', start)).toBe(true);
    expect(limiter.tryTake('n', 'c', start + 5_999)).toBe(false);
    expect(limiter.tryTake('n', 'c', start + 6_000)).toBe(true);
    expect(limiter.tryTake('n', 'c', start + 6_001)).toBe(false);
    // A long rest refills the burst, never beyond it.
    let afterRest = 0;
    for (let index = 0; index < 60; index += 1)
      if (limiter.tryTake('n', 'c', start + 3_600_000)) afterRest += 1;
    expect(afterRest).toBe(45);
  });
});

describe('ThroughputLimiter', () => {
  it('counts whole clock seconds per number', () => {
    const limiter = new ThroughputLimiter();
    const second = 1_700_000_000_000;
    const results = Array.from({ length: 82 }, () => limiter.tryTake('n', 80, second + 999));
    expect(results.filter(Boolean)).toHaveLength(80);
    expect(limiter.tryTake('m', 80, second + 999)).toBe(true);
    expect(limiter.tryTake('n', 80, second + 1_000)).toBe(true);
  });
});

describe('MessagingLimit', () => {
  it('counts unique customers over a moving 24 hours', () => {
    const limit = new MessagingLimit();
    const start = 1_700_000_000_000;
    for (let index = 0; index < 50; index += 1)
      expect(limit.tryReach('n', `c${index}`, 'TIER_50', start + index)).toBe(true);
    expect(limit.tryReach('n', 'c0', 'TIER_50', start + 100)).toBe(true);
    expect(limit.tryReach('n', 'new', 'TIER_50', start + 100)).toBe(false);
    expect(limit.reached('n', start + 100)).toBe(50);
    // c1 was reached at start + 1: one ms past 24 hours later, its place is free.
    expect(limit.tryReach('n', 'new', 'TIER_50', start + 24 * 3_600_000 + 2)).toBe(true);
    expect(limit.tryReach('n', 'anyone', 'TIER_UNLIMITED', start)).toBe(true);
  });
});
