/**
 * Slows password guessing: after 10 failed sign-ins for one address, or 50 from one client address,
 * within 15 minutes, further attempts are refused until the window passes. In memory, per instance: it
 * bounds an attacker's rate, with Argon2's cost doing the rest.
 */
export class SignInLimiter {
  static readonly windowMs = 15 * 60_000; // 15 min
  static readonly maxPerEmail = 10;
  static readonly maxPerClient = 50;
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** Seconds until the next attempt is allowed, or 0. */
  retryAfterSeconds(email: string, client: string): number {
    const waits = [
      this.waitMs(`email:${email}`, SignInLimiter.maxPerEmail),
      this.waitMs(`client:${client}`, SignInLimiter.maxPerClient),
    ];
    return Math.ceil(Math.max(...waits) / 1000);
  }

  recordFailure(email: string, client: string): void {
    for (const key of [`email:${email}`, `client:${client}`]) {
      const list = this.recent(key);
      list.push(this.now());
      this.failures.set(key, list);
    }
    // Bounded memory: a flood of distinct addresses cannot grow the map forever.
    if (this.failures.size > 100_000) this.failures.clear();
  }

  recordSuccess(email: string): void {
    this.failures.delete(`email:${email}`);
  }

  private recent(key: string): number[] {
    const since = this.now() - SignInLimiter.windowMs;
    return (this.failures.get(key) ?? []).filter((at) => at > since);
  }

  private waitMs(key: string, max: number): number {
    const list = this.recent(key);
    if (list.length < max) return 0;
    return list[list.length - max]! + SignInLimiter.windowMs - this.now();
  }
}
