import type { ReactNode } from 'react';
import { Icon } from '../../components/icon.tsx';
import { API_BASE } from '../../lib/api.ts';
import type { ThreadMessage } from '../../lib/types.ts';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** Only links a browser may show: http(s) URLs, never javascript: or data: from a message. */
function safeUrl(value: unknown): string | null {
  const text = str(value);
  return text && /^https?:\/\//i.test(text) ? text : null;
}

/**
 * What a message shows: text, a media preview (inbound media through our API, outbound by its link), a
 * map card, contact cards, a template, an interactive message. Inbound content is Meta's object
 * (snake_case), outbound is ours (camelCase); both are read.
 */
export function MessageContent({ message }: { message: ThreadMessage }) {
  const content = isObject(message.content) ? message.content : {};
  const part = isObject(content[message.type]) ? (content[message.type] as Json) : {};
  if (message.isRevoked) return <em className="muted">This message was deleted</em>;
  switch (message.type) {
    case 'text':
      return <>{str(part.body) ?? message.text}</>;
    case 'image':
    case 'sticker':
    case 'video':
    case 'audio':
    case 'document':
      return <MediaPreview message={message} part={part} />;
    case 'location': {
      const latitude = Number(part.latitude);
      const longitude = Number(part.longitude);
      const hasPoint = Number.isFinite(latitude) && Number.isFinite(longitude);
      const href = hasPoint
        ? `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`
        : undefined;
      return (
        <a className="media-card" href={href} target="_blank" rel="noreferrer noopener">
          <span className="media-icon">
            <Icon name="pin" />
          </span>
          <span>
            <strong>{str(part.name) ?? 'Location'}</strong>
            <br />
            <span className="small muted">
              {str(part.address) ?? (hasPoint ? `${latitude.toFixed(5)}, ${longitude.toFixed(5)}` : '')}
            </span>
          </span>
        </a>
      );
    }
    case 'contacts': {
      const cards = Array.isArray(content.contacts) ? (content.contacts as Json[]) : [];
      return (
        <div className="stack tight">
          {cards.map((card, index) => {
            const name = isObject(card.name)
              ? (str(card.name.formatted_name) ?? str(card.name.formattedName) ?? 'Contact')
              : 'Contact';
            const phones = Array.isArray(card.phones) ? (card.phones as Json[]) : [];
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: contact cards have no id.
              <div className="media-card" key={index}>
                <span className="media-icon">
                  <Icon name="user" />
                </span>
                <span>
                  <strong>{name}</strong>
                  {phones.map((phone, phoneIndex) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: phones have no id.
                    <span key={phoneIndex} className="small muted" style={{ display: 'block' }}>
                      {str(phone.phone) ?? ''} {str(phone.type) ? `· ${str(phone.type)}` : ''}
                    </span>
                  ))}
                </span>
              </div>
            );
          })}
        </div>
      );
    }
    case 'template': {
      // The server fills in the template's words when it has the template; otherwise only its name is known.
      const hasWords = !message.text.startsWith('Template: ');
      return (
        <div className="template-card">
          <span className="small muted">Template · {str(part.name) ?? ''}</span>
          {hasWords ? (
            <>
              <br />
              {message.text}
            </>
          ) : null}
        </div>
      );
    }
    case 'interactive': {
      const body = str(part.body) ?? (isObject(part.body) ? str(part.body.text) : null);
      const buttons = Array.isArray(part.buttons) ? (part.buttons as Json[]) : [];
      if (!body) return <>{message.text}</>;
      return (
        <div className="template-card">
          {body}
          {buttons.length > 0 ? (
            <div className="template-buttons">
              {buttons.map((button, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: buttons are in order.
                <span key={index}>
                  {str(button.title) ?? str(isObject(button.reply) ? button.reply.title : null) ?? 'Button'}
                </span>
              ))}
            </div>
          ) : null}
        </div>
      );
    }
    case 'reaction':
      return <span style={{ fontSize: 22 }}>{str(part.emoji) ?? '—'}</span>;
    default:
      return <>{message.text || <em className="muted">{message.type} message</em>}</>;
  }
}

function MediaPreview({ message, part }: { message: ThreadMessage; part: Json }) {
  // Outbound media goes by link (or an uploaded id we cannot show); inbound comes through our API.
  const source =
    message.direction === 'in'
      ? str(part.id)
        ? `${API_BASE}/inbox/messages/${encodeURIComponent(message.id)}/media`
        : null
      : safeUrl(part.link);
  const caption = str(part.caption);
  const filename = str(part.filename);
  let preview: ReactNode;
  if (source && (message.type === 'image' || message.type === 'sticker')) {
    preview = (
      <img
        className="media"
        src={source}
        alt={caption ?? 'Image'}
        loading="lazy"
        style={message.type === 'sticker' ? { maxWidth: 140 } : undefined}
      />
    );
  } else if (source && message.type === 'video') {
    // biome-ignore lint/a11y/useMediaCaption: customers' videos come without captions.
    preview = <video className="media" src={source} controls preload="metadata" />;
  } else if (source && message.type === 'audio') {
    // biome-ignore lint/a11y/useMediaCaption: voice notes come without captions.
    preview = <audio src={source} controls preload="none" style={{ maxWidth: '100%' }} />;
  } else {
    const icon =
      message.type === 'video'
        ? 'video'
        : message.type === 'audio'
          ? 'mic'
          : message.type === 'image'
            ? 'image'
            : 'file';
    preview = (
      <a
        className="media-card"
        href={source ?? undefined}
        target="_blank"
        rel="noreferrer noopener"
        download={filename ?? undefined}
      >
        <span className="media-icon">
          <Icon name={icon} />
        </span>
        <span>
          <strong>
            {filename ??
              {
                document: 'Document',
                video: 'Video',
                audio: 'Voice message',
                image: 'Photo',
                sticker: 'Sticker',
              }[message.type]}
          </strong>
          <br />
          <span className="small muted">
            {str(part.mime_type) ?? str(part.mimeType) ?? (source ? 'Open' : 'Not available')}
          </span>
        </span>
      </a>
    );
  }
  return (
    <>
      {preview}
      {caption ? <div>{caption}</div> : null}
    </>
  );
}
