import { SimulatedGraphError } from './graph-error.ts';
import { isRecord } from './is-record.ts';

/**
 * Structural checks of a `POST /{phone-number-id}/messages` body, as Meta makes them: 100 for the
 * envelope (product, recipient, type), 131008 when a required field is missing, 131009 when a value is
 * out of range. Limits are Meta's documented ones (cloud-api-details.md §3.1). Template names,
 * languages and parameter counts are checked against the registry later (check-template-send.ts).
 */

export const messageTypes = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'template',
  'reaction',
] as const;
export type MessageType = (typeof messageTypes)[number];

const mediaTypes = new Set<MessageType>(['image', 'audio', 'video', 'document', 'sticker']);
const captionedTypes = new Set<MessageType>(['image', 'video', 'document']);

/** Interactive types Meta documents; only the common ones are checked field by field. */
const interactiveTypes = new Set([
  'button',
  'list',
  'cta_url',
  'flow',
  'product',
  'product_list',
  'catalog_message',
  'order_details',
  'order_status',
  'location_request_message',
  'address_message',
  'call_permission_request',
  'voice_call',
  'carousel',
  'contact_request',
]);

export interface TemplateRequestComponent {
  type: string;
  subType: string | null;
  index: number | null;
  parameters: Array<Record<string, unknown>>;
}

export interface TemplateRequest {
  name: string;
  languageCode: string;
  components: TemplateRequestComponent[];
}

export interface InteractiveChoice {
  id: string;
  title: string;
}

export interface OutboundRequest {
  /** `to` as given; the response echoes it as `contacts[0].input`. */
  to: string;
  type: MessageType;
  /** The object named after the type (an array for contacts). */
  content: unknown;
  contextMessageId: string | null;
  bizOpaqueCallbackData: string | null;
  template: TemplateRequest | null;
  interactiveType: string | null;
  /** Reply buttons, or the rows of a list: what a simulated customer can tap. */
  choices: InteractiveChoice[];
  mediaId: string | null;
  /** The text a person would read, for personas and the sent log. */
  text: string | null;
}

export type SendCommand =
  | { kind: 'mark-read'; messageId: string; hasTypingIndicator: boolean }
  | { kind: 'message'; request: OutboundRequest };

type Json = Record<string, unknown>;

function missing(path: string): SimulatedGraphError {
  return new SimulatedGraphError(131008, `The parameter ${path} is required.`);
}

function invalid(path: string, why: string): SimulatedGraphError {
  return new SimulatedGraphError(131009, `Param ${path} ${why}`);
}

function requireRecord(parent: Json, key: string, path: string): Json {
  const value = parent[key];
  if (value === undefined || value === null) throw missing(path);
  if (!isRecord(value)) throw invalid(path, 'must be an object.');
  return value;
}

function requireString(
  parent: Json,
  key: string,
  path: string,
  maxLength = Number.POSITIVE_INFINITY,
): string {
  const value = parent[key];
  if (value === undefined || value === null || value === '') throw missing(path);
  if (typeof value !== 'string') throw invalid(path, 'must be a string.');
  if (value.length > maxLength) throw invalid(path, `must be at most ${maxLength} characters long.`);
  return value;
}

function optionalString(
  parent: Json,
  key: string,
  path: string,
  maxLength = Number.POSITIVE_INFINITY,
): string | null {
  if (parent[key] === undefined || parent[key] === null) return null;
  return requireString(parent, key, path, maxLength);
}

function requireArray(parent: Json, key: string, path: string, min: number, max: number): unknown[] {
  const value = parent[key];
  if (value === undefined || value === null) throw missing(path);
  if (!Array.isArray(value)) throw invalid(path, 'must be an array.');
  if (value.length < min || value.length > max) throw invalid(path, `must have from ${min} to ${max} items.`);
  return value;
}

