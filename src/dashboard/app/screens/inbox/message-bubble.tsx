import { formatTime, humanize } from '../../lib/format.ts';
import type { ThreadMessage } from '../../lib/types.ts';
import { DeliveryTicks } from './delivery-ticks.tsx';
import { MessageContent } from './message-content.tsx';

const SENDER = { agent: 'AI agent', human: 'A colleague', campaign: 'Campaign', api: 'API' } as Record<
  string,
  string
>;

/** Why the dispatcher holds a message (the outbox's hold_reason), in words; it goes out once that is fixed. */
const HOLD_REASONS: Record<string, string> = {
  'token-invalid': 'Meta refused the access token: reconnect the number on the WhatsApp screen',
  'number-unhealthy': 'the number cannot send right now: see the WhatsApp screen',
  'number-unknown': 'the number is not connected',
  'number-disconnected': 'the number was disconnected',
};

export function holdText(reason: string | null): string {
  return `Held, not sent yet: ${(reason && HOLD_REASONS[reason]) ?? humanize(reason ?? 'unknown reason')}`;
}

/** One message in the thread: who sent it, what it says, when, and how far it got (with the reason if it failed). */
export function MessageBubble({ message }: { message: ThreadMessage }) {
  const isOut = message.direction === 'out';
  const status =
    message.state && message.state !== 'sent'
      ? message.state === 'failed' || message.state === 'held'
        ? 'failed'
        : 'queued'
      : message.status;
  const isFailed = status === 'failed';
  const failure = isFailed
    ? message.state === 'held'
      ? holdText(message.reason ?? null)
      : (message.error?.title ?? message.reason ?? 'Meta did not deliver this message')
    : null;
  return (
    <div
      className={`bubble ${isOut ? 'out' : 'in'} ${message.source === 'human' ? 'human' : ''} ${isFailed ? 'failed' : ''}`}
      data-direction={message.direction}
      data-source={message.source}
      data-status={status ?? ''}
    >
      {isOut ? (
        <div className="sender">
          {(message.source === 'human' ? message.senderName : null) ??
            SENDER[message.source] ??
            humanize(message.source)}
        </div>
      ) : null}
      <MessageContent message={message} />
      {failure ? (
        <div className="failure" data-testid="failure-reason">
          {failure}
          {message.error?.code ? ` (error ${message.error.code})` : ''}
        </div>
      ) : null}
      <div className="foot">
        {message.isEdited ? <span>edited ·</span> : null}
        <span>{formatTime(message.at)}</span>
        {isOut ? <DeliveryTicks status={status} /> : null}
      </div>
    </div>
  );
}
