/**
 * Slows password guessing (decision 0010). Two limits, checked and reserved in one synchronous step
 * before the password is verified, so concurrent attempts cannot all pass the check:
 *
 * - Per account: 5 failures are free; after that each attempt waits 1 s × 2^(failures − 5) after the
 *   previous one (1 s, 2 s, 4 s … at most 15 min). A success clears it; 12 hours without an attempt
 *   forget it. Clients without a device cookie for the account share one count; a client with one
 *   (it signed in to this account before) has its own, so a guesser cannot lock the owner out.
 * - Per client address: 50 failures in 15 minutes, then clients without a device cookie are refused
 *   until the window passes. A device cookie skips this limit, so a flood of failures from a shared
 *   address (an office, a proxy) does not lock out the people who sign in there.
 *
 * In memory, per process: N instances give a guesser N times the budget, which Argon2's cost still bounds.
 */
export class SignInLimiter {
  static readonly freeFailures = 5;
  static readonly firstDelayMs = 1000; // 1 s
  static readonly maxDelayMs = 15 * 60_000; // 15 min
  static readonly accountResetMs = 12 * 60 * 60_000; // 12 h
  static readonly clientWindowMs = 15 * 60_000; // 15 min
  static readonly maxFailuresPerClient = 50;
  /** Entries kept per map; the least recently touched go first, so a flood cannot grow memory forever. */
  static readonly maxEntries = 100_000;

  private readonly accounts = new Map<string, AccountState>();
  private readonly clients = new Map<string, ClientState>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /**
   * Checks the limits and, when the attempt may go on, counts it as under way until its outcome is known.
   * `deviceId` is the id of a valid device cookie for this account, or null.
   */
  reserve(email: string, client: string, deviceId: string | null): SignInReservation {
    const now = this.now();
    const accountKey = deviceId === null ? `account:${email}` : `device:${deviceId}`;
    const account = this.account(accountKey, now);
    const clientState = deviceId === null ? this.client(client, now) : null;
    const waitMs = Math.max(accountWaitMs(account, now), clientState ? clientWaitMs(clientState, now) : 0);
    if (waitMs > 0) return { isAllowed: false, retryAfterSeconds: Math.ceil(waitMs / 1000) };

    account.pending += 1;
    account.lastAttemptAt = now;
    touch(this.accounts, accountKey, account);
    if (clientState) {
      clientState.pending += 1;
      touch(this.clients, client, clientState);
    }
    let isSettled = false;
    const settle = (outcome: 'succeeded' | 'failed' | 'abandoned') => {
      if (isSettled) return;
      isSettled = true;
      const at = this.now();
      account.pending -= 1;
      if (outcome === 'succeeded') this.accounts.delete(accountKey);
      if (outcome === 'failed') {
        account.failures += 1;
        account.lastAttemptAt = Math.max(account.lastAttemptAt, at);
      }
      if (clientState) {
        clientState.pending -= 1;
        if (outcome === 'failed') clientState.failures.push(at);
      }
    };
    return {
      isAllowed: true,
      succeeded: () => settle('succeeded'),
      failed: () => settle('failed'),
      abandoned: () => settle('abandoned'),
    };
  }

  private account(key: string, now: number): AccountState {
    const state = this.accounts.get(key);
    if (state && (state.pending > 0 || now - state.lastAttemptAt < SignInLimiter.accountResetMs))
      return state;
    return { failures: 0, pending: 0, lastAttemptAt: now };
  }

  private client(key: string, now: number): ClientState {
    const state = this.clients.get(key) ?? { failures: [], pending: 0 };
    const since = now - SignInLimiter.clientWindowMs;
    while (state.failures.length > 0 && state.failures[0]! <= since) state.failures.shift();
    return state;
  }
}

export type SignInReservation =
  | {
      isAllowed: true;
      /** The password was right: the account's count starts over. */
      succeeded(): void;
      failed(): void;
      /** Neither (the store failed): the attempt no longer counts. */
      abandoned(): void;
    }
  | { isAllowed: false; retryAfterSeconds: number };

interface AccountState {
  /** Failures since the last success. */
  failures: number;
  /** Attempts under way: they count as failures until they settle, so a burst cannot slip through. */
  pending: number;
  lastAttemptAt: number;
}

interface ClientState {
  /** Times of the failures within the window, oldest first. */
  failures: number[];
  pending: number;
}

/** The delay after `count` failures: none for the first 5, then 1 s, 2 s, 4 s … up to 15 min. */
export function accountDelayMs(count: number): number {
  if (count < SignInLimiter.freeFailures) return 0;
  const doublings = count - SignInLimiter.freeFailures;
  return Math.min(SignInLimiter.firstDelayMs * 2 ** Math.min(doublings, 30), SignInLimiter.maxDelayMs);
}

function accountWaitMs(state: AccountState, now: number): number {
  const delayMs = accountDelayMs(state.failures + state.pending);
  return delayMs === 0 ? 0 : Math.max(0, state.lastAttemptAt + delayMs - now);
}

function clientWaitMs(state: ClientState, now: number): number {
  if (state.failures.length + state.pending < SignInLimiter.maxFailuresPerClient) return 0;
  // When attempts under way fill the budget, the oldest failure's expiry may not free a slot; ask for 1 s.
  const oldest = state.failures[state.failures.length + state.pending - SignInLimiter.maxFailuresPerClient];
  return oldest === undefined ? 1000 : Math.max(1000, oldest + SignInLimiter.clientWindowMs - now);
}

/** Re-inserts an entry last (Map keeps insertion order), and drops the least recently touched over the cap. */
function touch<T>(map: Map<string, T>, key: string, value: T): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > SignInLimiter.maxEntries) map.delete(map.keys().next().value!);
}
