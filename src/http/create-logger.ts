import pino, { type Logger } from 'pino';

/** Paths whose values never reach a log line: tokens, secrets, keys and customers' personal data. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-hub-signature-256"]',
  'req.headers.cookie',
  ...['appSecret', 'accessToken', 'token', 'verifyToken', 'apiKey', 'key', 'password', 'secretKey'].flatMap(
    (name) => [name, `*.${name}`],
  ),
];

/** Query parameters that carry secrets (Meta's verification GET sends the verify token in the URL). */
const SECRET_QUERY = /([?&](?:hub\.verify_token|access_token|token)=)[^&]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: {
        req: (request: { method: string; url: string; id?: string }) => ({
          method: request.method,
          url: redactUrl(request.url),
          id: request.id,
        }),
      },
    },
    destination,
  );
}