/** `image`, `video`, …: by uploaded `id` or by `link`, never both. */
function checkMedia(type: MessageType, media: Json): string | null {
  const id = optionalString(media, 'id', `${type}['id']`);
  const link = optionalString(media, 'link', `${type}['link']`);
  if (id === null && link === null) throw missing(`${type}['id'] or ${type}['link']`);
  if (id !== null && link !== null) throw invalid(type, 'must have either id or link, not both.');
  if (captionedTypes.has(type)) optionalString(media, 'caption', `${type}['caption']`, 1024);
  if (type === 'document') optionalString(media, 'filename', `${type}['filename']`, 240);
  return id;
}

function checkCoordinate(location: Json, key: 'latitude' | 'longitude', limit: number): void {
  const value = location[key];
  if (value === undefined || value === null || value === '') throw missing(`location['${key}']`);
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number) || Math.abs(number) > limit) {
    throw invalid(`location['${key}']`, `must be a number from -${limit} to ${limit}.`);
  }
}

function checkContacts(contacts: unknown[]): void {
  contacts.forEach((contact, index) => {
    if (!isRecord(contact)) throw invalid(`contacts[${index}]`, 'must be an object.');
    const name = requireRecord(contact, 'name', `contacts[${index}]['name']`);
    requireString(name, 'formatted_name', `contacts[${index}]['name']['formatted_name']`);
  });
}

function checkInteractiveHeader(interactive: Json): void {
  if (interactive.header === undefined) return;
  const header = requireRecord(interactive, 'header', "interactive['header']");
  const type = requireString(header, 'type', "interactive['header']['type']");
  if (type === 'text') {
    requireString(header, 'text', "interactive['header']['text']", 60);
  } else if (type === 'image' || type === 'video' || type === 'document') {
    checkMedia(type, requireRecord(header, type, `interactive['header']['${type}']`));
  } else {
    throw invalid("interactive['header']['type']", 'must be one of {text, image, video, document}.');
  }
}

function checkReplyButtons(action: Json): InteractiveChoice[] {
  const buttons = requireArray(action, 'buttons', "interactive['action']['buttons']", 1, 3);
  const seen = new Set<string>();
  return buttons.map((button, index) => {
    const path = `interactive['action']['buttons'][${index}]`;
    if (!isRecord(button)) throw invalid(path, 'must be an object.');
    if (button.type !== 'reply') throw invalid(`${path}['type']`, 'must be reply.');
    const reply = requireRecord(button, 'reply', `${path}['reply']`);
    const id = requireString(reply, 'id', `${path}['reply']['id']`, 256);
    const title = requireString(reply, 'title', `${path}['reply']['title']`, 20);
    if (seen.has(id) || seen.has(`title:${title}`)) throw invalid(path, 'ids and titles must be unique.');
    seen.add(id);
    seen.add(`title:${title}`);
    return { id, title };
  });
}

function checkListSections(action: Json): InteractiveChoice[] {
  requireString(action, 'button', "interactive['action']['button']", 20);
  const sections = requireArray(action, 'sections', "interactive['action']['sections']", 1, 10);
  const rows: InteractiveChoice[] = [];
  sections.forEach((section, sectionIndex) => {
    const path = `interactive['action']['sections'][${sectionIndex}]`;
    if (!isRecord(section)) throw invalid(path, 'must be an object.');
    if (sections.length > 1) requireString(section, 'title', `${path}['title']`, 24);
    else optionalString(section, 'title', `${path}['title']`, 24);
    requireArray(section, 'rows', `${path}['rows']`, 1, 10).forEach((row, rowIndex) => {
      const rowPath = `${path}['rows'][${rowIndex}]`;
      if (!isRecord(row)) throw invalid(rowPath, 'must be an object.');
      const id = requireString(row, 'id', `${rowPath}['id']`, 200);
      const title = requireString(row, 'title', `${rowPath}['title']`, 24);
      optionalString(row, 'description', `${rowPath}['description']`, 72);
      rows.push({ id, title });
    });
  });
  // Meta: up to 10 rows across all sections.
  if (rows.length > 10) throw invalid("interactive['action']['sections']", 'may hold 10 rows in total.');
  return rows;
}

