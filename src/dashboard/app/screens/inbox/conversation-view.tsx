import { Fragment, useEffect, useMemo, useRef, useState } from 'react';
import { AppLink } from '../../components/app-link.tsx';
import { Avatar } from '../../components/avatar.tsx';
import { Icon } from '../../components/icon.tsx';
import { EmptyState, ErrorState, LoadingState } from '../../components/states.tsx';
import { api, errorMessage } from '../../lib/api.ts';
import { contactLabel, formatDay } from '../../lib/format.ts';
import { useLiveEvents } from '../../lib/live-events.tsx';
import { useSession } from '../../lib/session.ts';
import { useToast } from '../../lib/toasts.tsx';
import type { ConversationDetail, Thread } from '../../lib/types.ts';
import { throttle, useResource } from '../../lib/use-resource.ts';
import { Composer } from './composer.tsx';
import { LeadPanel } from './lead-panel.tsx';
import { MessageBubble } from './message-bubble.tsx';

/** One conversation: the thread, take over or hand back, the composer, and the lead beside it. */
export function ConversationView({ conversationId }: { conversationId: string }) {
  const detail = useResource(
    () => api.get<ConversationDetail>(`/conversations/${conversationId}`),
    [conversationId],
  );
  const thread = useResource(
    () => api.get<Thread>(`/inbox/conversations/${conversationId}/thread`),
    [conversationId],
  );
  const [isDetailsOpen, setIsDetailsOpen] = useState(false);
  const [isChanging, setIsChanging] = useState(false);
  const { session } = useSession();
  const toast = useToast();
  const bottom = useRef<HTMLDivElement>(null);

  const reload = useMemo(
    () =>
      throttle(() => {
        void detail.reload();
        void thread.reload();
      }, 300),
    [detail.reload, thread.reload],
  );
  useLiveEvents((event) => {
    if (event.type === 'resync') reload();
    else if ('conversationId' in event && event.conversationId === conversationId) reload();
  });

  const messages = useMemo(
    () => [...(thread.data?.messages ?? []), ...(thread.data?.unsent ?? [])],
    [thread.data],
  );
  const lastKey = messages.length > 0 ? `${messages[messages.length - 1]!.id}:${messages.length}` : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when a message arrives, not on every render.
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [lastKey]);

  const changeOwner = async (action: 'takeover' | 'handback') => {
    setIsChanging(true);
    try {
      const updated = await api.post<ConversationDetail>(
        `/conversations/${conversationId}/${action}`,
        action === 'takeover' ? { userId: session.user.id } : {},
      );
      detail.setData((previous) => ({ ...previous, ...updated }));
      toast(
        action === 'takeover'
          ? 'You have the conversation: the AI stays silent.'
          : 'Handed back: the AI answers the next message.',
      );
    } catch (error) {
      toast(errorMessage(error), 'error');
    } finally {
      setIsChanging(false);
    }
  };

  if (detail.error && !detail.data) {
    // No lead panel without a conversation: the error takes its column too.
    return (
      <section className="thread" style={{ gridColumn: 'span 2' }}>
        <header className="thread-head">
          <AppLink href="/inbox" className="icon-button inbox-back" aria-label="Back to conversations">
            <Icon name="back" />
          </AppLink>
        </header>
        <ErrorState
          error={detail.error}
          title="This conversation could not be opened"
          onRetry={() => void detail.reload()}
        />
      </section>
    );
  }
  const conversation = detail.data;
  const name = conversation ? (conversation.contact.name ?? contactLabel(conversation.contact)) : '';
  return (
    <>
      <section className="thread" aria-label="Conversation">
        <header className="thread-head">
          <AppLink href="/inbox" className="icon-button inbox-back" aria-label="Back to conversations">
            <Icon name="back" />
          </AppLink>
          {conversation ? <Avatar name={name} size={36} /> : null}
          <div className="title">
            <strong>{conversation ? name : 'Loading…'}</strong>
            <span className="small muted">
              {conversation?.contact.name ? contactLabel(conversation.contact) : ''}
            </span>
          </div>
          {conversation ? (
            <>
              {conversation.owner === 'human' ? (
                <>
                  <span className="badge human" data-testid="owner-badge">
                    <Icon name="hand" size={14} /> Human
                  </span>
                  <button
                    type="button"
                    className="button"
                    disabled={isChanging}
                    onClick={() => void changeOwner('handback')}
                  >
                    <Icon name="bot" size={16} /> Hand back to AI
                  </button>
                </>
              ) : (
                <>
                  <span className="badge brand" data-testid="owner-badge">
                    <Icon name="bot" size={14} /> AI agent
                  </span>
                  <button
                    type="button"
                    className="button human"
                    disabled={isChanging}
                    onClick={() => void changeOwner('takeover')}
                  >
                    <Icon name="hand" size={16} /> Take over
                  </button>
                </>
              )}
              <button
                type="button"
                className="icon-button details-toggle"
                onClick={() => setIsDetailsOpen((open) => !open)}
                aria-expanded={isDetailsOpen}
              >
                <Icon name="panel" label="Lead details" />
              </button>
            </>
          ) : null}
        </header>
        {conversation?.needsAttention ? (
          <div className="banner warn" style={{ borderRadius: 0 }}>
            <Icon name="alert" size={18} />
            <span>
              <strong>Needs attention.</strong>{' '}
              {conversation.handoff?.summary ??
                conversation.handoff?.reason ??
                'The agent asked for a person.'}
            </span>
          </div>
        ) : null}
        <div className="messages" data-testid="thread">
          {thread.isLoading ? (
            <LoadingState rows={5} label="Loading messages" />
          ) : thread.error && !thread.data ? (
            <ErrorState error={thread.error} onRetry={() => void thread.reload()} />
          ) : messages.length === 0 ? (
            <EmptyState icon="inbox" title="No messages yet">
              Messages appear here as soon as they are sent or received.
            </EmptyState>
          ) : (
            messages.map((message, index) => {
              const day = message.at ? formatDay(message.at) : '';
              const previousDay =
                index > 0 && messages[index - 1]!.at ? formatDay(messages[index - 1]!.at!) : null;
              return (
                <Fragment key={message.id}>
                  {day && day !== previousDay ? <div className="day-divider">{day}</div> : null}
                  <MessageBubble message={message} />
                </Fragment>
              );
            })
          )}
          <div ref={bottom} />
        </div>
        {conversation ? <Composer conversation={conversation} onSent={() => void thread.reload()} /> : null}
      </section>
      {conversation ? (
        <LeadPanel
          conversation={conversation}
          isOpen={isDetailsOpen}
          onClose={() => setIsDetailsOpen(false)}
        />
      ) : null}
    </>
  );
}
