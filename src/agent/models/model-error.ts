import { AISDKError, APICallError } from 'ai';
import { findTargetRefusal } from '../../net/index.ts';

/**
 * Every way a model call can fail, as a closed set of codes: the turn runner decides on `code` and
 * `isRetryable`, never on the message. The message is for people (the dashboard's connection test, logs)
 * and says what to fix.
 */
export const MODEL_ERROR_CODES = [
  /** The settings cannot work (no model name, no key where the provider needs one, a bad URL). */
  'invalid_settings',
  /** HTTP 401/403: the key is wrong, revoked or lacks access to the model. */
  'unauthorized',
  /** HTTP 404: no such model, or the base URL does not point at the API. */
  'not_found',
  /** Any other 4xx: the endpoint refused the request as sent (context too long, bad parameter). */
  'bad_request',
  /** HTTP 429: too many requests or the account's quota is used up. */
  'rate_limited',
  /** HTTP 5xx, or the endpoint could not be reached. */
  'unavailable',
  'timeout',
  /** The caller's signal aborted the call. */
  'aborted',
  /** The endpoint answered, but not with a completion we can read. */
  'invalid_response',
] as const;
export type ModelErrorCode = (typeof MODEL_ERROR_CODES)[number];

const RETRYABLE: ReadonlySet<ModelErrorCode> = new Set(['rate_limited', 'unavailable', 'timeout']);

export class ModelError extends Error {
  readonly code: ModelErrorCode;
  /** HTTP status of the endpoint's answer, when there was one. */
  readonly httpStatus: number | null;

  constructor(
    code: ModelErrorCode,
    message: string,
    options: { httpStatus?: number | null; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ModelError';
    this.code = code;
    this.httpStatus = options.httpStatus ?? null;
  }

  /** Whether the same call may succeed later (the runner backs off); otherwise the settings need fixing. */
  get isRetryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}

function codeForStatus(status: number): ModelErrorCode {
  // The SDK also raises APICallError for a 200 whose body is not a completion (a proxy's login page).
  if (status < 400) return 'invalid_response';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'bad_request';
}

const ADVICE: Partial<Record<ModelErrorCode, string>> = {
  unauthorized: 'check the API key and that it may use this model',
  not_found: 'check the model name and the base URL (it usually ends in /v1)',
  rate_limited: 'the provider is limiting requests or the quota is used up; it is retried later',
  unavailable: 'the endpoint is down or unreachable; it is retried later',
};

function describe(endpoint: string, code: ModelErrorCode, detail: string, status: number | null): string {
  const answered =
    status === null ? `${endpoint} could not be reached` : `${endpoint} answered HTTP ${status}`;
  const advice = ADVICE[code];
  return `${answered}: ${detail}${advice ? ` (${advice})` : ''}`;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'ResponseAborted');
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

/**
 * The ModelError for anything a model call threw, with `secrets` (the API key) blanked out of its message. The AI SDK wraps HTTP failures in APICallError (with the
 * status and the provider's own message) and retried ones in a RetryError holding the last. Errors that do
 * not come from the call (bugs) are returned as they are, so that they are not disguised as an outage.
 */
export function toModelError(error: unknown, endpoint: string, secrets: readonly string[] = []): unknown {
  const mapped = mapError(error, endpoint);
  if (!(mapped instanceof ModelError)) return mapped;
  // Some endpoints echo the key they refused; it must not reach logs or the dashboard.
  const message = secrets.reduce(
    (text, secret) => (secret ? text.replaceAll(secret, '[api key]') : text),
    mapped.message,
  );
  return message === mapped.message
    ? mapped
    : new ModelError(mapped.code, message, { httpStatus: mapped.httpStatus, cause: mapped.cause });
}

function mapError(error: unknown, endpoint: string): unknown {
  if (error instanceof ModelError) return error;
  if (error instanceof Error && error.name === 'AI_RetryError' && 'lastError' in error) {
    return mapError(error.lastError, endpoint);
  }
  const refusal = findTargetRefusal(error);
  if (refusal) {
    // Refused before connecting, so no status to report; the settings (or the operator's) must change.
    return new ModelError('invalid_settings', `${endpoint} was not called: ${refusal.message}`, {
      cause: error,
    });
  }
  if (isAbort(error))
    return new ModelError('aborted', `the call to ${endpoint} was aborted`, { cause: error });
  if (isTimeout(error))
    return new ModelError('timeout', `${endpoint} did not answer in time`, { cause: error });
  if (APICallError.isInstance(error)) {
    const status = error.statusCode ?? null;
    if (status === null) {
      const reason = error.cause instanceof Error ? (error.cause.cause ?? error.cause) : error.cause;
      const detail = reason instanceof Error ? reason.message : error.message;
      return new ModelError('unavailable', describe(endpoint, 'unavailable', detail, null), { cause: error });
    }
    const code = codeForStatus(status);
    return new ModelError(code, describe(endpoint, code, error.message, status), {
      httpStatus: status,
      cause: error,
    });
  }
  if (AISDKError.isInstance(error)) {
    return new ModelError(
      'invalid_response',
      `${endpoint} answered something that is not a completion: ${error.message}`,
      {
        cause: error,
      },
    );
  }
  return error;
}
