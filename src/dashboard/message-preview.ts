type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value : null;

/**
 * One line for a conversation list: the text of a message, or what kind of thing it is. Inbound content
 * is Meta's message object (snake_case, `text.body`), outbound is ours (camelCase, `text.body` too, and
 * `template.name`); both are read here.
 */
export function messagePreview(type: string, content: unknown): string {
  const body = isObject(content) ? content : {};
  const part = isObject(body[type]) ? (body[type] as Json) : {};
  switch (type) {
    case 'text':
      return text(part.body) ?? '';
    case 'image':
    case 'video':
    case 'document':
    case 'audio':
    case 'sticker': {
      const label = {
        image: '📷 Photo',
        video: '🎬 Video',
        document: '📄 Document',
        audio: '🎤 Audio',
        sticker: 'Sticker',
      }[type];
      const detail = text(part.caption) ?? text(part.filename);
      return detail ? `${label}: ${detail}` : label;
    }
    case 'location':
      return `📍 ${text(part.name) ?? text(part.address) ?? 'Location'}`;
    case 'contacts':
      return '👤 Contact card';
    case 'template':
      return `Template: ${text(part.name) ?? 'message'}`;
    case 'interactive': {
      const reply = isObject(part.button_reply)
        ? part.button_reply
        : isObject(part.list_reply)
          ? part.list_reply
          : null;
      if (reply) return text(reply.title) ?? 'Reply';
      // A completed WhatsApp Flow: its body is Meta's "Sent", which says nothing to a reader.
      if (isObject(part.nfm_reply) || part.type === 'nfm_reply') return '📋 Form submitted';
      return text(part.body) ?? (isObject(part.body) ? (text(part.body.text) ?? '') : 'Interactive message');
    }
    case 'button':
      return text(part.text) ?? 'Button';
    case 'reaction': {
      // An empty or missing emoji is Meta's way of saying the reaction was taken back.
      const emoji = text(part.emoji);
      return emoji ? `Reacted ${emoji}` : 'Removed a reaction';
    }
    case 'order': {
      const items = Array.isArray(part.product_items) ? part.product_items : [];
      const count = items.reduce<number>(
        (sum, item) => sum + (isObject(item) && typeof item.quantity === 'number' ? item.quantity : 1),
        0,
      );
      const note = text(part.text);
      const summary = count === 0 ? '🛒 Order' : `🛒 Order: ${count} ${count === 1 ? 'item' : 'items'}`;
      return note ? `${summary} (${note})` : summary;
    }
    case 'system':
      return `ℹ️ ${text(part.body) ?? 'The customer’s details changed'}`;
    case 'revoke':
      return '🚫 Deleted a message';
    case 'edit': {
      const edited = isObject(part.message) ? part.message : null;
      const editedType = edited && typeof edited.type === 'string' ? edited.type : null;
      const inner = edited && editedType ? messagePreview(editedType, edited) : '';
      return inner ? `✏️ Edited: ${inner}` : '✏️ Edited a message';
    }
    case 'unsupported': {
      const kind = text(part.type);
      return `Unsupported message${kind ? ` (${kind.replaceAll('_', ' ')})` : ''}: open WhatsApp to see it`;
    }
    case 'request_welcome':
      return '👋 Opened the chat';
    case 'call': {
      const direction = part.direction === 'BUSINESS_INITIATED' ? 'Outgoing' : 'Incoming';
      const status = text(part.status)?.toLowerCase();
      const duration = typeof part.durationSeconds === 'number' ? part.durationSeconds : null;
      const length =
        duration === null ? '' : `, ${Math.floor(duration / 60)}:${String(duration % 60).padStart(2, '0')}`;
      return `📞 ${direction} call${status ? ` (${status}${length})` : length}`;
    }
    default:
      // A type Meta added after this was written: say what it is rather than show nothing.
      return `Message (${type.replaceAll('_', ' ')})`;
  }
}
