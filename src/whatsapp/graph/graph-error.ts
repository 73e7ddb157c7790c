/**
 * Every failure of a Graph API call, in our closed set of categories. Callers decide on `category`
 * (and `outcome` for sends), never on the message.
 *
 * Sources for the code table:
 * - [ERRORS] Meta, "Error codes" (developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes),
 *   with its HTTP status column as transcribed by public copies of the table (innopaas, 360dialog).
 * - [PLATFORM] Meta, "About the platform": rate limits, and the pair rate limit's 4^X seconds backoff.
 * - [THROUGHPUT] Meta, "Throughput": 130429 above 80 (or 1,000) messages a second; 131057 while upgrading.
 * - [PER-USER] Meta, "Per-user marketing template limits": 131049, wait at least 24 h.
 * - [PYWA] david-lev/pywa `pywa/errors.py`, for codes Meta's table does not list.
 * Meta asks to build handling on `code` (and `error_data.details`), not on titles or HTTP statuses:
 * rate-limit errors come back as HTTP 400.
 */

export type GraphErrorCategory =
  /** Try again after `retryAfterMs`. For a send, look at `outcome` first. */
  | 'retry-later'
  /** The request or the configuration is wrong (parameters, template, permissions, account): do not resend as is. */
  | 'fix-request'
  /** This message cannot reach this recipient; other recipients are unaffected. */
  | 'final-for-recipient'
  /** The access token is expired or revoked: mark the number unhealthy and tell the tenant. */
  | 'token-invalid'
  /** More than 24 hours since the customer's last message: only a template may be sent. */
  | 'window-closed';

/**
 * Whether a send may have reached Meta. The Cloud API has no idempotency key, so an `unknown` send is
 * reconciled from status webhooks (by `biz_opaque_callback_data`) before any resend.
 */
export type GraphOutcome = 'not-sent' | 'unknown';

/** Where the failure came from. */
export type GraphErrorReason =
  /** Meta answered with its error envelope. */
  | 'meta-error'
  /** An error status without a readable envelope (a proxy or a gateway answered). */
  | 'http-status'
  /** A success status with a body we do not recognise. */
  | 'invalid-response'
  /** Refused before sending: the request breaks a documented limit. */
  | 'invalid-request'
  | 'timeout'
  /** Never connected: the address of a tenant-chosen Graph URL is not public (ALLOW_PRIVATE_NETWORK_TARGETS). */
  | 'target-refused'
  /** Never connected: refused, DNS, TLS. */
  | 'connection-failed'
  /** The connection dropped after the request may have been written. */
  | 'connection-lost'
  /** The caller's signal aborted the call. */
  | 'aborted'
  /** Downloaded bytes do not match the sha256 Meta announced. */
  | 'media-hash-mismatch';

/** Delay before attempt `attempt` (0 = the first retry): firstDelayMs × factor^attempt, at most maxDelayMs. */
export interface BackoffPolicy {
  firstDelayMs: number;
  factor: number;
  maxDelayMs: number;
}

/** Per-number throughput (130429): 1 s, 2 s, 4 s, 8 s … at most 60 s. */
const throughputBackoff: BackoffPolicy = { firstDelayMs: 1_000, factor: 2, maxDelayMs: 60_000 };
/** Meta-side trouble (1, 2, 131000, 131016, 5xx): 5 s, 10 s, 20 s, 40 s … at most 5 min. */
const serverBackoff: BackoffPolicy = { firstDelayMs: 5_000, factor: 2, maxDelayMs: 300_000 };
/** App (4) and WABA (80007) call limits, counted per hour [PLATFORM]: 60 s, 2 min, 4 min … at most 30 min. */
const callLimitBackoff: BackoffPolicy = { firstDelayMs: 60_000, factor: 2, maxDelayMs: 1_800_000 };
/** Spam rate limit (131048): the number is restricted; 1 h, 2 h, 4 h … at most 24 h. */
const spamBackoff: BackoffPolicy = { firstDelayMs: 3_600_000, factor: 2, maxDelayMs: 86_400_000 };
/** Pair rate limit (131056): 4^X seconds [PLATFORM], so 1 s, 4 s, 16 s, 64 s, 256 s, 1,024 s, at most 4,096 s. */
const pairBackoff: BackoffPolicy = { firstDelayMs: 1_000, factor: 4, maxDelayMs: 4_096_000 };
/** Network failures and timeouts: 1 s, 2 s, 4 s … at most 60 s. */
const networkBackoff: BackoffPolicy = { firstDelayMs: 1_000, factor: 2, maxDelayMs: 60_000 };

