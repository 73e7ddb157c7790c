import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, query } from '../../lib/api.ts';
import { useLiveEvents } from '../../lib/live-events.tsx';
import type { ConversationRow, ListPage } from '../../lib/types.ts';
import { throttle } from '../../lib/use-resource.ts';
import type { InboxFilter } from './inbox-filters.tsx';

const PAGE_SIZE = 200;

export interface ConversationsState {
  rows: ConversationRow[];
  error: unknown;
  isLoading: boolean;
  isLoadingMore: boolean;
  hasMore: boolean;
  loadMore(): void;
  refresh(): void;
}

/**
 * The inbox list: pages loaded as the list scrolls, and live updates that refetch the first page (the
 * list is ordered by latest activity, so whatever changed is there) and keep the older pages below it.
 */
export function useConversations(filter: InboxFilter): ConversationsState {
  const [rows, setRows] = useState<ConversationRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [isLoading, setIsLoading] = useState(true);
  const [isLoadingMore, setIsLoadingMore] = useState(false);
  const generation = useRef(0);
  const params = useMemo(
    () => ({
      owner: filter.owner,
      needsAttention: filter.needsAttention ? 'true' : null,
      campaignId: filter.campaignId,
      outcome: filter.outcome,
      q: filter.q.trim(),
    }),
    [filter.owner, filter.needsAttention, filter.campaignId, filter.outcome, filter.q],
  );

  const fetchFirstPage = useCallback(async () => {
    const mine = generation.current;
    try {
      const page = await api.get<ListPage<ConversationRow>>(
        `/inbox/conversations${query({ ...params, limit: PAGE_SIZE })}`,
      );
      if (mine !== generation.current) return;
      setError(null);
      setRows((previous) => {
        const fresh = new Set(page.data.map((row) => row.id));
        const last = page.data[page.data.length - 1];
        // Rows of later pages stay, below the fresh first page, unless they moved into it.
        const older = last
          ? previous.filter(
              (row) => !fresh.has(row.id) && (row.lastMessageAt ?? '') <= (last.lastMessageAt ?? ''),
            )
          : [];
        return [...page.data, ...(page.nextCursor ? older : [])];
      });
      setCursor((previous) => (previous === null || !page.nextCursor ? (page.nextCursor ?? null) : previous));
    } catch (caught) {
      if (mine === generation.current) setError(caught);
    } finally {
      if (mine === generation.current) setIsLoading(false);
    }
  }, [params]);

  // A new filter starts a new list (debounced, so typing a search does not fire a request per key).
  useEffect(() => {
    generation.current += 1;
    setIsLoading(true);
    setRows([]);
    setCursor(null);
    const timer = setTimeout(() => void fetchFirstPage(), params.q ? 250 : 0);
    return () => clearTimeout(timer);
  }, [fetchFirstPage, params.q]);

  const loadMore = useCallback(() => {
    if (!cursor || isLoadingMore) return;
    const mine = generation.current;
    setIsLoadingMore(true);
    api
      .get<ListPage<ConversationRow>>(
        `/inbox/conversations${query({ ...params, limit: PAGE_SIZE, before: cursor })}`,
      )
      .then((page) => {
        if (mine !== generation.current) return;
        setRows((previous) => {
          const known = new Set(previous.map((row) => row.id));
          return [...previous, ...page.data.filter((row) => !known.has(row.id))];
        });
        setCursor(page.nextCursor ?? null);
      })
      .catch((caught: unknown) => {
        if (mine === generation.current) setError(caught);
      })
      .finally(() => {
        if (mine === generation.current) setIsLoadingMore(false);
      });
  }, [cursor, isLoadingMore, params]);

  const refresh = useMemo(() => throttle(() => void fetchFirstPage(), 700), [fetchFirstPage]);
  useLiveEvents((event) => {
    if (event.type === 'campaign-progress' || event.type === 'whatsapp-changed') return;
    refresh();
  });

  return { rows, error, isLoading, isLoadingMore, hasMore: cursor !== null, loadMore, refresh };
}
