import { useState } from 'react';
import { EmptyState, ErrorState, LoadingState } from '../../components/states.tsx';
import { api } from '../../lib/api.ts';
import { matchPath, useLocation } from '../../lib/router.ts';
import { useResource } from '../../lib/use-resource.ts';
import { ConversationList } from './conversation-list.tsx';
import { ConversationView } from './conversation-view.tsx';
import { type InboxFilter, InboxFilters, NO_FILTER } from './inbox-filters.tsx';
import { useConversations } from './use-conversations.ts';

/**
 * The inbox: conversations (filtered, live, virtualized) and the open one. On a phone it shows one at a
 * time: the list, or the conversation with a way back.
 */
export function InboxScreen() {
  const { path } = useLocation();
  const selectedId = matchPath('/inbox/:id', path)?.id ?? null;
  const [filter, setFilter] = useState<InboxFilter>(NO_FILTER);
  const conversations = useConversations(filter);
  const facets = useResource(
    () => api.get<{ campaigns: Array<{ id: string; name: string }>; outcomes: string[] }>('/inbox/facets'),
    [],
  );
  const isFiltered = JSON.stringify(filter) !== JSON.stringify(NO_FILTER);

  return (
    <div className={`inbox ${selectedId ? '' : 'no-details'}`} data-view={selectedId ? 'thread' : 'list'}>
      <section className="inbox-list" aria-label="Conversation list">
        <div className="inbox-list-head">
          <InboxFilters
            filter={filter}
            onChange={setFilter}
            campaigns={facets.data?.campaigns ?? []}
            outcomes={facets.data?.outcomes ?? []}
          />
        </div>
        {conversations.isLoading ? (
          <div style={{ padding: 16 }}>
            <LoadingState rows={7} label="Loading conversations" />
          </div>
        ) : conversations.error && conversations.rows.length === 0 ? (
          <ErrorState
            error={conversations.error}
            title="Conversations could not be loaded"
            onRetry={conversations.refresh}
          />
        ) : conversations.rows.length === 0 ? (
          isFiltered ? (
            <EmptyState
              icon="search"
              title="Nothing matches these filters"
              action={
                <button type="button" className="button" onClick={() => setFilter(NO_FILTER)}>
                  Clear filters
                </button>
              }
            />
          ) : (
            <EmptyState icon="inbox" title="No conversations yet">
              When customers write to your WhatsApp number, or a campaign reaches them, their conversations
              show up here. Try the Sandbox to write as a customer.
            </EmptyState>
          )
        ) : (
          <ConversationList
            rows={conversations.rows}
            selectedId={selectedId}
            hasMore={conversations.hasMore}
            isLoadingMore={conversations.isLoadingMore}
            onLoadMore={conversations.loadMore}
          />
        )}
      </section>
      {selectedId ? (
        <ConversationView key={selectedId} conversationId={selectedId} />
      ) : (
        <section className="thread" style={{ justifyContent: 'center' }}>
          <EmptyState icon="inbox" title="Pick a conversation">
            The AI agent answers on its own. Open a conversation to read it, take it over, reply by hand, and
            hand it back.
          </EmptyState>
        </section>
      )}
    </div>
  );
}
