import { createHash } from 'node:crypto';
import type {
  AccountReviewData,
  AccountUpdateData,
  CallEventData,
  EchoedMessage,
  EventBase,
  GroupEventData,
  GroupParticipant,
  InboundMessage,
  InteractiveReply,
  JsonObject,
  MessageContext,
  MessageLocation,
  MessageMedia,
  MessageOrder,
  MessageReferral,
  MessageStatus,
  ParseResult,
  PhoneNumberNameData,
  PhoneNumberQualityData,
  SharedContact,
  SystemNotice,
  TemplateCategoryData,
  TemplateComponentsData,
  TemplateQualityData,
  TemplateRef,
  TemplateStatusData,
  UserPreferenceData,
  WebhookContact,
  WebhookEvent,
  WhatsAppError,
} from './webhook-events.ts';

export type { ParseResult } from './webhook-events.ts';

const WABA_OBJECT = 'whatsapp_business_account';

/** One delivery may hold up to 1,000 updates (Meta, "Create a webhook endpoint"); a bad one should not yield 1,000 warnings. */
const MAX_WARNINGS = 100;

/** Message types in Meta's webhook reference and in real payloads (pywa, chatwoot); anything else is kept with a warning. */
const KNOWN_MESSAGE_TYPES = new Set([
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'button',
  'reaction',
  'order',
  'system',
  'unsupported',
  'unknown',
  'edit',
  'revoke',
  'request_welcome',
]);

const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker']);

/** Type objects we can recognise when a message arrives without its `type`. */
const INFERABLE_TYPES = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'button',
  'reaction',
  'order',
  'system',
  'edit',
  'revoke',
];

const KNOWN_INTERACTIVE_TYPES = new Set(['button_reply', 'list_reply', 'nfm_reply', 'call_permission_reply']);

/**
 * Message statuses (webhooks reference, "status"): `played` is a voice note's first play, `deleted` a
 * message the user deleted, `warning` a catalogue item problem; `captured` and `pending` belong to
 * payment statuses (`type: "payment"`).
 */
const KNOWN_STATUSES = new Set([
  'sent',
  'delivered',
  'read',
  'failed',
  'played',
  'deleted',
  'warning',
  'captured',
  'pending',
]);

/**
 * Fields Meta documents that we do not model: kept as `change-received` without a warning. Any other name
 * is unknown and flagged (cloud-api-details §1.8 and §1.9).
 */
const KNOWN_UNMODELED_FIELDS = new Set([
  'account_alerts',
  'account_settings_update',
  'automatic_events',
  'business_capability_update',
  'business_username_update',
  'consumer_profile',
  'history',
  'message_echoes',
  'messaging_handovers',
  'partner_solutions',
  'payment_configuration_update',
  'security',
  'smb_app_state_sync',
]);

/** The envelope of a message; everything else is its content, kept for storage. */
const MESSAGE_ENVELOPE_KEYS = new Set(['id', 'from', 'from_user_id', 'from_parent_user_id', 'timestamp']);

/**
 * Meta's payloads nest about 8 levels deep. V8's JSON.parse accepts a million levels, but JSON.stringify
 * overflows the stack at a few thousand, and every event is stored as JSON: a deeper body is refused here
 * (it stays stored raw) so that every parsed event can be serialised.
 */
const MAX_DEPTH = 200;

type Dict = Record<string, unknown>;

interface Scope {
  path: string;
  field: string;
  wabaId: string | null;
  phoneNumberId: string | null;
  displayPhoneNumber: string | null;
  /** `entry[].time`, epoch ms. */
  entryTime: number | null;
}

interface Collector {
  events: WebhookEvent[];
  warnings: string[];
  droppedWarnings: number;
}

/**
 * Parses the raw body of a webhook delivery into normalized events. It is pure and never throws: a body
 * that is not JSON, or not a `whatsapp_business_account` notification, gives `ok: false` with the reason;
 * anything odd inside a notification is tolerated, kept in `raw`, and reported in `warnings`.
 */
