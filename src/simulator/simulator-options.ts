import type { Clock } from './clock.ts';
import type { RandomSource } from './seeded-random.ts';

export type QualityRating = 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';

/** The v23 enum (`TIER_1K`) and today's steps (`TIER_2K`); Meta moved the limit to the portfolio in 2025. */
export type MessagingLimitTier =
  | 'TIER_50'
  | 'TIER_250'
  | 'TIER_1K'
  | 'TIER_2K'
  | 'TIER_10K'
  | 'TIER_100K'
  | 'TIER_UNLIMITED';

/** STANDARD is 80 messages/s, HIGH is 1,000/s after Meta's automatic upgrade (cloud-api-details.md §5.1). */
export type ThroughputLevel = 'STANDARD' | 'HIGH' | 'NOT_APPLICABLE';

export interface PhoneNumberDefinition {
  /** The phone number id used in Graph URLs. */
  id: string;
  /** As shown to people, e.g. `+1 555-000-0001`; webhooks carry its digits. */
  displayPhoneNumber: string;
  verifiedName?: string;
  qualityRating?: QualityRating;
  messagingLimitTier?: MessagingLimitTier;
  throughputLevel?: ThroughputLevel;
  /** Overrides the level's rate (coexistence numbers get 20/s). */
  messagesPerSecond?: number;
  /** An unregistered number refuses sends with 133010 until `POST /{id}/register`. */
  isRegistered?: boolean;
}

export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED';

export interface TemplateButtonDefinition {
  /** QUICK_REPLY, URL, PHONE_NUMBER, FLOW, CATALOG, OTP, COPY_CODE, … */
  type: string;
  text: string;
  url?: string;
  /** Dynamic URL suffixes and the like take one parameter; defaults to the `{{n}}` count of `url`. */
  parameterCount?: number;
}

/** A component in Meta's creation format (`GET /message_templates` returns them as given). */
export interface TemplateComponentDefinition {
  type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS';
  format?: 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION';
  text?: string;
  /** Defaults to the number of distinct `{{…}}` in `text`, or 1 for a media header. */
  parameterCount?: number;
  buttons?: TemplateButtonDefinition[];
  example?: unknown;
}

export interface TemplateDefinition {
  /** Numeric string; generated when absent. */
  id?: string;
  name: string;
  /** `en_US`, `es`, `pt_BR`, … A name may exist in several languages. */
  language: string;
  category: TemplateCategory;
  status?: TemplateStatus;
  parameterFormat?: 'positional' | 'named';
  components?: TemplateComponentDefinition[];
  /** `message_status` in the send response; templates under pacing get `held_for_quality_assessment`. */
  messageStatus?: 'accepted' | 'held_for_quality_assessment' | 'paused';
}

export interface WabaDefinition {
  id: string;
  name?: string;
  phoneNumbers: PhoneNumberDefinition[];
  templates?: TemplateDefinition[];
  /** Whether the app is subscribed to this WABA's webhooks (`POST /{waba-id}/subscribed_apps`). */
  isSubscribed?: boolean;
}

export type PersonaProfile = 'interested' | 'not-interested' | 'opt-out' | 'silent' | 'random' | 'scripted';

/** A simulated customer who answers what the business sends. */
export interface Persona {
  waId: string;
  name: string;
  profile: PersonaProfile;
  /** For `scripted`: one reply per message received, in order; then silence. */
  script?: string[];
  language: 'en' | 'es' | 'pt';
  replyDelayMs: number;
  /** Caps the replies so that a persona and an agent cannot talk forever. Defaults depend on the profile. */
  maxReplies?: number;
}

export interface FaultRates {
  /** Share of Graph calls answered 500 (131000) or 503 (code 2). */
  rate5xx: number;
  /** Share answered HTTP 429: code 130429 (throughput) on sends, code 4 (application call limit) elsewhere. */
  rate429: number;
  /** Share never answered: the request hangs until the client gives up. */
  timeoutRate: number;
  /** Share whose socket is destroyed without an answer. */
  resetRate: number;
  /**
   * For sends that time out or are reset: the share Meta accepted anyway. These are the unknown
   * outcomes a client must reconcile from status webhooks instead of sending again.
   */
  acceptedBeforeFaultRate: number;
}

