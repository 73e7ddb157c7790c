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
      return text(part.body) ?? (isObject(part.body) ? (text(part.body.text) ?? '') : 'Interactive message');
    }
    case 'button':
      return text(part.text) ?? 'Button';
    case 'reaction':
      return `Reacted ${text(part.emoji) ?? ''}`.trim();
    default:
      return type.replaceAll('_', ' ');
  }
}