export function parseWebhook(body: Buffer | string): ParseResult {
  try {
    const result = parseBody(body);
    // JSON.parse quotes the offending bytes in its message, NUL included.
    return result.ok
      ? { ...result, warnings: result.warnings.map(withoutNul) }
      : { ok: false, problem: withoutNul(result.problem) };
  } catch (error) {
    // Unreachable by design (the fuzz tests check it); a safety net so one delivery cannot kill the worker.
    return {
      ok: false,
      problem: `internal parser error: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

function parseBody(body: Buffer | string): ParseResult {
  let text: string;
  if (typeof body === 'string') text = body;
  else if (body instanceof Uint8Array)
    text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  else return { ok: false, problem: `body must be a Buffer or a string, got ${describe(body)}` };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return { ok: false, problem: 'body is empty' };

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      problem: `body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (!isDict(parsed)) return { ok: false, problem: `body is not a JSON object but ${describe(parsed)}` };
  if (isDeeperThan(parsed, MAX_DEPTH)) {
    return {
      ok: false,
      problem: `body nests deeper than ${MAX_DEPTH} levels; no WhatsApp notification does`,
    };
  }
  const object = own(parsed, 'object');
  if (object !== WABA_OBJECT) {
    return {
      ok: false,
      problem:
        object === undefined
          ? `not a WhatsApp notification: "object" is missing (expected "${WABA_OBJECT}")`
          : `not a WhatsApp notification: "object" is ${JSON.stringify(object)} (expected "${WABA_OBJECT}")`,
    };
  }
  const entries = own(parsed, 'entry');
  if (!Array.isArray(entries)) {
    return {
      ok: false,
      problem: `not a WhatsApp notification: "entry" is ${describe(entries)}, expected an array`,
    };
  }

  const out: Collector = { events: [], warnings: [], droppedWarnings: 0 };
  entries.forEach((entry, entryIndex) => {
    parseEntry(entry, `entry[${entryIndex}]`, out);
  });
  const warnings = [...new Set(out.warnings)];
  if (out.droppedWarnings > 0) warnings.push(`… and ${out.droppedWarnings} more warnings`);
  return { ok: true, events: out.events, warnings };
}

/**
 * The routing key (`<phone number id>|<WABA id>`) of every event a change gives: the same ids `parseEntry`
 * puts in each event's scope, so that a tenant's view of a raw body keeps exactly the changes whose events
 * were its own.
 */
export function routingKeyOfChange(entry: unknown, change: unknown): string {
  const phoneNumberId = str(own(dictAt(own(change, 'value'), 'metadata'), 'phone_number_id'));
  return `${phoneNumberId ?? ''}|${str(own(entry, 'id')) ?? ''}`;
}

function parseEntry(entry: unknown, path: string, out: Collector): void {
  if (!isDict(entry)) {
    warn(out, `${path} is ${describe(entry)}, not an object`);
    return;
  }
  const changes = own(entry, 'changes');
  if (!Array.isArray(changes)) {
    warn(out, `${path} has no "changes" array`);
    return;
  }
  const wabaId = str(own(entry, 'id'));
  const entryTime = epochMs(own(entry, 'time'));
  changes.forEach((change, changeIndex) => {
    const changePath = `${path}.changes[${changeIndex}]`;
    const scope: Scope = {
      path: changePath,
      field: '',
      wabaId,
      phoneNumberId: null,
      displayPhoneNumber: null,
      entryTime,
    };
    if (!isDict(change)) {
      warn(out, `${changePath} is ${describe(change)}, not an object`);
      keepChange(scope, change, out);
      return;
    }
    const field = str(own(change, 'field'));
    const value = own(change, 'value');
    const metadata = dictAt(value, 'metadata');
    scope.field = field ?? '';
    scope.phoneNumberId = str(own(metadata, 'phone_number_id'));
    scope.displayPhoneNumber =
      str(own(metadata, 'display_phone_number')) ?? str(own(value, 'display_phone_number'));
    if (field === null) {
      warn(out, `${changePath} has no "field"`);
      keepChange(scope, value, out);
      return;
    }
    parseChange(scope, value, out);
  });
}

function parseChange(scope: Scope, value: unknown, out: Collector): void {
  const before = out.events.length;
  const { field } = scope;
  const isKnown = isModeledField(field);
  if (isKnown && !isDict(value)) {
    warn(out, `${scope.path} (${field}): "value" is ${describe(value)}, not an object`);
    keepChange(scope, value, out);
    return;
  }
  const record = isDict(value) ? value : {};
  switch (field) {
    case 'messages':
      parseMessagesValue(scope, record, out);
      break;
    case 'message_template_status_update':
      pushValueEvent(scope, record, out, 'template-status-updated', templateStatusData(record));
      break;
    case 'message_template_quality_update':
      pushValueEvent(scope, record, out, 'template-quality-updated', templateQualityData(record));
      break;
    case 'template_category_update':
      pushValueEvent(scope, record, out, 'template-category-updated', templateCategoryData(record));
      break;
    case 'message_template_components_update':
      pushValueEvent(scope, record, out, 'template-components-updated', templateComponentsData(record));
      break;
    case 'phone_number_quality_update':
      pushValueEvent(scope, record, out, 'phone-number-quality-updated', phoneNumberQualityData(record));
      break;
    case 'phone_number_name_update':
      pushValueEvent(scope, record, out, 'phone-number-name-updated', phoneNumberNameData(record));
      break;
    case 'account_update':
      pushValueEvent(scope, record, out, 'account-updated', accountUpdateData(record));
      break;
    case 'account_review_update':
      pushValueEvent(scope, record, out, 'account-review-updated', accountReviewData(record));
      break;
    case 'user_preferences':
      parseUserPreferences(scope, record, out);
      break;
    case 'smb_message_echoes':
      parseMessageEchoes(scope, record, out);
      break;
    case 'calls':
      parseCalls(scope, record, out);
      break;
    default:
      if (field.startsWith('group_')) {
        parseGroups(scope, record, out);
        break;
      }
      if (!KNOWN_UNMODELED_FIELDS.has(field))
        warn(out, `${scope.path}: unknown field ${JSON.stringify(field)}`);
      keepChange(scope, value, out);
      return;
  }
  if (out.events.length === before) {
    // Every change yields an event, so that nothing Meta sent is silently dropped.
    warn(out, `${scope.path} (${field}) held nothing we recognise`);
    keepChange(scope, value, out);
  }
}

function isModeledField(field: string): boolean {
  return (
    field === 'messages' ||
    field === 'message_template_status_update' ||
    field === 'message_template_quality_update' ||
    field === 'template_category_update' ||
    field === 'message_template_components_update' ||
    field === 'phone_number_quality_update' ||
    field === 'phone_number_name_update' ||
    field === 'account_update' ||
    field === 'account_review_update' ||
    field === 'user_preferences' ||
    field === 'smb_message_echoes' ||
    field === 'calls' ||
    field.startsWith('group_')
  );
}

// ---------------------------------------------------------------------------------------------------
// messages

function parseMessagesValue(scope: Scope, value: Dict, out: Collector): void {
  const contacts = listAt(value, 'contacts').filter(isDict).map(contactOf);
  listAt(value, 'messages').forEach((item, index) => {
    const path = `${scope.path}.value.messages[${index}]`;
    if (!isDict(item)) {
      warn(out, `${path} is ${describe(item)}, not an object`);
      keepChange(scope, item, out);
      return;
    }
    const message = messageOf(item, scope, path, out);
    out.events.push({
      ...base(scope, `message:${message.id}`, message.timestamp ?? scope.entryTime, item),
      kind: 'message-received',
      contact: matchContact(contacts, message),
      message,
    });
  });
  listAt(value, 'statuses').forEach((item, index) => {
    const path = `${scope.path}.value.statuses[${index}]`;
    if (!isDict(item)) {
      warn(out, `${path} is ${describe(item)}, not an object`);
      keepChange(scope, item, out);
      return;
    }
    const status = statusOf(item, scope, path, out);
    out.events.push({
      ...base(scope, `status:${status.id}:${status.status}`, status.timestamp ?? scope.entryTime, item),
      kind: 'message-status-changed',
      status,
    });
  });
  pushValueErrors(scope, value, out);
}

function contactOf(contact: Dict): WebhookContact {
  const profile = dictAt(contact, 'profile');
  return {
    waId: str(own(contact, 'wa_id')),
    userId: str(own(contact, 'user_id')),
    parentUserId: str(own(contact, 'parent_user_id')),
    name: str(own(profile, 'name')),
    username: str(own(profile, 'username')) ?? str(own(contact, 'username')),
  };
}

/**
 * The sender's contact: matched by BSUID, then by wa_id, else the only contact of the change (Meta sends
 * one per sender; some sample payloads carry a `from` that matches no contact). Gaps are filled from the
 * message itself, so a message without contacts (system messages) still names its sender.
 */
function matchContact(contacts: WebhookContact[], message: InboundMessage): WebhookContact {
  const found =
    (message.fromUserId !== null
      ? contacts.find((contact) => contact.userId === message.fromUserId)
      : undefined) ??
    (message.from !== null ? contacts.find((contact) => contact.waId === message.from) : undefined) ??
    (contacts.length === 1 ? contacts[0] : undefined);
  if (!found) {
    return {
      waId: message.from,
      userId: message.fromUserId,
      parentUserId: message.fromParentUserId,
      name: null,
      username: null,
    };
  }
  return {
    ...found,
    waId: found.waId ?? message.from,
    userId: found.userId ?? message.fromUserId,
    parentUserId: found.parentUserId ?? message.fromParentUserId,
  };
}

function messageOf(item: Dict, scope: Scope, path: string, out: Collector): InboundMessage {
  let id = str(own(item, 'id'));
  if (id === null) {
    id = `unidentified:${scopedHash(scope, item)}`;
    warn(out, `${path} has no id; keyed as ${id}`);
  }
  let type = str(own(item, 'type'));
  if (type === null) {
    const inferred = INFERABLE_TYPES.find((candidate) => own(item, candidate) !== undefined);
    type = inferred ?? 'unknown';
    warn(out, `message ${id} has no type; read as ${JSON.stringify(type)}`);
  } else if (!KNOWN_MESSAGE_TYPES.has(type)) {
    warn(out, `unknown message type ${JSON.stringify(type)} in message ${id}`);
  }

  const edit = editOf(item);
  const revoke = dictAt(item, 'revoke');
  // An edit carries the new message inside it; its text and media are what the user now sees.
  const payload =
    type === 'edit' && edit !== null
      ? payloadOf(str(own(edit.inner, 'type')) ?? '', edit.inner ?? {}, id, out)
      : payloadOf(type, item, id, out);
  const revokeTarget = revoke ? str(own(revoke, 'original_message_id')) : null;

  return {
    id,
    from: str(own(item, 'from')),
    fromUserId: str(own(item, 'from_user_id')),
    fromParentUserId: str(own(item, 'from_parent_user_id')),
    groupId: str(own(item, 'group_id')),
    timestamp: epochMs(own(item, 'timestamp')),
    type,
    ...payload,
    errors: errorsOf(own(item, 'errors')),
    context: contextOf(dictAt(item, 'context')),
    referral: referralOf(dictAt(item, 'referral')),
    edit: edit
      ? { originalMessageId: edit.originalMessageId, message: (edit.inner as JsonObject | null) ?? null }
      : null,
    revoke: revoke ? { originalMessageId: revokeTarget } : null,
    targetMessageId: edit?.originalMessageId ?? revokeTarget,
    content: contentOf(item),
  };
}

type MessagePayload = Pick<
  InboundMessage,
  'text' | 'media' | 'location' | 'contacts' | 'interactive' | 'button' | 'reaction' | 'order' | 'system'
>;

/** The type-specific parts of a message (or of an edit's new message). */
function payloadOf(type: string, holder: Dict, id: string, out: Collector): MessagePayload {
  const part = own(holder, type);
  const payload: MessagePayload = {
    text: null,
    media: null,
    location: null,
    contacts: null,
    interactive: null,
    button: null,
    reaction: null,
    order: null,
    system: null,
  };
  if (type === 'text') {
    payload.text = str(own(part, 'body'));
  } else if (MEDIA_TYPES.has(type) && isDict(part)) {
    payload.media = mediaOf(type, part);
    payload.text = payload.media.caption;
  } else if (type === 'location' && isDict(part)) {
    payload.location = locationOf(part);
  } else if (type === 'contacts') {
    payload.contacts = (Array.isArray(part) ? part : []).filter(isDict).map(sharedContactOf);
  } else if (type === 'interactive' && isDict(part)) {
    payload.interactive = interactiveOf(part, id, out);
    payload.text = payload.interactive.title;
  } else if (type === 'button' && isDict(part)) {
    payload.button = { payload: str(own(part, 'payload')), text: str(own(part, 'text')) };
    payload.text = payload.button.text ?? payload.button.payload;
  } else if (type === 'reaction' && isDict(part)) {
    // A removed reaction arrives with an empty or missing emoji.
    payload.reaction = { messageId: str(own(part, 'message_id')), emoji: str(own(part, 'emoji')) || null };
  } else if (type === 'order' && isDict(part)) {
    payload.order = orderOf(part);
    payload.text = payload.order.text;
  } else if (type === 'system' && isDict(part)) {
    payload.system = systemOf(part);
    payload.text = payload.system.body;
  }
  return payload;
}

function mediaOf(type: string, part: Dict): MessageMedia {
  const media: MessageMedia = {
    id: str(own(part, 'id')),
    mimeType: str(own(part, 'mime_type')),
    sha256: str(own(part, 'sha256')),
    caption: str(own(part, 'caption')),
    filename: str(own(part, 'filename')),
    url: str(own(part, 'url')),
  };
  if (type === 'audio') media.isVoice = bool(own(part, 'voice')) === true;
  if (type === 'sticker') media.isAnimated = bool(own(part, 'animated')) === true;
  return media;
}

function locationOf(part: Dict): MessageLocation {
  return {
    latitude: num(own(part, 'latitude')),
    longitude: num(own(part, 'longitude')),
    name: str(own(part, 'name')),
    address: str(own(part, 'address')),
    url: str(own(part, 'url')),
  };
}

function sharedContactOf(contact: Dict): SharedContact {
  const name = dictAt(contact, 'name');
  return {
    formattedName: str(own(name, 'formatted_name')),
    firstName: str(own(name, 'first_name')),
    lastName: str(own(name, 'last_name')),
    company: str(own(dictAt(contact, 'org'), 'company')),
    phones: listAt(contact, 'phones')
      .filter(isDict)
      .map((phone) => ({
        phone: str(own(phone, 'phone')),
        waId: str(own(phone, 'wa_id')),
        type: str(own(phone, 'type')),
      })),
    emails: listAt(contact, 'emails')
      .filter(isDict)
      .map((email) => ({ email: str(own(email, 'email')), type: str(own(email, 'type')) })),
  };
}

function interactiveOf(part: Dict, id: string, out: Collector): InteractiveReply {
  const type =
    str(own(part, 'type')) ??
    ['button_reply', 'list_reply', 'nfm_reply'].find((key) => own(part, key) !== undefined) ??
    null;
  if (type === null) {
    warn(out, `interactive message ${id} has no reply type`);
    return { type: 'unknown', id: null, title: null, description: null };
  }
  if (!KNOWN_INTERACTIVE_TYPES.has(type))
    warn(out, `unknown interactive type ${JSON.stringify(type)} in message ${id}`);
  const reply = own(part, type);
  if (type === 'nfm_reply') {
    const flow: InteractiveReply = {
      type,
      id: null,
      title: str(own(reply, 'body')),
      description: null,
      name: str(own(reply, 'name')),
    };
    const responseJson = own(reply, 'response_json');
    if (responseJson !== undefined) flow.responseJson = parseEmbeddedJson(responseJson);
    return flow;
  }
  return {
    type,
    id: str(own(reply, 'id')),
    title: str(own(reply, 'title')),
    description: str(own(reply, 'description')),
  };
}

/** A flow's `response_json` is a JSON string that may itself be invalid (chatwoot tests that case). */
function parseEmbeddedJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function orderOf(part: Dict): MessageOrder {
  return {
    catalogId: str(own(part, 'catalog_id')),
    // Meta sends `text: ""` for an order without a note.
    text: str(own(part, 'text')) || null,
    productItems: listAt(part, 'product_items')
      .filter(isDict)
      .map((item) => ({
        productRetailerId: str(own(item, 'product_retailer_id')),
        quantity: num(own(item, 'quantity')),
        itemPrice: num(own(item, 'item_price')),
        currency: str(own(item, 'currency')),
      })),
  };
}

function systemOf(part: Dict): SystemNotice {
  return {
    type: str(own(part, 'type')),
    body: str(own(part, 'body')),
    newWaId: str(own(part, 'wa_id')) ?? str(own(part, 'new_wa_id')),
    newUserId: str(own(part, 'user_id')),
    previousUserId: str(own(part, 'previous_user_id')),
    customer: str(own(part, 'customer')),
  };
}

function editOf(item: Dict): { originalMessageId: string | null; inner: Dict | null } | null {
  const edit = dictAt(item, 'edit');
  if (edit === null) return null;
  return { originalMessageId: str(own(edit, 'original_message_id')), inner: dictAt(edit, 'message') };
}

function contextOf(context: Dict | null): MessageContext | null {
  if (context === null) return null;
  const product = dictAt(context, 'referred_product');
  return {
    id: str(own(context, 'id')),
    from: str(own(context, 'from')),
    forwarded: bool(own(context, 'forwarded')) === true,
    frequentlyForwarded: bool(own(context, 'frequently_forwarded')) === true,
    referredProduct: product
      ? {
          catalogId: str(own(product, 'catalog_id')),
          productRetailerId: str(own(product, 'product_retailer_id')),
        }
      : null,
  };
}

function referralOf(referral: Dict | null): MessageReferral | null {
  if (referral === null) return null;
  return {
    sourceUrl: str(own(referral, 'source_url')),
    sourceId: str(own(referral, 'source_id')),
    sourceType: str(own(referral, 'source_type')),
    headline: str(own(referral, 'headline')),
    body: str(own(referral, 'body')),
    mediaType: str(own(referral, 'media_type')),
    imageUrl: str(own(referral, 'image_url')),
    videoUrl: str(own(referral, 'video_url')),
    thumbnailUrl: str(own(referral, 'thumbnail_url')),
    ctwaClid: str(own(referral, 'ctwa_clid')),
    welcomeMessageText: str(own(dictAt(referral, 'welcome_message'), 'text')),
  };
}

function contentOf(item: Dict): JsonObject {
  // Object.fromEntries defines properties, so a `__proto__` key stays a plain key.
  return Object.fromEntries(
    Object.entries(item).filter(([key]) => !MESSAGE_ENVELOPE_KEYS.has(key)),
  ) as JsonObject;
}

function errorsOf(value: unknown): WhatsAppError[] {
  return (Array.isArray(value) ? value : []).filter(isDict).map((error) => ({
    code: errorCode(own(error, 'code')),
    title: str(own(error, 'title')),
    message: str(own(error, 'message')),
    details: str(own(dictAt(error, 'error_data'), 'details')) ?? str(own(error, 'details')),
    href: str(own(error, 'href')),
  }));
}

function statusOf(item: Dict, scope: Scope, path: string, out: Collector): MessageStatus {
  let id = str(own(item, 'id'));
  if (id === null) {
    id = `unidentified:${scopedHash(scope, item)}`;
    warn(out, `${path} has no id; keyed as ${id}`);
  }
  let status = str(own(item, 'status'));
  if (status === null) {
    status = 'unknown';
    warn(out, `status of message ${id} has no "status"`);
  } else if (!KNOWN_STATUSES.has(status)) {
    warn(out, `unknown status ${JSON.stringify(status)} for message ${id}`);
  }
  const conversation = dictAt(item, 'conversation');
  const pricing = dictAt(item, 'pricing');
  return {
    id,
    status,
    timestamp: epochMs(own(item, 'timestamp')),
    recipientId: str(own(item, 'recipient_id')),
    recipientUserId: str(own(item, 'recipient_user_id')),
    recipientParentUserId: str(own(item, 'parent_recipient_user_id')),
    recipientType: str(own(item, 'recipient_type')),
    recipientParticipantId: str(own(item, 'recipient_participant_id')),
    type: str(own(item, 'type')),
    conversation: conversation
      ? {
          id: str(own(conversation, 'id')),
          expirationTimestamp: epochMs(own(conversation, 'expiration_timestamp')),
          originType: str(own(dictAt(conversation, 'origin'), 'type')),
        }
      : null,
    pricing: pricing
      ? {
          billable: bool(own(pricing, 'billable')),
          pricingModel: str(own(pricing, 'pricing_model')),
          category: str(own(pricing, 'category')),
          type: str(own(pricing, 'type')),
        }
      : null,
    errors: errorsOf(own(item, 'errors')),
    bizOpaqueCallbackData: str(own(item, 'biz_opaque_callback_data')),
  };
}

/** `value.errors`: system-, app- or account-level errors with no message attached. */
function pushValueErrors(scope: Scope, value: Dict, out: Collector): void {
  const raw = own(value, 'errors');
  if (!Array.isArray(raw) || raw.length === 0) return;
  out.events.push({
    ...base(scope, `${scope.field}:${scopedHash(scope, { errors: raw })}`, scope.entryTime, raw),
    kind: 'webhook-errors',
    errors: errorsOf(raw),
  });
}

// ---------------------------------------------------------------------------------------------------
// account, template and phone number fields: the change value is the item

type ValueEventKind =
  | 'template-status-updated'
  | 'template-quality-updated'
  | 'template-category-updated'
  | 'template-components-updated'
  | 'phone-number-quality-updated'
  | 'phone-number-name-updated'
  | 'account-updated'
  | 'account-review-updated';

function pushValueEvent<K extends ValueEventKind>(
  scope: Scope,
  value: Dict,
  out: Collector,
  kind: K,
  data: Extract<WebhookEvent, { kind: K }>['data'],
): void {
  out.events.push({
    ...base(scope, `${scope.field}:${scopedHash(scope, value)}`, scope.entryTime, value),
    kind,
    data,
  } as WebhookEvent);
}

function templateRefOf(value: Dict): TemplateRef {
  return {
    messageTemplateId: str(own(value, 'message_template_id')),
    name: str(own(value, 'message_template_name')),
    language: str(own(value, 'message_template_language')),
  };
}

function templateStatusData(value: Dict): TemplateStatusData {
  const otherInfo = dictAt(value, 'other_info');
  const rejectionInfo = dictAt(value, 'rejection_info');
  return {
    ...templateRefOf(value),
    event: str(own(value, 'event')),
    reason: str(own(value, 'reason')),
    category: str(own(value, 'message_template_category')),
    otherInfo: otherInfo
      ? { title: str(own(otherInfo, 'title')), description: str(own(otherInfo, 'description')) }
      : null,
    rejectionInfo: rejectionInfo
      ? {
          reason: str(own(rejectionInfo, 'reason')),
          recommendation: str(own(rejectionInfo, 'recommendation')),
        }
      : null,
    disableDate: epochMs(own(dictAt(value, 'disable_info'), 'disable_date')),
  };
}

function templateQualityData(value: Dict): TemplateQualityData {
  return {
    ...templateRefOf(value),
    previousQualityScore: str(own(value, 'previous_quality_score')),
    newQualityScore: str(own(value, 'new_quality_score')),
  };
}

function templateCategoryData(value: Dict): TemplateCategoryData {
  return {
    ...templateRefOf(value),
    previousCategory: str(own(value, 'previous_category')),
    newCategory: str(own(value, 'new_category')),
    correctCategory: str(own(value, 'correct_category')),
  };
}

function templateComponentsData(value: Dict): TemplateComponentsData {
  return {
    ...templateRefOf(value),
    body: str(own(value, 'message_template_element')),
    header: str(own(value, 'message_template_title')),
    footer: str(own(value, 'message_template_footer')),
    buttons: listAt(value, 'message_template_buttons')
      .filter(isDict)
      .map((button) => ({
        type: str(own(button, 'message_template_button_type')),
        text: str(own(button, 'message_template_button_text')),
        url: str(own(button, 'message_template_button_url')),
        phoneNumber: str(own(button, 'message_template_button_phone_number')),
      })),
  };
}

function phoneNumberQualityData(value: Dict): PhoneNumberQualityData {
  const currentLimit = str(own(value, 'current_limit'));
  // The doc example shows a number for the newer key too, so both forms are read as strings.
  const maxDaily = str(own(value, 'max_daily_conversations_per_business'));
  return {
    displayPhoneNumber: str(own(value, 'display_phone_number')),
    event: str(own(value, 'event')),
    currentLimit,
    oldLimit: str(own(value, 'old_limit')),
    maxDailyConversationsPerBusiness: maxDaily,
    messagingLimitTier: maxDaily ?? currentLimit,
  };
}

function phoneNumberNameData(value: Dict): PhoneNumberNameData {
  return {
    displayPhoneNumber: str(own(value, 'display_phone_number')),
    decision: str(own(value, 'decision')),
    requestedVerifiedName: str(own(value, 'requested_verified_name')),
    rejectionReason: str(own(value, 'rejection_reason')),
  };
}

function accountUpdateData(value: Dict): AccountUpdateData {
  const wabaInfo = dictAt(value, 'waba_info');
  const banInfo = dictAt(value, 'ban_info');
  const disconnection = dictAt(value, 'disconnection_info');
  return {
    event: str(own(value, 'event')),
    phoneNumber: str(own(value, 'phone_number')),
    wabaInfo: wabaInfo
      ? {
          wabaId: str(own(wabaInfo, 'waba_id')),
          ownerBusinessId: str(own(wabaInfo, 'owner_business_id')),
          partnerAppId: str(own(wabaInfo, 'partner_app_id')),
          solutionId: str(own(wabaInfo, 'solution_id')),
        }
      : null,
    banInfo: banInfo
      ? { state: str(own(banInfo, 'waba_ban_state')), date: str(own(banInfo, 'waba_ban_date')) }
      : null,
    restrictions: listAt(value, 'restriction_info')
      .filter(isDict)
      .map((restriction) => ({
        restrictionType: str(own(restriction, 'restriction_type')),
        expiration: epochMs(own(restriction, 'expiration')),
      })),
    violationType: str(own(dictAt(value, 'violation_info'), 'violation_type')),
    country: str(own(value, 'country')),
    disconnectionInfo: disconnection
      ? { reason: str(own(disconnection, 'reason')), initiatedBy: str(own(disconnection, 'initiated_by')) }
      : null,
  };
}

function accountReviewData(value: Dict): AccountReviewData {
  return { decision: str(own(value, 'decision')) };
}

// ---------------------------------------------------------------------------------------------------
// fields with a list of items

function parseUserPreferences(scope: Scope, value: Dict, out: Collector): void {
  forEachItem(scope, value, 'user_preferences', out, (item) => {
    const data: UserPreferenceData = {
      waId: str(own(item, 'wa_id')),
      userId: str(own(item, 'user_id')),
      category: str(own(item, 'category')),
      value: str(own(item, 'value')) ?? 'unknown',
      detail: str(own(item, 'detail')),
      timestamp: epochMs(own(item, 'timestamp')),
    };
    const who = data.waId ?? data.userId;
    const dedupeKey =
      who !== null && data.timestamp !== null
        ? `user-preference:${who}:${data.timestamp}:${data.value}`
        : `user-preference:${scopedHash(scope, item)}`;
    out.events.push({
      ...base(scope, dedupeKey, data.timestamp ?? scope.entryTime, item),
      kind: 'user-preference-changed',
      data,
    });
  });
  pushValueErrors(scope, value, out);
}

function parseMessageEchoes(scope: Scope, value: Dict, out: Collector): void {
  forEachItem(scope, value, 'message_echoes', out, (item, path) => {
    const message = messageOf(item, scope, path, out);
    const data: EchoedMessage = {
      ...message,
      to: str(own(item, 'to')),
      toUserId: str(own(item, 'to_user_id')),
    };
    out.events.push({
      ...base(scope, `${scope.field}:${scopedHash(scope, item)}`, message.timestamp ?? scope.entryTime, item),
      kind: 'message-echoed',
      data,
    });
  });
  pushValueErrors(scope, value, out);
}

function parseGroups(scope: Scope, value: Dict, out: Collector): void {
  forEachItem(scope, value, 'groups', out, (item) => {
    const subject = own(item, 'group_subject');
    const description = own(item, 'group_description');
    // Settings updates report per-setting errors (group_subject.errors, …) beside the item's own.
    const errors = [
      ...errorsOf(own(item, 'errors')),
      ...Object.values(item).flatMap((child) => (isDict(child) ? errorsOf(own(child, 'errors')) : [])),
    ];
    const data: GroupEventData = {
      groupId: str(own(item, 'group_id')),
      type: str(own(item, 'type')),
      requestId: str(own(item, 'request_id')),
      subject: str(own(item, 'subject')) ?? str(own(subject, 'text')),
      description: str(own(item, 'description')) ?? str(own(description, 'text')),
      reason: str(own(item, 'reason')),
      inviteLink: str(own(item, 'invite_link')),
      addedParticipants: participantsOf(own(item, 'added_participants')),
      removedParticipants: participantsOf(own(item, 'removed_participants')),
      errors,
      timestamp: epochMs(own(item, 'timestamp')),
    };
    out.events.push({
      ...base(scope, `${scope.field}:${scopedHash(scope, item)}`, data.timestamp ?? scope.entryTime, item),
      kind: 'group-event',
      data,
    });
  });
  pushValueErrors(scope, value, out);
}

function participantsOf(value: unknown): GroupParticipant[] {
  return (Array.isArray(value) ? value : []).map((participant) =>
    isDict(participant)
      ? { waId: str(own(participant, 'wa_id')), input: str(own(participant, 'input')) }
      : { waId: str(participant), input: null },
  );
}

function parseCalls(scope: Scope, value: Dict, out: Collector): void {
  const push = (item: Dict, event: string | null) => {
    const data: CallEventData = {
      callId: str(own(item, 'id')),
      event,
      status: str(own(item, 'status')),
      direction: str(own(item, 'direction')),
      from: str(own(item, 'from')),
      to: str(own(item, 'to')) ?? str(own(item, 'recipient_id')),
      timestamp: epochMs(own(item, 'timestamp')),
      startTime: epochMs(own(item, 'start_time')),
      endTime: epochMs(own(item, 'end_time')),
      durationSeconds: num(own(item, 'duration')),
      bizOpaqueCallbackData: str(own(item, 'biz_opaque_callback_data')),
      errors: errorsOf(own(item, 'errors')),
    };
    out.events.push({
      ...base(scope, `${scope.field}:${scopedHash(scope, item)}`, data.timestamp ?? scope.entryTime, item),
      kind: 'call-event',
      data,
    });
  };
  forEachItem(scope, value, 'calls', out, (item) => push(item, str(own(item, 'event'))));
  // Call statuses (RINGING, ACCEPTED, …) arrive as `value.statuses` of the calls field.
  forEachItem(scope, value, 'statuses', out, (item) => push(item, 'status'));
  pushValueErrors(scope, value, out);
}

function forEachItem(
  scope: Scope,
  value: Dict,
  key: string,
  out: Collector,
  handle: (item: Dict, path: string) => void,
): void {
  listAt(value, key).forEach((item, index) => {
    const path = `${scope.path}.value.${key}[${index}]`;
    if (!isDict(item)) {
      warn(out, `${path} is ${describe(item)}, not an object`);
      keepChange(scope, item, out);
      return;
    }
    handle(item, path);
  });
}

// ---------------------------------------------------------------------------------------------------
// events and keys

function base(scope: Scope, dedupeKey: string, occurredAt: number | null, raw: unknown): EventBase {
  return {
    dedupeKey,
    wabaId: scope.wabaId,
    phoneNumberId: scope.phoneNumberId,
    displayPhoneNumber: scope.displayPhoneNumber,
    occurredAt,
    field: scope.field,
    raw,
  };
}

/** Keeps a change (or an item) we do not model as `change-received`, so that nothing is dropped. */
function keepChange(scope: Scope, value: unknown, out: Collector): void {
  const occurredAt = epochMs(own(value, 'timestamp')) ?? scope.entryTime;
  out.events.push({
    ...base(scope, `${scope.field || 'unknown'}:${scopedHash(scope, value)}`, occurredAt, value),
    kind: 'change-received',
    value,
  });
}

/**
 * Hashes an item with its routing (WABA, phone number, entry time) but not the rest of the delivery: Meta
 * may batch a redelivery differently, and the same item must keep its key. The entry time is included so
 * that a template paused twice gives two events, while a retry of the same notification gives one.
 */
function scopedHash(scope: Scope, item: unknown): string {
  return sha256(canonicalJson([scope.wabaId, scope.phoneNumberId, scope.entryTime, item ?? null]));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

type Pending = { text: string } | { value: unknown };

/**
 * JSON with object keys sorted, so that the same item always hashes the same however Meta ordered or
 * escaped it (`\/` and `\uXXXX` are gone once parsed). Iterative, so deep nesting cannot overflow the stack.
 */
function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  const stack: Pending[] = [{ value }];
  while (stack.length > 0) {
    const next = stack.pop() as Pending;
    if ('text' in next) {
      parts.push(next.text);
      continue;
    }
    const current = next.value;
    if (Array.isArray(current)) {
      stack.push({ text: ']' });
      for (let index = current.length - 1; index >= 0; index--) {
        stack.push({ value: current[index] });
        if (index > 0) stack.push({ text: ',' });
      }
      stack.push({ text: '[' });
    } else if (isDict(current)) {
      const keys = Object.keys(current).sort();
      stack.push({ text: '}' });
      for (let index = keys.length - 1; index >= 0; index--) {
        const key = keys[index] as string;
        stack.push({ value: current[key] });
        stack.push({ text: `${index > 0 ? ',' : ''}${JSON.stringify(key)}:` });
      }
      stack.push({ text: '{' });
    } else if (typeof current === 'string' || typeof current === 'boolean') {
      parts.push(JSON.stringify(current));
    } else if (typeof current === 'number') {
      parts.push(Number.isFinite(current) ? JSON.stringify(current) : 'null');
    } else {
      parts.push('null');
    }
  }
  return parts.join('');
}

/** Iterative, so the check itself cannot overflow the stack. */
function isDeeperThan(root: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (typeof value !== 'object' || value === null) continue;
    if (depth > maxDepth) return true;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------
// tolerant readers: never throw, never read inherited properties (a key like "constructor" or
// "__proto__" in a payload is just a key)

function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(value: unknown, key: string): unknown {
  return isDict(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

function dictAt(value: unknown, key: string): Dict | null {
  const child = own(value, key);
  return isDict(child) ? child : null;
}

function listAt(value: unknown, key: string): unknown[] {
  const child = own(value, key);
  return Array.isArray(child) ? child : [];
}

/**
 * PostgreSQL text cannot hold U+0000 ("invalid byte sequence for encoding UTF8: 0x00"), and one such
 * string fails the whole delivery there; it becomes U+FFFD, as invalid UTF-8 and lone surrogates do.
 */
function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\ufffd') : text;
}

/** Identifiers and labels: strings as they are (without U+0000), and numbers (wa_id, template ids) as their digits. */
function str(value: unknown): string | null {
  if (typeof value === 'string') return withoutNul(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

const NUMERIC = /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/;

function num(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && NUMERIC.test(value)) {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

/** Largest value of a 32-bit integer column, which holds error codes (Meta's fit: 131026, 2494010). */
const MAX_INT32 = 2_147_483_647;

/** An error code is a whole number that fits an integer column; anything else is no code (kept in `raw`). */
function errorCode(value: unknown): number | null {
  const code = num(value);
  return code !== null && Number.isInteger(code) && Math.abs(code) <= MAX_INT32 ? code : null;
}

function bool(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return null;
}

/** Largest time a Date can hold (ECMA-262 §21.4.1.1), in ms. */
const MAX_EPOCH_MS = 8.64e15;
/** 10^12 seconds is the year 33658, so a value that large is already milliseconds. */
const ALREADY_MS_THRESHOLD = 1e12;

/** Meta timestamps are epoch seconds, usually as strings; returned as epoch ms. */
function epochMs(value: unknown): number | null {
  const seconds = num(value);
  if (seconds === null || seconds < 0) return null;
  // Whole milliseconds: the columns are bigint, and PostgreSQL refuses 1760000000000.5.
  const ms = Math.round(seconds >= ALREADY_MS_THRESHOLD ? seconds : seconds * 1000);
  return ms <= MAX_EPOCH_MS ? ms : null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function warn(out: Collector, warning: string): void {
  if (out.warnings.length >= MAX_WARNINGS) out.droppedWarnings += 1;
  else out.warnings.push(warning);
}
