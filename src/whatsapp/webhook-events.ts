/**
 * Normalized events parsed from WhatsApp Cloud API webhook deliveries (see `parse-webhook.ts`).
 *
 * Every entry, change, message, status and item of a delivery becomes one event. Identifiers are strings
 * even where Meta sends numbers (template ids, group participants' wa_id), times are epoch milliseconds
 * (Meta sends epoch seconds, mostly as strings), and anything missing or of the wrong type is `null`
 * rather than a throw. `raw` always holds the original item, so nothing Meta sent is lost.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type ParseResult =
  | { ok: true; events: WebhookEvent[]; warnings: string[] }
  | { ok: false; problem: string };

export interface EventBase {
  /**
   * Stable across redeliveries of the same thing: `message:<wamid>`, `status:<wamid>:<status>`,
   * `user-preference:<wa_id or user_id>:<timestamp ms>:<value>`, and `<field>:<sha256>` for the rest,
   * where the hash covers the item and its routing (WABA, phone number, entry time), never the batch
   * it happened to arrive in.
   */
  dedupeKey: string;
  /** `entry[].id`. */
  wabaId: string | null;
  /** `value.metadata.phone_number_id`. */
  phoneNumberId: string | null;
  /** `value.metadata.display_phone_number` (or the value's own `display_phone_number`). */
  displayPhoneNumber: string | null;
  /** Epoch ms of the item's own timestamp, else of `entry[].time`. */
  occurredAt: number | null;
  /** The change field, e.g. `messages`. */
  field: string;
  /** The original item: a message, a status, a list item, or the change value. */
  raw: unknown;
}

/** An error object as Meta sends it in `value.errors`, `messages[].errors` and `statuses[].errors`. */
export interface WhatsAppError {
  code: number | null;
  title: string | null;
  message: string | null;
  /** `error_data.details` (some payloads put `details` at the top level). */
  details: string | null;
  href: string | null;
}

export interface WebhookContact {
  waId: string | null;
  /** Business-scoped user id (BSUID), e.g. `US.13491208655302741918`. */
  userId: string | null;
  parentUserId: string | null;
  name: string | null;
  username: string | null;
}

export interface MessageMedia {
  id: string | null;
  mimeType: string | null;
  sha256: string | null;
  caption: string | null;
  filename: string | null;
  /** Audio only: a voice note (`audio.voice`). */
  isVoice?: boolean;
  /** Sticker only: `sticker.animated`. */
  isAnimated?: boolean;
  /** The lookaside URL newer payloads include (needs the bearer token, expires in about 5 minutes). */
  url: string | null;
}

export interface MessageLocation {
  latitude: number | null;
  longitude: number | null;
  name: string | null;
  address: string | null;
  url: string | null;
}

export interface SharedContact {
  formattedName: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  phones: { phone: string | null; waId: string | null; type: string | null }[];
  emails: { email: string | null; type: string | null }[];
}

export interface InteractiveReply {
  /** `button_reply`, `list_reply`, `nfm_reply` (a completed flow), or another subtype kept as is. */
  type: 'button_reply' | 'list_reply' | 'nfm_reply' | (string & {});
  /** The reply id (button or row id); null for flows. */
  id: string | null;
  /** The button or row title; for a flow, its `body` (e.g. "Sent"). */
  title: string | null;
  description: string | null;
  /** A flow's `response_json`, parsed; `undefined` when absent, the raw string when it is not JSON. */
  responseJson?: unknown;
  /** A flow's `name` (usually "flow"). */
  name?: string | null;
}

export interface OrderItem {
  productRetailerId: string | null;
  quantity: number | null;
  itemPrice: number | null;
  currency: string | null;
}

export interface MessageOrder {
  catalogId: string | null;
  text: string | null;
  productItems: OrderItem[];
}

export interface SystemNotice {
  /** `user_changed_number`, `user_changed_user_id`, `customer_identity_changed`, … */
  type: string | null;
  body: string | null;
  /** The new wa_id after a number change (`wa_id`, or `new_wa_id` in some payloads). */
  newWaId: string | null;
  /** The new BSUID after `user_changed_user_id`. */
  newUserId: string | null;
  previousUserId: string | null;
  /** Older payloads: the customer's previous id. */
  customer: string | null;
}

export interface MessageContext {
  /** The quoted message's wamid (a reply, or a tap on a button or list in that message). */
  id: string | null;
  from: string | null;
  /** Named as in the contract others code against (`context.forwarded`, ≤ 5 forwards). */
  forwarded: boolean;
  /** `context.frequently_forwarded`: forwarded more than 5 times. */
  frequentlyForwarded: boolean;
  referredProduct: { catalogId: string | null; productRetailerId: string | null } | null;
}