export interface GraphErrorRule {
  category: GraphErrorCategory;
  backoff?: BackoffPolicy;
}

const retry = (backoff: BackoffPolicy): GraphErrorRule => ({ category: 'retry-later', backoff });
const fix: GraphErrorRule = { category: 'fix-request' };
const final: GraphErrorRule = { category: 'final-for-recipient' };

/** Meta's error codes we know, by code [ERRORS] unless noted. 200–299 are handled as a range below. */
const codeRules: ReadonlyMap<number, GraphErrorRule> = new Map<number, GraphErrorRule>([
  [0, { category: 'token-invalid' }], // AuthException: could not authenticate the app user (HTTP 401)
  [1, retry(serverBackoff)], // API Unknown: invalid request or possible server error
  [2, retry(serverBackoff)], // API Service: temporary downtime or overload (HTTP 503)
  [3, fix], // API Method: capability or permission issue
  [4, retry(callLimitBackoff)], // API Too Many Calls: app-level call rate limit
  [10, fix], // Permission denied, or permission removed
  [100, fix], // Invalid parameter (also a phone number id that does not match the token)
  [190, { category: 'token-invalid' }], // Access token has expired (HTTP 401)
  [368, fix], // Temporarily blocked for policy violations (HTTP 403): stop and look
  [80007, retry(callLimitBackoff)], // Rate limit issues: the WABA reached its call limit
  [130429, retry(throughputBackoff)], // Rate limit hit: Cloud API throughput reached for this number
  [130472, final], // User's number is part of an experiment (marketing hold-out) [ERRORS], [PYWA]
  [131000, retry(serverBackoff)], // Something went wrong (HTTP 500)
  [131008, fix], // Required parameter is missing
  [131009, fix], // Parameter value is not valid (also an invalid reaction target)
  [131016, retry(serverBackoff)], // Service unavailable (HTTP 500)
  [131021, fix], // Recipient cannot be the sender
  [131026, final], // Message undeliverable: not on WhatsApp, old client, terms not accepted
  [131031, fix], // Account has been locked (policy, or a wrong two-step PIN)
  [131042, fix], // Business eligibility payment issue
  [131047, { category: 'window-closed' }], // Re-engagement message: more than 24 h since the customer wrote
  [131048, retry(spamBackoff)], // Spam rate limit hit: too many messages blocked or flagged
  [131049, final], // Not delivered to keep the ecosystem healthy: retry no sooner than 24 h [PER-USER]
  [131050, final], // The user stopped marketing messages from this business (isMarketingOptOut)
  [131051, fix], // Unsupported message type
  [131052, final], // Media download error (the customer's media, over 100 MB)
  [131053, final], // Media upload error (bad or mismatched MIME type, unreachable link)
  [131056, retry(pairBackoff)], // (Business, consumer) pair rate limit hit
  [131057, retry(serverBackoff)], // Account in maintenance mode, under a minute (throughput upgrade) [THROUGHPUT]
  [132000, fix], // Template parameter count mismatch
  [132001, fix], // Template does not exist in that language, or is not approved
  [132005, fix], // Template hydrated text too long
  [132007, fix], // Template format character policy violated
  [132012, fix], // Template parameter format mismatch
  [132015, fix], // Template is paused for low quality
  [132016, fix], // Template is disabled for good
  [133004, retry(serverBackoff)], // Server temporarily unavailable (HTTP 503)
  [133010, fix], // Phone number not registered
]);

/** Meta's code for "the user stopped marketing messages" [ERRORS]. */
export const marketingOptOutCode = 131050;

