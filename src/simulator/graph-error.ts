/**
 * The Graph errors the simulator answers with, and the HTTP status Meta uses for each. Titles and
 * statuses follow Meta's error-code table (cloud-api-details.md §4.2). Rate limits come back as 400,
 * not 429, so clients must classify by `code`.
 */
export const graphErrorCatalog = {
  // Graph answers a wrong client_secret in the code exchange with code 1.
  1: { httpStatus: 400, title: 'Error validating client secret.', isTransient: false },
  2: { httpStatus: 503, title: 'Service temporarily unavailable', isTransient: true },
  4: { httpStatus: 429, title: 'Application request limit reached', isTransient: true },
  10: { httpStatus: 403, title: 'Application does not have permission for this action', isTransient: false },
  100: { httpStatus: 400, title: 'Invalid parameter', isTransient: false },
  101: {
    httpStatus: 400,
    title: 'Error validating application. Invalid application ID.',
    isTransient: false,
  },
  190: {
    httpStatus: 401,
    title: 'Invalid OAuth access token - Cannot parse access token',
    isTransient: false,
  },
  2200: { httpStatus: 400, title: 'Callback verification failed', isTransient: false },
  2500: { httpStatus: 400, title: 'Unknown path components', isTransient: false },
  130429: { httpStatus: 400, title: 'Rate limit hit', isTransient: true },
  131000: { httpStatus: 500, title: 'Something went wrong', isTransient: true },
  131008: { httpStatus: 400, title: 'Required parameter is missing', isTransient: false },
  131009: { httpStatus: 400, title: 'Parameter value is not valid', isTransient: false },
  131021: { httpStatus: 400, title: 'Recipient cannot be sender', isTransient: false },
  131047: { httpStatus: 400, title: 'Re-engagement message', isTransient: false },
  131053: { httpStatus: 400, title: 'Media upload error', isTransient: false },
  131056: {
    httpStatus: 400,
    title: '(Business Account, Consumer Account) pair rate limit hit',
    isTransient: true,
  },
  132000: {
    httpStatus: 400,
    title: 'Number of parameters does not match the expected number of params',
    isTransient: false,
  },
  132001: { httpStatus: 404, title: 'Template name does not exist in the translation', isTransient: false },
  132012: {
    httpStatus: 400,
    title: 'Parameter format does not match format in the created template',
    isTransient: false,
  },
  132015: { httpStatus: 400, title: 'Template is Paused', isTransient: false },
  132016: { httpStatus: 400, title: 'Template is Disabled', isTransient: false },
  133010: { httpStatus: 400, title: 'Account not registered', isTransient: false },
} as const;

export type GraphErrorCode = keyof typeof graphErrorCatalog;

export interface GraphErrorOptions {
  /** Graph-level subcodes (190/463 expired token, 100/33 unknown object); WhatsApp codes have none since v16. */
  subcode?: number;
  /** Overrides the title-based message, e.g. for Graph's own wording of 100/33. */
  message?: string;
  /** `GraphMethodException` for unknown objects; everything else is an `OAuthException`. */
  type?: string;
}

/** A request the simulated Cloud API refuses. Routes turn it into Meta's error envelope. */
export class SimulatedGraphError extends Error {
  readonly code: GraphErrorCode;
  readonly details: string | undefined;
  readonly subcode: number | undefined;
  readonly type: string;
  constructor(code: GraphErrorCode, details?: string, options: GraphErrorOptions = {}) {
    super(options.message ?? `(#${code}) ${graphErrorCatalog[code].title}`);
    this.name = 'SimulatedGraphError';
    this.code = code;
    this.details = details;
    this.subcode = options.subcode;
    this.type = options.type ?? 'OAuthException';
  }

  get httpStatus(): number {
    return graphErrorCatalog[this.code].httpStatus;
  }

  /** `{error:{message, type, code, error_subcode?, error_data?{messaging_product, details}, fbtrace_id}}`. */
  toEnvelope(fbtraceId: string): GraphErrorEnvelope {
    return {
      error: {
        message: this.message,
        type: this.type,
        code: this.code,
        ...(this.subcode === undefined ? {} : { error_subcode: this.subcode }),
        ...(this.details === undefined
          ? {}
          : { error_data: { messaging_product: 'whatsapp', details: this.details } }),
        ...(graphErrorCatalog[this.code].isTransient ? { is_transient: true } : {}),
        fbtrace_id: fbtraceId,
      },
    };
  }
}

export interface GraphErrorEnvelope {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product: 'whatsapp'; details: string };
    is_transient?: boolean;
    fbtrace_id: string;
  };
}

/** Graph's answer for an id that does not exist or that this token may not see (code 100, subcode 33). */
export function unknownObject(objectId: string, method: string): SimulatedGraphError {
  return new SimulatedGraphError(100, undefined, {
    subcode: 33,
    type: 'GraphMethodException',
    message: `Unsupported ${method.toLowerCase()} request. Object with ID '${objectId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
  });
}

/** The error a status webhook carries: `{code, title, message, error_data{details}, href}`. */
export interface StatusError {
  code: number;
  title: string;
  message: string;
  error_data: { details: string };
  href: string;
}

export function statusError(code: number, title: string, details: string): StatusError {
  return {
    code,
    title,
    message: title,
    error_data: { details },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  };
}
