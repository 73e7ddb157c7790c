type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | null =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;
const asText = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value : null;

/**
 * What a stored message says, as one line of text for the model: the body, a caption, a button's or list
 * row's title, or a placeholder for what has no text ("[image]"). Inbound content is Meta's message
 * without its envelope; outbound content is our OutboundMessage. Null for what is not part of the dialogue
 * (reactions, system notices, revokes).
 */
export function messageText(type: string, content: unknown): string | null {
  const message = asObject(content);
  if (!message) return null;
  const inner = asObject(message[type]);
  switch (type) {
    case 'text':
      return asText(inner?.body);
    case 'button':
      return asText(inner?.text) ?? asText(inner?.payload);
    case 'interactive': {
      const reply = asObject(inner?.button_reply) ?? asObject(inner?.list_reply);
      if (reply) return asText(reply.title);
      if (asObject(inner?.nfm_reply)) return '[form submitted]';
      // Our own interactive message: its body text.
      return asText(asObject(inner?.body)?.text) ?? asText(inner?.body) ?? '[interactive message]';
    }
    case 'image':
    case 'video':
    case 'document':
    case 'audio':
    case 'sticker': {
      const caption = asText(inner?.caption);
      return caption ? `[${type}] ${caption}` : `[${type}]`;
    }
    case 'location': {
      const name = asText(inner?.name) ?? asText(inner?.address);
      return name ? `[location] ${name}` : '[location]';
    }
    case 'contacts':
      return '[contact card]';
    case 'order':
      return asText(inner?.text) ? `[order] ${asText(inner?.text)}` : '[order]';
    case 'template':
      return `[template ${asText(inner?.name) ?? ''}]`.replace(' ]', ']');
    default:
      return null;
  }
}

/** Message types a customer writes to talk to us; others (reactions, system notices, edits) start no turn. */
export const CONVERSATIONAL_TYPES: ReadonlySet<string> = new Set([
  'text',
  'button',
  'interactive',
  'image',
  'video',
  'document',
  'audio',
  'sticker',
  'location',
  'contacts',
  'order',
]);