/** The category for a Meta error code; an unknown code falls back on the HTTP status (5xx retry, 4xx fix). */
export function classifyGraphError(code: number | null, httpStatus: number | null): GraphErrorRule {
  if (code !== null) {
    const rule = codeRules.get(code);
    if (rule) return rule;
    if (code >= 200 && code <= 299) return fix; // API Permission (HTTP 403)
  }
  return classifyHttpStatus(httpStatus);
}

function classifyHttpStatus(httpStatus: number | null): GraphErrorRule {
  if (httpStatus === 401) return { category: 'token-invalid' };
  if (httpStatus === 408 || httpStatus === 429) return retry(serverBackoff);
  if (httpStatus !== null && httpStatus >= 500) return retry(serverBackoff);
  return fix;
}

/** The delay before retry number `attempt` (0 = first retry). */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number): number {
  const exponent = Math.max(0, Math.floor(attempt));
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * policy.factor ** exponent);
}

export interface GraphErrorInit {
  category: GraphErrorCategory;
  reason: GraphErrorReason;
  message: string;
  /** Defaults to `not-sent`. */
  outcome?: GraphOutcome;
  /** Set for `retry-later` only. */
  retryAfterMs?: number | null;
  httpStatus?: number | null;
  code?: number | null;
  subcode?: number | null;
  type?: string | null;
  metaMessage?: string | null;
  title?: string | null;
  details?: string | null;
  fbtraceId?: string | null;
  isTransient?: boolean | null;
  isMarketingOptOut?: boolean;
  cause?: unknown;
}

/** What Meta's envelope (or a status webhook's `errors[]` item) says. */
export interface MetaErrorInput {
  httpStatus: number | null;
  code: number;
  subcode?: number | null;
  type?: string | null;
  message?: string | null;
  title?: string | null;
  details?: string | null;
  fbtraceId?: string | null;
  isTransient?: boolean | null;
  /** Which retry this would be (0 = first); it sets the 131056 backoff to 4^attempt seconds. */
  attempt?: number;
  /** A longer wait Meta asked for (a Retry-After header, or `estimated_time_to_regain_access`). */
  retryAfterHintMs?: number | null;
}

export class GraphError extends Error {
  override readonly name = 'GraphError';
  readonly category: GraphErrorCategory;
  readonly reason: GraphErrorReason;
  readonly outcome: GraphOutcome;
  readonly retryAfterMs: number | null;
  readonly httpStatus: number | null;
  /** Meta's `code`, `error_subcode` and `type` (OAuthException…), when Meta answered. */
  readonly code: number | null;
  readonly subcode: number | null;
  readonly type: string | null;
  /** Meta's `message`, formatted `(#code) title`; `title` is `error_user_title` when present. */
  readonly metaMessage: string | null;
  readonly title: string | null;
  /** `error_data.details`: Meta's explanation, the part meant for decisions and logs. */
  readonly details: string | null;
  readonly fbtraceId: string | null;
  readonly isTransient: boolean | null;
  /** 131050: record an opt-out from marketing for this recipient. */
  readonly isMarketingOptOut: boolean;

  constructor(init: GraphErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.category = init.category;
    this.reason = init.reason;
    this.outcome = init.outcome ?? 'not-sent';
    this.retryAfterMs =
      init.category === 'retry-later' ? (init.retryAfterMs ?? networkBackoff.firstDelayMs) : null;
    this.httpStatus = init.httpStatus ?? null;
    this.code = init.code ?? null;
    this.subcode = init.subcode ?? null;
    this.type = init.type ?? null;
    this.metaMessage = init.metaMessage ?? null;
    this.title = init.title ?? null;
    this.details = init.details ?? null;
    this.fbtraceId = init.fbtraceId ?? null;
    this.isTransient = init.isTransient ?? null;
    this.isMarketingOptOut = init.isMarketingOptOut ?? false;
  }