/** Delays from acceptance to each status webhook. */
export interface StatusDelays {
  sentMs: number;
  deliveredMs: number;
  readMs: number;
}

export interface PairRateLimit {
  /** Messages to one customer allowed at once, borrowed from future quota (Meta: about 45). */
  burst: number;
  /** One message per this many ms to one customer in the long run (Meta: about 6 s). */
  intervalMs: number;
}

export interface WebhookDeliveryOptions {
  /** Parallel POSTs. Events about one customer always share a lane, so they stay in order. */
  concurrency: number;
  /** Statuses and messages per POST (Meta: up to 1,000). */
  maxBatchSize: number;
  /** Waits before each retry of a POST not answered 200; after the last, the body is dropped. */
  retryDelaysMs: number[];
  /** A POST not answered within this is a failure. */
  timeoutMs: number;
}

/** The permissions a WhatsApp integration asks for (cloud-api-details.md §3.7). */
export type Permission =
  | 'business_management'
  | 'whatsapp_business_management'
  | 'whatsapp_business_messaging';

/** `type` in `debug_token`: Embedded Signup yields a business integration system user token. */
export type TokenType = 'SYSTEM_USER' | 'BUSINESS_INTEGRATION_SYSTEM_USER' | 'USER';

/** An accepted bearer token and what it may do. */
export interface AccessTokenDefinition {
  token: string;
  /** The WABAs it sees; absent: every WABA. */
  wabaIds?: string[];
  /** Granted permissions; absent: all three. */
  scopes?: Permission[];
  /** Epoch ms after which it answers 190/463 (user tokens expire); absent: never. */
  expiresAt?: number | null;
  type?: TokenType;
}

export interface SimulatorOptions {
  /** Where signed webhooks go, e.g. `http://127.0.0.1:3000/webhooks/whatsapp`. Null: record, post nothing. */
  webhookUrl?: string | null;
  /** Keys `X-Hub-Signature-256`, and is the app's `client_secret` in the Embedded Signup code exchange. */
  appSecret: string;
  /** The Meta app the simulator plays: `client_id` of the code exchange, and the subscribed app. */
  appId?: string;
  /** Accepted bearer tokens. A plain string sees every WABA; `{token, wabaIds}` sees only those. */
  accessTokens?: Array<string | AccessTokenDefinition>;
  /** How long an Embedded Signup code may be exchanged: about 30 s at Meta (cloud-api-details.md §3.7). */
  signupCodeTtlMs?: number;
  /** Defaults to one WABA with one number and the templates `hello_world` and `coxcox_offer`. */
  wabas?: WabaDefinition[];
  personas?: Persona[];
  /**
   * Whether personas answer by themselves (default true). Off, they are customers who only write when
   * asked to (`customerSays`): nothing is sent with nobody typing it.
   */
  canPersonasReply?: boolean;
  statusDelaysMs?: Partial<StatusDelays>;
  /** Share of webhook items delivered twice, like Meta's retries and multiple subscriptions. */
  duplicateRate?: number;
  /** Share of messages whose statuses arrive out of order (for example read before delivered). */
  reorderRate?: number;
  faults?: Partial<FaultRates>;
  pairRateLimit?: Partial<PairRateLimit>;
  /** The customer-service window: free-form messages only this long after the customer last wrote. */
  windowMs?: number;
  /**
   * How a free-form message outside the window fails: `response` answers 131047 at once; `status`
   * accepts it and sends a failed status with 131047, as Meta often does.
   */
  windowErrorDelivery?: 'response' | 'status';
  /** Recipients whose messages fail with 131026 (not on WhatsApp). */
  undeliverableRecipients?: string[];
  /** Meta's examples send to Postman variables (`{{Recipient-Phone-Number}}`): they go to this number. */
  placeholderRecipient?: string;
  seed?: number;
  /** Overrides `seed`. */
  random?: RandomSource;
  clock?: Clock;
  webhookDelivery?: Partial<WebhookDeliveryOptions>;
  /** Templates created through the API are PENDING this long, then APPROVED. 0: approved at once. */
  templateReviewMs?: number;
  /** Fastify logging; off by default. */
  logger?: boolean;
  /**
   * A JSON file that keeps WABAs, numbers, tokens, templates and windows across restarts: read at start
   * when it exists, written (0600, atomically) soon after each change and on `close()`. Absent: memory only.
   */
  stateFile?: string;
}
