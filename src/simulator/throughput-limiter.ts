/**
 * Messages per second per business number, counted in whole clock seconds: the same seconds the
 * `acceptedPerSecond` counters use, so a test that reads them sees exactly what was enforced. Over the
 * limit, Meta answers 130429 (cloud-api-details.md §5.1).
 */
export class ThroughputLimiter {
  readonly #windows = new Map<string, { second: number; count: number }>();

  tryTake(phoneNumberId: string, messagesPerSecond: number, nowMs: number): boolean {
    const second = Math.floor(nowMs / 1000);
    let window = this.#windows.get(phoneNumberId);
    if (!window) {
      window = { second, count: 0 };
      this.#windows.set(phoneNumberId, window);
    } else if (window.second !== second) {
      window.second = second;
      window.count = 0;
    }
    if (window.count >= messagesPerSecond) return false;
    window.count += 1;
    return true;
  }

  reset(): void {
    this.#windows.clear();
  }
}
