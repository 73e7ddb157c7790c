/** Where the simulator reads the time: pacing, the 24-hour window and the messaging tier all use it. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