  /**
   * Meta's error envelope. A 4xx means Meta refused the request, so nothing was sent. A 5xx means
   * something failed inside Meta after it took the request, so a send may still have been queued.
   */
  static fromMeta(input: MetaErrorInput): GraphError {
    const rule = classifyGraphError(input.code, input.httpStatus);
    const policyDelayMs = rule.backoff ? backoffDelayMs(rule.backoff, input.attempt ?? 0) : null;
    const retryAfterMs = policyDelayMs === null ? null : Math.max(policyDelayMs, input.retryAfterHintMs ?? 0);
    const status = input.httpStatus === null ? '' : ` (HTTP ${input.httpStatus})`;
    const explanation = input.details ?? input.message ?? input.title ?? 'no message';
    return new GraphError({
      category: rule.category,
      reason: 'meta-error',
      message: `Graph API error ${input.code}${status}: ${explanation}`,
      outcome: input.httpStatus !== null && input.httpStatus >= 500 ? 'unknown' : 'not-sent',
      retryAfterMs,
      httpStatus: input.httpStatus,
      code: input.code,
      subcode: input.subcode ?? null,
      type: input.type ?? null,
      metaMessage: input.message ?? null,
      title: input.title ?? null,
      details: input.details ?? null,
      fbtraceId: input.fbtraceId ?? null,
      isTransient: input.isTransient ?? null,
      isMarketingOptOut: input.code === marketingOptOutCode,
    });
  }

  /** An error status without Meta's envelope: a gateway's 5xx may have forwarded the request. */
  static fromHttpStatus(
    httpStatus: number,
    context: { operation: string; retryAfterHintMs?: number | null; attempt?: number },
  ): GraphError {
    const rule = classifyHttpStatus(httpStatus);
    const policyDelayMs = rule.backoff ? backoffDelayMs(rule.backoff, context.attempt ?? 0) : null;
    return new GraphError({
      category: rule.category,
      reason: 'http-status',
      message: `${context.operation} answered HTTP ${httpStatus} without a Graph error body`,
      outcome: httpStatus >= 500 || httpStatus === 408 ? 'unknown' : 'not-sent',
      retryAfterMs: policyDelayMs === null ? null : Math.max(policyDelayMs, context.retryAfterHintMs ?? 0),
      httpStatus,
    });
  }

  /** A network failure or timeout; `outcome` says whether the request may have left. */
  static transport(
    reason: 'timeout' | 'connection-failed' | 'connection-lost' | 'aborted',
    outcome: GraphOutcome,
    message: string,
    options: { attempt?: number; cause?: unknown } = {},
  ): GraphError {
    return new GraphError({
      category: 'retry-later',
      reason,
      message,
      outcome,
      retryAfterMs: backoffDelayMs(networkBackoff, options.attempt ?? 0),
      cause: options.cause,
    });
  }

  /**
   * A success status with a body we do not recognise. For a send, a message may have gone, so it is
   * retried only after reconciliation.
   */
  static invalidResponse(message: string, options: { httpStatus: number; cause?: unknown }): GraphError {
    return new GraphError({
      category: 'retry-later',
      reason: 'invalid-response',
      message,
      outcome: 'unknown',
      retryAfterMs: serverBackoff.firstDelayMs,
      httpStatus: options.httpStatus,
      cause: options.cause,
    });
  }

  /** Refused before sending, so nothing left. */
  static invalidRequest(message: string): GraphError {
    return new GraphError({ category: 'fix-request', reason: 'invalid-request', message });
  }

  /** Downloaded media whose bytes do not hash to Meta's sha256: download again. */
  static mediaHashMismatch(mediaId: string): GraphError {
    return new GraphError({
      category: 'retry-later',
      reason: 'media-hash-mismatch',
      message: `media ${mediaId}: the downloaded bytes do not match the announced sha256`,
      retryAfterMs: networkBackoff.firstDelayMs,
    });
  }

  /** The fields, for structured logs; there is never a token in them. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      category: this.category,
      reason: this.reason,
      outcome: this.outcome,
      retryAfterMs: this.retryAfterMs,
      httpStatus: this.httpStatus,
      code: this.code,
      subcode: this.subcode,
      type: this.type,
      metaMessage: this.metaMessage,
      title: this.title,
      details: this.details,
      fbtraceId: this.fbtraceId,
      isTransient: this.isTransient,
      isMarketingOptOut: this.isMarketingOptOut,
    };
  }
}

export function isGraphError(value: unknown): value is GraphError {
  return value instanceof GraphError;
}
