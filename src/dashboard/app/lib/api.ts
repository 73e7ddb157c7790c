/** The API's error shape: `{ error: { code, message, details? } }` with the status for its code. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Raised once when a request comes back 401: the session ended, so the app shows the sign-in screen. */
export const SESSION_ENDED_EVENT = 'coxcox:session-ended';

export const API_BASE = '/api/v1';

/**
 * Every call goes to our own API with the session cookie and the CSRF header (the server requires it on
 * changes made with a cookie; a page on another site cannot send it).
 */
export async function apiRequest<T>(
  method: string,
  path: string,
  body?: unknown,
  init: RequestInit = {},
): Promise<T> {
  const headers: Record<string, string> = { 'x-coxcox-csrf': '1', accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body instanceof Blob || typeof body === 'string') {
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(`${API_BASE}${path}`, {
    method,
    credentials: 'same-origin',
    ...init,
    headers: { ...headers, ...(init.headers as Record<string, string> | undefined) },
    ...(payload !== undefined ? { body: payload } : {}),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const raw = (json as { error?: unknown } | null)?.error;
    // Fastify's own 404 (`{ error: "Not Found" }`) means the route does not exist: a domain not installed yet.
    if (response.status === 404 && typeof raw === 'string')
      throw new ApiError(404, 'route_missing', 'This feature is not available on this server yet.');
    const error = raw as { code?: string; message?: string; details?: unknown } | undefined;
    if (response.status === 401 && !path.startsWith('/session') && !path.startsWith('/setup')) {
      window.dispatchEvent(new Event(SESSION_ENDED_EVENT));
    }
    throw new ApiError(
      response.status,
      error?.code ?? 'internal',
      error?.message ??
        (response.status >= 500
          ? 'Coxcox could not answer. Try again in a moment.'
          : `Request failed (${response.status})`),
      error?.details,
    );
  }
  return json as T;
}

export const api = {
  get: <T>(path: string) => apiRequest<T>('GET', path),
  post: <T>(path: string, body?: unknown) => apiRequest<T>('POST', path, body ?? {}),
  put: <T>(path: string, body?: unknown) => apiRequest<T>('PUT', path, body ?? {}),
  patch: <T>(path: string, body?: unknown) => apiRequest<T>('PATCH', path, body ?? {}),
  delete: <T>(path: string) => apiRequest<T>('DELETE', path),
};

/** `?a=1&b=x` from an object, leaving out empty values. */
export function query(values: Record<string, string | number | boolean | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Whether a call failed because the server has no such route (another domain not built yet), not a real 404. */
export function isRouteMissing(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'route_missing';
}

/** A message for people: what went wrong, in the API's own words when it gave some. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'Coxcox is unreachable. Check your connection; we will keep trying.';
  return error instanceof Error ? error.message : String(error);
}
