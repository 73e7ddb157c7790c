/**
 * What the dashboard hears about as it happens, per tenant. Each event names what changed; the browser
 * fetches the new state itself, so an event never carries data its receiver might not be allowed to see.
 */
export type LiveEvent =
  | { type: 'message-received'; conversationId: string | null; messageId: string | null }
  | { type: 'message-status'; conversationId: string | null; messageId: string | null; status: string }
  | { type: 'message-sent'; conversationId: string | null; outboxId: string }
  | { type: 'message-failed'; conversationId: string | null; outboxId: string; reason: string | null }
  | { type: 'conversation-changed'; conversationId: string }
  | { type: 'campaign-progress'; campaignId: string }
  | { type: 'whatsapp-changed'; what: string };

export type LiveListener = (event: LiveEvent) => void;

/**
 * The in-process hub between the workers (webhook processing, the dispatcher, API changes) and the
 * open event streams. Listeners are kept per tenant, so one tenant's events can never reach another's
 * stream. It is per instance: with several instances, a browser hears its own instance's work live and
 * catches up on the rest when it refetches (on reconnect, focus and a slow timer).
 */
export class LiveEvents {
  private readonly listeners = new Map<string, Set<LiveListener>>();

  subscribe(tenantId: string, listener: LiveListener): () => void {
    let set = this.listeners.get(tenantId);
    if (!set) {
      set = new Set();
      this.listeners.set(tenantId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(tenantId);
    };
  }

  /** Whether anyone of this tenant listens: lookups that only serve live updates can be skipped. */
  hasListeners(tenantId: string): boolean {
    return this.listeners.has(tenantId);
  }

  publish(tenantId: string, event: LiveEvent): void {
    for (const listener of this.listeners.get(tenantId) ?? []) {
      try {
        listener(event);
      } catch {
        // A broken stream must not stop the others; its own close handler unsubscribes it.
      }
    }
  }

  get listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }
}
