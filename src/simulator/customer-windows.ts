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

  reset(): void {
    this.#lastInboundMs.clear();
  }
}