/** Click-to-WhatsApp ad or post data. */
export interface MessageReferral {
  sourceUrl: string | null;
  sourceId: string | null;
  sourceType: string | null;
  headline: string | null;
  body: string | null;
  mediaType: string | null;
  imageUrl: string | null;
  videoUrl: string | null;
  thumbnailUrl: string | null;
  ctwaClid: string | null;
  welcomeMessageText: string | null;
}

export interface InboundMessage {
  /** The wamid. When Meta's item has none, `unidentified:<sha256 of the item>` (and a warning). */
  id: string;
  /** The sender's wa_id; missing for username-only (BSUID) users. */
  from: string | null;
  /** The sender's BSUID (`from_user_id`). */
  fromUserId: string | null;
  fromParentUserId: string | null;
  /** Group messages: `group_id`. */
  groupId: string | null;
  /** Epoch ms. */
  timestamp: number | null;
  /** Meta's type, kept as is even when unknown. Inferred from the payload when `type` is missing. */
  type: string;
  /** The human-readable text: body, caption, button text, reply title, system body, edited text. */
  text: string | null;
  media: MessageMedia | null;
  location: MessageLocation | null;
  contacts: SharedContact[] | null;
  interactive: InteractiveReply | null;
  /** A template quick-reply tap. */
  button: { payload: string | null; text: string | null } | null;
  /** `emoji` is null when the reaction was removed. */
  reaction: { messageId: string | null; emoji: string | null } | null;
  order: MessageOrder | null;
  system: SystemNotice | null;
  errors: WhatsAppError[];
  context: MessageContext | null;
  referral: MessageReferral | null;
  /** `edit`: the edited message and its new content (`message` holds `{type, <type>: …}`). */
  edit: { originalMessageId: string | null; message: JsonValue | null } | null;
  /** `revoke`: the deleted message. */
  revoke: { originalMessageId: string | null } | null;
  /** For an edit or a revoke: the message it changes. */
  targetMessageId: string | null;
  /** The message without its envelope (id, sender, timestamp): type, the type's object, context, referral, errors. */
  content: JsonObject;
}

export interface StatusConversation {
  id: string | null;
  /** Epoch ms. */
  expirationTimestamp: number | null;
  originType: string | null;
}

export interface StatusPricing {
  billable: boolean | null;
  /** `CBP` (before July 2025) or `PMP`. */
  pricingModel: string | null;
  category: string | null;
  /** `regular`, `free_customer_service`, `free_entry_point`. */
  type: string | null;
}

export interface MessageStatus {
  /** The wamid. When Meta's item has none, `unidentified:<sha256 of the item>` (and a warning). */
  id: string;
  /** sent, delivered, read, failed, played, deleted, … (unknown values kept as is, with a warning). */
  status: string;
  /** Epoch ms. */
  timestamp: number | null;
  recipientId: string | null;
  recipientUserId: string | null;
  recipientParentUserId: string | null;
  /** `group` for group sends. */
  recipientType: string | null;
  recipientParticipantId: string | null;
  /** The status item's own `type` (e.g. `payment`), if any. */
  type: string | null;
  conversation: StatusConversation | null;
  pricing: StatusPricing | null;
  errors: WhatsAppError[];
  /** What we sent in `biz_opaque_callback_data` (the outbox id). */
  bizOpaqueCallbackData: string | null;
}

export interface TemplateRef {
  /** Meta sends it as a number; kept as a string. */
  messageTemplateId: string | null;
  name: string | null;
  language: string | null;
}

export interface TemplateStatusData extends TemplateRef {
  /** APPROVED, REJECTED, PAUSED, DISABLED, … */
  event: string | null;
  reason: string | null;
  category: string | null;
  otherInfo: { title: string | null; description: string | null } | null;
  rejectionInfo: { reason: string | null; recommendation: string | null } | null;
  /** Epoch ms, from `disable_info.disable_date`. */
  disableDate: number | null;
}

export interface TemplateQualityData extends TemplateRef {
  previousQualityScore: string | null;
  newQualityScore: string | null;
}

export interface TemplateCategoryData extends TemplateRef {
  previousCategory: string | null;
  newCategory: string | null;
  correctCategory: string | null;
}

/** `message_template_components_update`: the template's words after an edit in Meta's manager. */
export interface TemplateComponentsData extends TemplateRef {
  /** The body text (`message_template_element`). */
  body: string | null;
  /** The text header (`message_template_title`). */
  header: string | null;
  footer: string | null;
  buttons: { type: string | null; text: string | null; url: string | null; phoneNumber: string | null }[];
}

