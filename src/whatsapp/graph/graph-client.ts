import type { GraphAccess, GraphApp, GraphTarget } from './graph-target.ts';
import type { OutboundMessage } from './outbound-message.ts';

/**
 * The Graph API calls Coxcox makes, owned by the code that uses them (dispatch, inbox, onboarding,
 * campaigns). Every failure is a `GraphError`. Adapters: `UndiciGraphClient` (Meta or the simulator)
 * and `FakeGraphClient` (in memory); one contract suite runs against both.
 */
export interface GraphClient {
  /** `POST /{phone-number-id}/messages`. Acceptance only: delivery comes back as status webhooks. */
  sendMessage(target: GraphTarget, message: OutboundMessage, options?: SendOptions): Promise<SentMessage>;
  /** Marks an inbound message (and the earlier ones) read, optionally with a typing bubble. */
  markRead(target: GraphTarget, wamid: string, options?: MarkReadOptions): Promise<void>;
  /** `POST /{phone-number-id}/media`. An uploaded id lives 30 days. */
  uploadMedia(target: GraphTarget, media: MediaUpload, options?: CallOptions): Promise<{ id: string }>;
  /** `GET /{media-id}`: the download URL lives about 5 minutes. */
  getMedia(target: GraphTarget, mediaId: string, options?: CallOptions): Promise<MediaInfo>;
  /** Looks the media up, downloads it with the same token and checks its sha256. */
  downloadMedia(target: GraphTarget, mediaId: string, options?: CallOptions): Promise<DownloadedMedia>;
  /** `GET /{waba-id}/message_templates`, every page. */
  listTemplates(
    access: GraphAccess,
    wabaId: string,
    options?: ListTemplatesOptions,
  ): Promise<MessageTemplate[]>;
  createTemplate(
    access: GraphAccess,
    wabaId: string,
    template: TemplateDraft,
    options?: CallOptions,
  ): Promise<CreatedTemplate>;
  /** `GET /{waba-id}/phone_numbers`, every page. */
  listPhoneNumbers(
    access: GraphAccess,
    wabaId: string,
    options?: CallOptions,
  ): Promise<BusinessPhoneNumber[]>;
  getPhoneNumber(
    access: GraphAccess,
    phoneNumberId: string,
    options?: CallOptions,
  ): Promise<BusinessPhoneNumber>;
  /** `POST /{waba-id}/subscribed_apps`: turns on this app's webhooks for the WABA. */
  subscribeApp(access: GraphAccess, wabaId: string, options?: CallOptions): Promise<void>;
  listSubscribedApps(access: GraphAccess, wabaId: string, options?: CallOptions): Promise<SubscribedApp[]>;
  /** `POST /{phone-number-id}/register` with the number's six-digit two-step PIN. */
  registerNumber(
    access: GraphAccess,
    phoneNumberId: string,
    pin: string,
    options?: CallOptions,
  ): Promise<void>;
  /** `GET /{waba-id}?fields=id,name`: the WABA as the token sees it. */
  getWaba(access: GraphAccess, wabaId: string, options?: CallOptions): Promise<BusinessAccount>;
  /**
   * `GET /oauth/access_token?client_id&client_secret&code`: trades the code Embedded Signup returned
   * (it lives about 30 s, and works once) for a business integration system user token.
   */
  exchangeCode(app: GraphApp, code: string, options?: CallOptions): Promise<ExchangedToken>;
  /**
   * `GET /debug_token?input_token=`, asked as the app: whether the token is valid, when it expires,
   * its permissions, and the WABAs each permission was granted for (how a token's WABA is discovered).
   */
  debugToken(app: GraphApp, inputToken: string, options?: CallOptions): Promise<TokenDebugInfo>;
}

/** The WhatsApp permissions Coxcox needs (cloud-api-details.md §3.7). */
export const requiredPermissions = [
  'business_management',
  'whatsapp_business_management',
  'whatsapp_business_messaging',
] as const;

export interface BusinessAccount {
  id: string;
  name: string | null;
}

