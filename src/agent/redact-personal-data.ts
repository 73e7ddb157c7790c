import type { Logger } from 'pino';

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
/** A phone number: 7 or more digits, optionally with +, spaces, dots, dashes and parentheses between. */
const PHONE = /\+?\(?\d(?:[\d\s().-]{5,}\d)/g;

/** Dates and times (2026-01-12, 2026-01-12 10:30) have as many digits as a phone number, and are not one. */
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2})?$/;

/** Replaces e-mail addresses and phone numbers with placeholders. */
export function redactPersonalData(text: string): string {
  return text
    .replace(EMAIL, '[email]')
    .replace(PHONE, (match) =>
      match.replace(/\D/g, '').length >= 7 && !DATE_LIKE.test(match.trim()) ? '[phone]' : match,
    );
}

/** Ids are ours (UUIDs, wamids, outbox ids) and safe, and some contain digit runs: they are left alone. */
const ID_KEYS = new Set([
  'conversationId',
  'tenantId',
  'jobId',
  'turnId',
  'messageId',
  'outboxId',
  'documentId',
  'kind',
]);

function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactPersonalData(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return {
      type: value.name,
      message: redactPersonalData(value.message),
      stack: value.stack ? redactPersonalData(value.stack) : undefined,
    };
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, ID_KEYS.has(key) ? item : redactValue(item, depth + 1)]),
  );
}

export type AgentLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/**
 * The agent's logger: every field and message passes through redactPersonalData first, since customers'
 * messages, names and errors about them (which quote the recipient's number) are personal data.
 */
export function createAgentLogger(logger: Logger): AgentLogger {
  const wrap =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (first: unknown, message?: string, ...rest: unknown[]) => {
      if (!logger.isLevelEnabled(level)) return;
      if (typeof first === 'string') {
        logger[level](redactPersonalData(first));
        return;
      }
      logger[level](
        redactValue(first) as object,
        message === undefined ? undefined : redactPersonalData(message),
        ...rest,
      );
    };
  return {
    debug: wrap('debug'),
    info: wrap('info'),
    warn: wrap('warn'),
    error: wrap('error'),
  } as AgentLogger;
}