export interface PhoneNumberQualityData {
  displayPhoneNumber: string | null;
  /** THROUGHPUT_UPGRADE, ONBOARDING, FLAGGED, UPGRADE, DOWNGRADE, … */
  event: string | null;
  currentLimit: string | null;
  oldLimit: string | null;
  maxDailyConversationsPerBusiness: string | null;
  /** The tier in force: `max_daily_conversations_per_business`, else `current_limit` (TIER_250, TIER_2K, …). */
  messagingLimitTier: string | null;
}

export interface PhoneNumberNameData {
  displayPhoneNumber: string | null;
  decision: string | null;
  requestedVerifiedName: string | null;
  rejectionReason: string | null;
}

export interface AccountUpdateData {
  /** PARTNER_APP_INSTALLED, ACCOUNT_RESTRICTION, DISABLED_UPDATE, … */
  event: string | null;
  phoneNumber: string | null;
  wabaInfo: {
    wabaId: string | null;
    ownerBusinessId: string | null;
    partnerAppId: string | null;
    solutionId: string | null;
  } | null;
  banInfo: { state: string | null; date: string | null } | null;
  restrictions: { restrictionType: string | null; expiration: number | null }[];
  violationType: string | null;
  country: string | null;
  disconnectionInfo: { reason: string | null; initiatedBy: string | null } | null;
}

export interface AccountReviewData {
  decision: string | null;
}

export interface UserPreferenceData {
  waId: string | null;
  userId: string | null;
  /** `marketing_messages`. */
  category: string | null;
  /** `stop`, `resume`, or another value kept as is. */
  value: 'stop' | 'resume' | (string & {});
  detail: string | null;
  /** Epoch ms. */
  timestamp: number | null;
}

export interface GroupParticipant {
  waId: string | null;
  input: string | null;
}

export interface GroupEventData {
  groupId: string | null;
  /** group_create, group_participants_add, group_settings_update, group_suspend, … */
  type: string | null;
  requestId: string | null;
  subject: string | null;
  description: string | null;
  reason: string | null;
  inviteLink: string | null;
  addedParticipants: GroupParticipant[];
  removedParticipants: GroupParticipant[];
  errors: WhatsAppError[];
  /** Epoch ms. */
  timestamp: number | null;
}

export interface CallEventData {
  /** The call id (`wacid.…`). */
  callId: string | null;
  /** connect, terminate, call_recording_available, …; `status` for a `value.statuses` item. */
  event: string | null;
  /** RINGING, ACCEPTED, COMPLETED, … */
  status: string | null;
  direction: string | null;
  from: string | null;
  to: string | null;
  /** Epoch ms. */
  timestamp: number | null;
  startTime: number | null;
  endTime: number | null;
  durationSeconds: number | null;
  bizOpaqueCallbackData: string | null;
  errors: WhatsAppError[];
}

export interface EchoedMessage extends InboundMessage {
  /** The customer the business wrote to from the WhatsApp Business app. */
  to: string | null;
  toUserId: string | null;
}

export type WebhookEvent =
  | (EventBase & { kind: 'message-received'; contact: WebhookContact; message: InboundMessage })
  | (EventBase & { kind: 'message-status-changed'; status: MessageStatus })
  | (EventBase & { kind: 'template-status-updated'; data: TemplateStatusData })
  | (EventBase & { kind: 'template-quality-updated'; data: TemplateQualityData })
  | (EventBase & { kind: 'template-category-updated'; data: TemplateCategoryData })
  | (EventBase & { kind: 'template-components-updated'; data: TemplateComponentsData })
  | (EventBase & { kind: 'phone-number-quality-updated'; data: PhoneNumberQualityData })
  | (EventBase & { kind: 'phone-number-name-updated'; data: PhoneNumberNameData })
  | (EventBase & { kind: 'account-updated'; data: AccountUpdateData })
  | (EventBase & { kind: 'account-review-updated'; data: AccountReviewData })
  | (EventBase & { kind: 'user-preference-changed'; data: UserPreferenceData })
  | (EventBase & { kind: 'message-echoed'; data: EchoedMessage })
  | (EventBase & { kind: 'group-event'; data: GroupEventData })
  | (EventBase & { kind: 'call-event'; data: CallEventData })
  | (EventBase & { kind: 'webhook-errors'; errors: WhatsAppError[] })
  | (EventBase & { kind: 'change-received'; value: unknown });

export type WebhookEventKind = WebhookEvent['kind'];
