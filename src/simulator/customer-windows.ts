/**
 * The 24-hour customer-service windows, per (business number, customer). A window opens, or starts
 * over, when the customer writes; while it is open any message may be sent, and outside it only a
 * template (131047, cloud-api-details.md §5.5).
 */
export class CustomerWindows {
  readonly #lastInboundMs = new Map<string, number>();

  open(phoneNumberId: string, waId: string, nowMs: number): void {
    this.#lastInboundMs.set(`${phoneNumberId}:${waId}`, nowMs);
  }

  isOpen(phoneNumberId: string, waId: string, nowMs: number, windowMs: number): boolean {
    const last = this.#lastInboundMs.get(`${phoneNumberId}:${waId}`);
    return last !== undefined && nowMs - last < windowMs;
  }

  /** The windows still open at `nowMs`, as [phone number id:wa_id, last inbound ms], for the state file. */
  openEntries(nowMs: number, windowMs: number): Array<[string, number]> {
    return [...this.#lastInboundMs].filter(([, last]) => nowMs - last < windowMs);
  }

  restore(entries: ReadonlyArray<readonly [string, number]>): void {
    for (const [key, last] of entries) this.#lastInboundMs.set(key, last);
  }

  reset(): void {
    this.#lastInboundMs.clear();
  }
}