export interface ExchangedToken {
  /** Opaque; sealed before it is stored, never logged. */
  accessToken: string;
  tokenType: string;
  /** Null: it does not expire (business integration and system user tokens). */
  expiresInSeconds: number | null;
}

export interface TokenDebugInfo {
  isValid: boolean;
  appId: string | null;
  /** SYSTEM_USER, BUSINESS_INTEGRATION_SYSTEM_USER, USER, … (an open set). */
  type: string | null;
  /** Epoch ms; null: never expires (Graph says 0). */
  expiresAt: number | null;
  scopes: string[];
  /** Per permission, the WABA (or business) ids it was granted for; null: not narrowed to ids. */
  granularScopes: Array<{ scope: string; targetIds: string[] | null }>;
  /** Why the token is not valid: 190 with subcode 463 (expired), 460 or 467 (invalidated) … */
  error: { code: number | null; subcode: number | null; message: string | null } | null;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface SendOptions extends CallOptions {
  /** Up to 512 characters, echoed in this message's status webhooks: we put the outbox id here. */
  bizOpaqueCallbackData?: string;
  /** Quote this message (`context.message_id`). */
  replyToWamid?: string;
  /** Which retry this is (0 = first try); it sets the pair-rate (131056) backoff to 4^attempt seconds. */
  attempt?: number;
}

export interface MarkReadOptions extends CallOptions {
  /** Shows a typing bubble until we reply, or for 25 s at most: only when a reply is coming. */
  typingIndicator?: boolean;
}

export interface SentMessage {
  wamid: string;
  /** The recipient's WhatsApp id as Meta resolved it; it may differ from the number we sent to. */
  waId: string | null;
  /** `accepted`, `held_for_quality_assessment` or `paused`, for templates under pacing. */
  messageStatus: string | null;
}

export interface MediaUpload {
  bytes: Uint8Array;
  mimeType: string;
  filename: string;
}

export interface MediaInfo {
  url: string;
  mimeType: string;
  /** As Meta gives it: hex from the media endpoint (webhooks carry base64). */
  sha256: string;
  fileSize: number;
}

export interface DownloadedMedia {
  bytes: Uint8Array;
  mimeType: string;
  /** Lowercase hex of the bytes, checked against Meta's. */
  sha256: string;
}

export interface ListTemplatesOptions extends CallOptions {
  name?: string;
  status?: string;
}

/** Meta's template component JSON (HEADER, BODY, FOOTER, BUTTONS…), passed through as is. */
export type TemplateComponentDefinition = { type: string } & Record<string, unknown>;

export interface MessageTemplate {
  id: string;
  name: string;
  language: string;
  /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED… (an open set). */
  status: string;
  /** MARKETING, UTILITY or AUTHENTICATION. */
  category: string;
  /** `positional` or `named`, when Meta says. */
  parameterFormat: string | null;
  components: TemplateComponentDefinition[];
}

export interface TemplateDraft {
  /** Lowercase letters, digits and `_`, up to 512 characters. */
  name: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  language: string;
  parameterFormat?: 'positional' | 'named';
  components: TemplateComponentDefinition[];
}

export interface CreatedTemplate {
  id: string;
  status: string;
  category: string;
}

export interface BusinessPhoneNumber {
  id: string;
  displayPhoneNumber: string;
  verifiedName: string;
  /** GREEN, YELLOW, RED, UNKNOWN. */
  qualityRating: string | null;
  /** TIER_250, TIER_2K (TIER_1K in older enums), TIER_10K, TIER_100K, TIER_UNLIMITED. */
  messagingLimitTier: string | null;
  /** STANDARD (80 messages/s) or HIGH (1,000/s). */
  throughputLevel: string | null;
  /** CONNECTED once registered for the Cloud API; PENDING, DISCONNECTED, FLAGGED, BANNED … otherwise. */
  status: string | null;
}

export interface SubscribedApp {
  id: string;
  name: string;
  overrideCallbackUri: string | null;
}