function checkInteractive(interactive: Json): {
  type: string;
  choices: InteractiveChoice[];
  text: string | null;
} {
  const type = requireString(interactive, 'type', "interactive['type']");
  if (!interactiveTypes.has(type)) {
    throw invalid("interactive['type']", `must be one of {${[...interactiveTypes].join(', ')}}.`);
  }
  const action = requireRecord(interactive, 'action', "interactive['action']");
  const bodyRequired = type === 'button' || type === 'list' || type === 'cta_url';
  let text: string | null = null;
  if (bodyRequired || interactive.body !== undefined) {
    const body = requireRecord(interactive, 'body', "interactive['body']");
    text = requireString(body, 'text', "interactive['body']['text']", type === 'list' ? 4096 : 1024);
  }
  if (interactive.footer !== undefined) {
    requireString(
      requireRecord(interactive, 'footer', "interactive['footer']"),
      'text',
      "interactive['footer']['text']",
      60,
    );
  }
  let choices: InteractiveChoice[] = [];
  if (type === 'button') {
    checkInteractiveHeader(interactive);
    choices = checkReplyButtons(action);
  } else if (type === 'list') {
    checkInteractiveHeader(interactive);
    choices = checkListSections(action);
  } else if (type === 'cta_url') {
    checkInteractiveHeader(interactive);
    const parameters = requireRecord(action, 'parameters', "interactive['action']['parameters']");
    requireString(parameters, 'display_text', "interactive['action']['parameters']['display_text']", 20);
    requireString(parameters, 'url', "interactive['action']['parameters']['url']");
  } else if (type === 'flow') {
    checkInteractiveHeader(interactive);
    const parameters = requireRecord(action, 'parameters', "interactive['action']['parameters']");
    if (parameters.flow_id === undefined && parameters.flow_name === undefined) {
      throw missing("interactive['action']['parameters']['flow_id'] or ['flow_name']");
    }
  }
  return { type, choices, text };
}

function toIndex(value: unknown, path: string): number | null {
  if (value === undefined || value === null) return null;
  const index = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > 9) {
    throw invalid(path, 'must be a whole number from 0 to 9.');
  }
  return index;
}

function checkTemplate(template: Json): TemplateRequest {
  const name = requireString(template, 'name', "template['name']", 512);
  const language = requireRecord(template, 'language', "template['language']");
  const languageCode = requireString(language, 'code', "template['language']['code']");
  if (language.policy !== undefined && language.policy !== 'deterministic') {
    throw invalid("template['language']['policy']", 'must be deterministic.');
  }
  const components: TemplateRequestComponent[] = [];
  if (template.components !== undefined) {
    requireArray(template, 'components', "template['components']", 0, 20).forEach((component, index) => {
      const path = `template['components'][${index}]`;
      if (!isRecord(component)) throw invalid(path, 'must be an object.');
      const type = requireString(component, 'type', `${path}['type']`).toLowerCase();
      const subType = optionalString(component, 'sub_type', `${path}['sub_type']`);
      const buttonIndex = toIndex(component.index, `${path}['index']`);
      if (type === 'button') {
        if (subType === null) throw missing(`${path}['sub_type']`);
        if (buttonIndex === null) throw missing(`${path}['index']`);
      }
      const parameters =
        component.parameters === undefined
          ? []
          : requireArray(component, 'parameters', `${path}['parameters']`, 0, 100);
      const checked = parameters.map((parameter, parameterIndex) => {
        const parameterPath = `${path}['parameters'][${parameterIndex}]`;
        if (!isRecord(parameter)) throw invalid(parameterPath, 'must be an object.');
        const parameterType = requireString(parameter, 'type', `${parameterPath}['type']`);
        // Meta's own sample puts booleans in quick-reply button texts, so only header and body texts are strict.
        if (parameterType === 'text' && type !== 'button') {
          requireString(parameter, 'text', `${parameterPath}['text']`, 32_768);
        } else if (parameterType !== 'text' && parameter[parameterType] === undefined) {
          throw missing(`${parameterPath}['${parameterType}']`);
        }
        return parameter;
      });
      components.push({
        type,
        subType: subType?.toLowerCase() ?? null,
        index: buttonIndex,
        parameters: checked,
      });
    });
  }
  return { name, languageCode, components };
}

