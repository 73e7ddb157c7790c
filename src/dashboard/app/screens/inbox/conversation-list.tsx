import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { Avatar } from '../../components/avatar.tsx';
import { contactLabel, formatListTime, humanize } from '../../lib/format.ts';
import { followLink } from '../../lib/router.ts';
import type { ConversationRow } from '../../lib/types.ts';
import { DeliveryTicks } from './delivery-ticks.tsx';

const ROW_HEIGHT = 72;

/**
 * The conversation list, virtualized: only the rows in view (and a few around) are in the page, so ten
 * thousand conversations scroll as smoothly as ten. Nearing the end loads the next page.
 */
export function ConversationList({
  rows,
  selectedId,
  hasMore,
  isLoadingMore,
  onLoadMore,
}: {
  rows: ConversationRow[];
  selectedId: string | null;
  hasMore: boolean;
  isLoadingMore: boolean;
  onLoadMore: () => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length + (hasMore ? 1 : 0),
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    if (hasMore && !isLoadingMore && lastIndex >= rows.length - 10) onLoadMore();
  }, [hasMore, isLoadingMore, lastIndex, rows.length, onLoadMore]);

  return (
    <div className="conversation-scroller" ref={scroller} data-testid="conversation-scroller">
      <ul
        className="conversation-rows"
        aria-label="Conversations"
        style={{ height: virtualizer.getTotalSize(), position: 'relative' }}
      >
        {items.map((item) => {
          const row = rows[item.index];
          const style = { top: item.start, height: ROW_HEIGHT };
          if (!row) {
            return (
              <li key="more" className="conversation-item" style={style}>
                <span className="conversation-row">
                  <span />
                  <span className="muted">{isLoadingMore ? 'Loading more…' : ''}</span>
                </span>
              </li>
            );
          }
          const name = row.contact.name ?? contactLabel(row.contact);
          return (
            <li key={row.id} className="conversation-item" style={style}>
              <a
                href={`/inbox/${row.id}`}
                onClick={followLink}
                className="conversation-row"
                aria-current={row.id === selectedId ? 'true' : undefined}
                data-conversation-id={row.id}
              >
                <Avatar name={name} />
                <span style={{ minWidth: 0 }}>
                  <span className="name">{name}</span>
                  <span className="preview" style={{ display: 'flex', gap: 4, alignItems: 'center' }}>
                    {row.preview?.direction === 'out' ? (
                      <DeliveryTicks status={row.preview.hasError ? 'failed' : row.preview.status} />
                    ) : null}
                    <span style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>
                      {row.preview?.status === 'held' ? 'Held · ' : ''}
                      {row.preview?.text || 'No messages yet'}
                    </span>
                  </span>
                </span>
                <span className="meta">
                  <span>{formatListTime(row.lastMessageAt)}</span>
                  <span className="row" style={{ gap: 4 }}>
                    {row.needsAttention ? <span className="attention-dot" title="Needs attention" /> : null}
                    {row.owner === 'human' ? (
                      <span className="badge human">Human</span>
                    ) : (
                      <span className="badge brand">AI</span>
                    )}
                  </span>
                  {row.outcome ? <span className="small">{humanize(row.outcome)}</span> : null}
                </span>
              </a>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
