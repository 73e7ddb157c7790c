import { versionRetirement } from './graph-api-versions.ts';

export type HealthStatus = 'ok' | 'warning' | 'critical' | 'unknown';

export const healthCheckNames = [
  'connection',
  'token',
  'webhooks',
  'quality',
  'messaging-tier',
  'throughput',
  'account',
  'graph-api-version',
] as const;
export type HealthCheckName = (typeof healthCheckNames)[number];

/** One aspect of a number's health. `key` changes exactly when the check changes, so it decides events. */
export interface HealthCheck {
  name: HealthCheckName;
  status: HealthStatus;
  /** What a tenant reads, with what to do about it. */
  summary: string;
  key: string;
  details: Record<string, unknown>;
}

export interface HealthInputs {
  number: {
    isHealthy: boolean;
    healthProblem: string | null;
    qualityRating: string | null;
    messagingTier: string | null;
    throughputMps: number;
    graphApiVersion: string;
  };
  /** The token the number sends with (or the newest one, when none is usable). */
  token: { kind: string; expiresAt: number | null } | null;
  tokenCheck: {
    isValid: boolean | null;
    missingPermissions: string[];
    error: string | null;
    checkedAt: number | null;
  };
  /** Meta's `status` of the number (CONNECTED once registered). */
  graphStatus: string | null;
  webhooks: {
    lastWebhookAt: number | null;
    appLastReceivedAt: number | null;
    signatureFailures: number;
    lastSignatureFailureAt: number | null;
  };
  lastQualityUpdate: {
    event: string | null;
    currentLimit: string | null;
    oldLimit: string | null;
    at: number;
  } | null;
  lastAccountUpdate: { event: string | null; at: number; details: Record<string, unknown> } | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** User tokens expire (about 60 days); warn a week ahead, time enough to reconnect. */
export const TOKEN_EXPIRY_WARNING_MS = 7 * DAY_MS;
/** Signature failures this recent mean a wrong app secret (or someone probing the endpoint). */
const SIGNATURE_FAILURE_WINDOW_MS = DAY_MS;
/** A tier cut is news for a week; after that the tier is simply the tier. */
const DOWNGRADE_NEWS_MS = 7 * DAY_MS;

const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const time = (ms: number) => new Date(ms).toISOString();

/** Account events that stop or limit sending (cloud-api-details.md §2, account_update). */
const criticalAccountEvents = new Set([
  'DISABLED_UPDATE',
  'ACCOUNT_DELETED',
  'ACCOUNT_OFFBOARDED',
  'PARTNER_REMOVED',
  'PARTNER_APP_UNINSTALLED',
]);
const warningAccountEvents = new Set(['ACCOUNT_RESTRICTION', 'ACCOUNT_VIOLATION']);

/** Daily unique-customer limits by tier, for the summary (cloud-api-details.md §5.3). */
const tierCustomers: Record<string, string> = {
  TIER_50: '50',
  TIER_250: '250',
  TIER_1K: '1,000',
  TIER_2K: '2,000',
  TIER_10K: '10,000',
  TIER_100K: '100,000',
  TIER_UNLIMITED: 'unlimited',
};

/** Assesses every check of one number. Pure: the clock comes in, so tests pin it. */
export function assessNumberHealth(inputs: HealthInputs, nowMs: number): HealthCheck[] {
  return [
    connectionCheck(inputs),
    tokenCheck(inputs, nowMs),
    webhookCheck(inputs, nowMs),
    qualityCheck(inputs),
    tierCheck(inputs, nowMs),
    throughputCheck(inputs),
    accountCheck(inputs),
    versionCheck(inputs, nowMs),
  ];
}

/** Critical beats warning beats ok; `unknown` (nothing learned yet) does not darken the whole number. */
export function overallStatus(checks: readonly HealthCheck[]): HealthStatus {
  if (checks.some((check) => check.status === 'critical')) return 'critical';
  if (checks.some((check) => check.status === 'warning')) return 'warning';
  return 'ok';
}

/** How a disconnect marks a number (see onboarding's disconnectNumber): it never sends again until reconnected. */
export const DISCONNECTED_PROBLEM_PREFIX = 'disconnected';

function connectionCheck({ number, graphStatus }: HealthInputs): HealthCheck {
  const isDisconnected = number.healthProblem?.startsWith(DISCONNECTED_PROBLEM_PREFIX) ?? false;
  const details = { isHealthy: number.isHealthy, problem: number.healthProblem, graphStatus, isDisconnected };
  const key = `${number.isHealthy}|${number.healthProblem ?? ''}|${graphStatus ?? ''}`;
  if (isDisconnected) {
    return {
      name: 'connection',
      status: 'critical',
      key,
      details,
      summary: `Disconnected (${number.healthProblem}): this number no longer sends. Connect it again to resume.`,
    };
  }
  if (!number.isHealthy) {
    return {
      name: 'connection',
      status: 'critical',
      key,
      details,
      summary: `Sending is paused (${number.healthProblem ?? 'unhealthy'}); messages are held, not lost, and go out once this is fixed.`,
    };
  }
  if (graphStatus !== null && graphStatus !== 'CONNECTED') {
    return {
      name: 'connection',
      status: 'warning',
      key,
      details,
      summary: `Meta reports the number as ${graphStatus}: it may not be registered for the Cloud API.`,
    };
  }
  return { name: 'connection', status: 'ok', key, details, summary: 'Connected and sending.' };
}

function tokenCheck({ token, tokenCheck: checked }: HealthInputs, nowMs: number): HealthCheck {
  const missing = checked.missingPermissions;
  const details = {
    kind: token?.kind ?? null,
    expiresAt: token?.expiresAt == null ? null : time(token.expiresAt),
    isValid: checked.isValid,
    missingPermissions: missing,
    error: checked.error,
    checkedAt: checked.checkedAt === null ? null : time(checked.checkedAt),
  };
  const result = (status: HealthStatus, summary: string): HealthCheck => ({
    name: 'token',
    status,
    summary,
    details,
    key: `${status}|${token?.expiresAt ?? ''}|${checked.isValid ?? ''}|${missing.join(',')}`,
  });
  if (!token)
    return result('critical', 'No access token: connect the number again (setup link or POST /connections).');
  if (token.expiresAt !== null && token.expiresAt <= nowMs) {
    return result(
      'critical',
      `The access token expired on ${date(token.expiresAt)}: sending is paused until a new token is connected.`,
    );
  }
  if (checked.isValid === false) {
    return result(
      'critical',
      `Meta says the access token is no longer valid (${checked.error ?? 'code 190'}): connect the number again.`,
    );
  }
  const vital = missing.filter((permission) => permission !== 'business_management');
  if (vital.length > 0) {
    return result(
      'critical',
      `The access token lacks the permission ${vital.join(' and ')}: grant it again (rerun the signup, or a new system user token).`,
    );
  }
  if (missing.length > 0) {
    return result(
      'warning',
      `The access token lacks the permission ${missing.join(' and ')}: grant it again to keep managing the account.`,
    );
  }
  if (token.expiresAt !== null && token.expiresAt - nowMs <= TOKEN_EXPIRY_WARNING_MS) {
    return result(
      'warning',
      `The access token expires on ${date(token.expiresAt)}: connect a new one before then (a system user token does not expire).`,
    );
  }
  if (checked.isValid === null) return result('ok', 'Access token stored; not checked with Meta yet.');
  return result(
    'ok',
    token.expiresAt === null
      ? 'Access token valid, does not expire.'
      : `Access token valid until ${date(token.expiresAt)}.`,
  );
}

function webhookCheck({ webhooks }: HealthInputs, nowMs: number): HealthCheck {
  const details = {
    lastWebhookAt: webhooks.lastWebhookAt === null ? null : time(webhooks.lastWebhookAt),
    appLastReceivedAt: webhooks.appLastReceivedAt === null ? null : time(webhooks.appLastReceivedAt),
    signatureFailures: webhooks.signatureFailures,
    lastSignatureFailureAt:
      webhooks.lastSignatureFailureAt === null ? null : time(webhooks.lastSignatureFailureAt),
  };
  if (
    webhooks.lastSignatureFailureAt !== null &&
    nowMs - webhooks.lastSignatureFailureAt <= SIGNATURE_FAILURE_WINDOW_MS
  ) {
    return {
      name: 'webhooks',
      status: 'warning',
      key: 'warning',
      details,
      summary: `${webhooks.signatureFailures} webhook deliveries failed their signature (last at ${time(webhooks.lastSignatureFailureAt)}): check the app secret.`,
    };
  }
  const lastSeen = webhooks.lastWebhookAt ?? webhooks.appLastReceivedAt;
  if (lastSeen === null) {
    return {
      name: 'webhooks',
      status: 'unknown',
      key: 'unknown',
      details,
      summary: 'No webhook from Meta seen yet.',
    };
  }
  return {
    name: 'webhooks',
    status: 'ok',
    key: 'ok',
    details,
    summary: `Webhooks arriving; last at ${time(lastSeen)}.`,
  };
}

function qualityCheck({ number, lastQualityUpdate }: HealthInputs): HealthCheck {
  const rating = number.qualityRating?.toUpperCase() ?? null;
  const details = {
    qualityRating: rating,
    lastUpdate: lastQualityUpdate === null ? null : { ...lastQualityUpdate, at: time(lastQualityUpdate.at) },
  };
  const status: HealthStatus =
    rating === 'GREEN' ? 'ok' : rating === 'YELLOW' ? 'warning' : rating === 'RED' ? 'critical' : 'unknown';
  const summary =
    status === 'ok'
      ? 'Quality rating high (GREEN).'
      : status === 'warning'
        ? 'Quality rating medium (YELLOW): customers are blocking or reporting messages; review templates and audiences.'
        : status === 'critical'
          ? 'Quality rating low (RED): Meta may lower the messaging limit; pause marketing and review what is sent.'
          : 'Quality rating not known yet.';
  return { name: 'quality', status, key: rating ?? '', details, summary };
}

function tierCheck({ number, lastQualityUpdate }: HealthInputs, nowMs: number): HealthCheck {
  const tier = number.messagingTier;
  const details = {
    messagingTier: tier,
    lastUpdate: lastQualityUpdate === null ? null : { ...lastQualityUpdate, at: time(lastQualityUpdate.at) },
  };
  if (tier === null)
    return {
      name: 'messaging-tier',
      status: 'unknown',
      key: '',
      details,
      summary: 'Messaging limit not known yet.',
    };
  const customers = tierCustomers[tier.toUpperCase()] ?? tier;
  const isRecentDowngrade =
    lastQualityUpdate?.event?.toUpperCase() === 'DOWNGRADE' &&
    nowMs - lastQualityUpdate.at <= DOWNGRADE_NEWS_MS;
  if (isRecentDowngrade) {
    return {
      name: 'messaging-tier',
      status: 'warning',
      key: `${tier}|downgraded`,
      details,
      summary: `Meta lowered the messaging limit to ${customers} customers a day (${tier}) on ${date(lastQualityUpdate.at)}; campaigns are paced to it.`,
    };
  }
  return {
    name: 'messaging-tier',
    status: 'ok',
    key: tier,
    details,
    summary: `Messaging limit: ${customers} customers a day (${tier}).`,
  };
}

function throughputCheck({ number }: HealthInputs): HealthCheck {
  return {
    name: 'throughput',
    status: 'ok',
    key: String(number.throughputMps),
    details: { messagesPerSecond: number.throughputMps },
    summary: `Throughput: ${number.throughputMps} messages a second.`,
  };
}

function accountCheck({ lastAccountUpdate }: HealthInputs): HealthCheck {
  if (lastAccountUpdate === null) {
    return {
      name: 'account',
      status: 'ok',
      key: '',
      details: { lastUpdate: null },
      summary: 'No account updates from Meta.',
    };
  }
  const event = lastAccountUpdate.event?.toUpperCase() ?? 'UNKNOWN';
  const details = { lastUpdate: { event, at: time(lastAccountUpdate.at), ...lastAccountUpdate.details } };
  const key = `${event}|${lastAccountUpdate.at}`;
  const when = date(lastAccountUpdate.at);
  if (criticalAccountEvents.has(event)) {
    return {
      name: 'account',
      status: 'critical',
      key,
      details,
      summary: `Meta sent ${event} on ${when}: the account may no longer send; see WhatsApp Manager.`,
    };
  }
  if (warningAccountEvents.has(event)) {
    return {
      name: 'account',
      status: 'warning',
      key,
      details,
      summary: `Meta sent ${event} on ${when}: some messaging is restricted; see WhatsApp Manager.`,
    };
  }
  return {
    name: 'account',
    status: 'ok',
    key,
    details,
    summary: `Last account update from Meta: ${event} on ${when}.`,
  };
}

function versionCheck({ number }: HealthInputs, nowMs: number): HealthCheck {
  const retirement = versionRetirement(number.graphApiVersion, nowMs);
  return {
    name: 'graph-api-version',
    status: retirement.status,
    key: `${retirement.version}|${retirement.status}`,
    details: {
      version: retirement.version,
      retiresAt: retirement.retiresAt === null ? null : time(retirement.retiresAt),
      isEstimate: retirement.isEstimate,
    },
    summary: retirement.summary,
  };
}
