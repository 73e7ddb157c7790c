import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from 'react';
import { API_BASE } from './api.ts';

/** The server's live events (src/dashboard/live-events.ts), plus `resync` after a reconnect. */
export type LiveEvent =
  | { type: 'message-received'; conversationId: string | null; messageId: string | null }
  | { type: 'message-status'; conversationId: string | null; messageId: string | null; status: string }
  | { type: 'message-sent'; conversationId: string | null; outboxId: string }
  | { type: 'message-failed'; conversationId: string | null; outboxId: string; reason: string | null }
  | { type: 'conversation-changed'; conversationId: string }
  | { type: 'campaign-progress'; campaignId: string }
  | { type: 'whatsapp-changed'; what: string }
  /** The stream reconnected: events may have been missed, so refetch. */
  | { type: 'resync' };

export type LiveState = 'connecting' | 'open' | 'closed';

interface LiveContextValue {
  state: LiveState;
  subscribe(listener: (event: LiveEvent) => void): () => void;
}

const LiveContext = createContext<LiveContextValue>({ state: 'closed', subscribe: () => () => {} });

/**
 * One EventSource for the whole app (browsers allow six connections per host over HTTP/1.1: one stream
 * per screen would soon use them up). EventSource reconnects by itself; after it does, listeners get a
 * `resync`, and a refetch every 60 s covers events another instance handled.
 */
export function LiveEventsProvider({ children }: { children: ReactNode }) {
  const listeners = useRef(new Set<(event: LiveEvent) => void>());
  const [state, setState] = useState<LiveState>('connecting');

  useEffect(() => {
    const emit = (event: LiveEvent) => {
      for (const listener of listeners.current) listener(event);
    };
    const source = new EventSource(`${API_BASE}/events`);
    let hasOpened = false;
    source.onopen = () => {
      setState('open');
      if (hasOpened) emit({ type: 'resync' });
      hasOpened = true;
    };
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'closed' : 'connecting');
    source.onmessage = (message) => {
      try {
        emit(JSON.parse(message.data as string) as LiveEvent);
      } catch {
        // A line we do not understand is not worth breaking the stream for.
      }
    };
    const safetyNet = setInterval(() => emit({ type: 'resync' }), 60_000);
    const onVisible = () => {
      if (document.visibilityState === 'visible') emit({ type: 'resync' });
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      source.close();
      clearInterval(safetyNet);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);

  const value = useRef<LiveContextValue>({
    state: 'connecting',
    subscribe(listener) {
      listeners.current.add(listener);
      return () => listeners.current.delete(listener);
    },
  });
  return <LiveContext.Provider value={{ ...value.current, state }}>{children}</LiveContext.Provider>;
}

/** Calls `onEvent` for every live event while the component is mounted (the latest callback is used). */
export function useLiveEvents(onEvent: (event: LiveEvent) => void): void {
  const { subscribe } = useContext(LiveContext);
  const callback = useRef(onEvent);
  callback.current = onEvent;
  useEffect(() => subscribe((event) => callback.current(event)), [subscribe]);
}

export function useLiveState(): LiveState {
  return useContext(LiveContext).state;
}
