/** The closed set of error codes the API answers with. Tests assert the code, never the message. */
export const errorStatus = {
  validation_failed: 400,
  unauthorized: 401,
  invalid_signature: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  window_closed: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  /**
   * The precise reason, for the operator (ADMIN_TOKEN) only, when it would tell a tenant about another
   * tenant's data (an email or a Meta id in use elsewhere): a tenant reads `message`, the operator this.
   */
  readonly operatorMessage: string | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    details?: unknown,
    options: { operatorMessage?: string } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
    this.operatorMessage = options.operatorMessage;
  }
  get statusCode(): number {
    return errorStatus[this.code];
  }
}

export function notFound(what: string): AppError {
  return new AppError('not_found', `${what} was not found`);
}