/** Meta's examples sometimes omit `type`: it is the type object present, and `text` when none is. */
function inferType(body: Json): MessageType {
  for (const type of messageTypes)
    if (isRecord(body[type]) || (type === 'contacts' && Array.isArray(body[type]))) return type;
  return 'text';
}

function checkMarkRead(body: Json): SendCommand {
  if (body.status !== 'read') throw new SimulatedGraphError(100, 'Param status must be one of {read}.');
  const messageId = requireString(body, 'message_id', 'message_id');
  let hasTypingIndicator = false;
  if (body.typing_indicator !== undefined) {
    const indicator = requireRecord(body, 'typing_indicator', 'typing_indicator');
    if (indicator.type !== 'text') throw invalid("typing_indicator['type']", 'must be text.');
    hasTypingIndicator = true;
  }
  return { kind: 'mark-read', messageId, hasTypingIndicator };
}

export function checkSendBody(body: unknown): SendCommand {
  if (!isRecord(body)) throw new SimulatedGraphError(100, 'The request body must be a JSON object.');
  if (body.messaging_product === undefined) {
    throw new SimulatedGraphError(100, 'The parameter messaging_product is required.');
  }
  if (body.messaging_product !== 'whatsapp') {
    throw new SimulatedGraphError(100, 'Param messaging_product must be one of {WHATSAPP}.');
  }
  if (body.status !== undefined) return checkMarkRead(body);
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual') {
    throw invalid('recipient_type', 'must be individual (groups are not simulated).');
  }
  if (body.to === undefined || body.to === null || body.to === '') {
    throw new SimulatedGraphError(100, 'The parameter to is required.');
  }
  if (typeof body.to !== 'string') throw new SimulatedGraphError(100, 'Param to must be a string.');
  let type: MessageType;
  if (body.type === undefined) type = inferType(body);
  else if (typeof body.type === 'string' && (messageTypes as readonly string[]).includes(body.type)) {
    type = body.type as MessageType;
  } else {
    throw new SimulatedGraphError(100, `Param type must be one of {${messageTypes.join(', ')}}.`);
  }
  let contextMessageId: string | null = null;
  if (body.context !== undefined) {
    contextMessageId = requireString(
      requireRecord(body, 'context', 'context'),
      'message_id',
      "context['message_id']",
    );
  }
  // 512 characters: the documented limit of the value echoed in status webhooks.
  const bizOpaqueCallbackData = optionalString(
    body,
    'biz_opaque_callback_data',
    'biz_opaque_callback_data',
    512,
  );

  const request: OutboundRequest = {
    to: body.to,
    type,
    content: body[type],
    contextMessageId,
    bizOpaqueCallbackData,
    template: null,
    interactiveType: null,
    choices: [],
    mediaId: null,
    text: null,
  };
  if (type === 'contacts') {
    checkContacts(requireArray(body, 'contacts', 'contacts', 1, 256));
    return { kind: 'message', request };
  }
  const content = requireRecord(body, type, type);
  if (type === 'text') {
    request.text = requireString(content, 'body', "text['body']", 4096);
    if (content.preview_url !== undefined && typeof content.preview_url !== 'boolean') {
      throw invalid("text['preview_url']", 'must be a boolean.');
    }
  } else if (mediaTypes.has(type)) {
    request.mediaId = checkMedia(type, content);
    request.text = typeof content.caption === 'string' ? content.caption : null;
  } else if (type === 'location') {
    checkCoordinate(content, 'latitude', 90);
    checkCoordinate(content, 'longitude', 180);
  } else if (type === 'reaction') {
    requireString(content, 'message_id', "reaction['message_id']");
    if (content.emoji !== undefined && typeof content.emoji !== 'string')
      throw invalid("reaction['emoji']", 'must be a string.');
  } else if (type === 'interactive') {
    const interactive = checkInteractive(content);
    request.interactiveType = interactive.type;
    request.choices = interactive.choices;
    request.text = interactive.text;
  } else if (type === 'template') {
    request.template = checkTemplate(content);
  }
  return { kind: 'message', request };
}
