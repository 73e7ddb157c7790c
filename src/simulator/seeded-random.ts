/** A source of numbers in [0, 1). Seeded, so that a test sees the same faults and replies every run. */
export type RandomSource = () => number;

/**
 * Mulberry32: 32 bits of state, fast and well spread enough for fault rates and reply choices. Not for
 * secrets.
 */
export function createSeededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Picks one element; the list must not be empty. */
export function pickOne<T>(random: RandomSource, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}
