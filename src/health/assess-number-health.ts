import type { AccountState } from './account-state.ts';
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
  /** What Meta's account_update webhooks said, each aspect by its own newest event. */
  account: AccountState;
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

/** A violation notice is news for a week, like a tier cut; the restrictions it brings are their own events. */
const VIOLATION_NEWS_MS = 7 * DAY_MS;

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
    accountCheck(inputs, nowMs),
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

/**
 * The account's standing from its states (cloud-api-details.md §2, account_update): a deleted or offboarded
 * account, a removed partner and a ban (DISABLE) stop sending; a ban scheduled for a date, restrictions
 * still in force and a recent violation limit it; a reinstatement, a reconnection and MM Lite terms are news.
 */
function accountCheck({ account }: HealthInputs, nowMs: number): HealthCheck {
  const problems: { status: 'critical' | 'warning'; text: string }[] = [];
  const notes: string[] = [];
  const { ban, restrictions, violation, partner, connection } = account;
  if (connection?.state === 'deleted')
    problems.push({ status: 'critical', text: `Meta deleted the account on ${date(connection.at)}.` });
  if (connection?.state === 'offboarded')
    problems.push({ status: 'critical', text: `The account was offboarded on ${date(connection.at)}.` });
  if (connection?.state === 'reconnected') notes.push(`reconnected on ${date(connection.at)}`);
  if (partner?.state === 'removed') {
    const why = [partner.reason, partner.initiatedBy && `by ${partner.initiatedBy}`]
      .filter(Boolean)
      .join(' ');
    problems.push({
      status: 'critical',
      text: `Coxcox's access was removed (${partner.event}${why ? `: ${why}` : ''}) on ${date(partner.at)}: connect the number again.`,
    });
  }
  if (ban?.state === 'DISABLE')
    problems.push({
      status: 'critical',
      text: `Meta disabled the account${ban.date ? ` on ${ban.date}` : ''}: appeal in WhatsApp Manager.`,
    });
  if (ban?.state === 'SCHEDULE_FOR_DISABLE')
    problems.push({
      status: 'warning',
      text: `Meta will disable the account${ban.date ? ` on ${ban.date}` : ''}: fix the policy issue or appeal in WhatsApp Manager.`,
    });
  if (ban?.state === 'REINSTATE') notes.push(`reinstated${ban.date ? ` on ${ban.date}` : ''}`);
  const inForce = (restrictions?.items ?? []).filter(
    (item) => item.expiration === null || item.expiration > nowMs,
  );
  if (inForce.length > 0)
    problems.push({
      status: 'warning',
      text: `Restricted: ${inForce
        .map(
          (item) =>
            `${item.restrictionType ?? 'unknown restriction'}${item.expiration === null ? '' : ` until ${time(item.expiration)}`}`,
        )
        .join(', ')}.`,
    });
  if (violation && nowMs - violation.at < VIOLATION_NEWS_MS)
    problems.push({
      status: 'warning',
      text: `Meta reported a policy violation (${violation.type ?? 'unspecified'}) on ${date(violation.at)}.`,
    });
  if (account.review?.decision === 'REJECTED')
    problems.push({
      status: 'warning',
      text: `Meta rejected the account review on ${date(account.review.at)}: see WhatsApp Manager.`,
    });
  else if (account.review) notes.push(`review ${account.review.decision.toLowerCase()}`);
  if (account.mmLiteTermsSignedAt !== null)
    notes.push(`MM Lite terms signed on ${date(account.mmLiteTermsSignedAt)}`);

  const status = problems.some((problem) => problem.status === 'critical')
    ? 'critical'
    : problems.length > 0
      ? 'warning'
      : 'ok';
  const details = {
    lastUpdate: account.latest ? { event: account.latest.event, at: time(account.latest.at) } : null,
    ban: ban ? { state: ban.state, date: ban.date, at: time(ban.at) } : null,
    restrictions: inForce.map((item) => ({
      restrictionType: item.restrictionType,
      expiresAt: item.expiration === null ? null : time(item.expiration),
    })),
    violation: violation ? { type: violation.type, at: time(violation.at) } : null,
    partner: partner
      ? { state: partner.state, event: partner.event, reason: partner.reason, at: time(partner.at) }
      : null,
    connection: connection ? { state: connection.state, at: time(connection.at) } : null,
    mmLiteTermsSignedAt: account.mmLiteTermsSignedAt === null ? null : time(account.mmLiteTermsSignedAt),
    review: account.review ? { decision: account.review.decision, at: time(account.review.at) } : null,
  };
  const summary =
    problems.length > 0
      ? problems.map((problem) => problem.text).join(' ')
      : account.latest === null
        ? 'No account updates from Meta.'
        : `Account in good standing${notes.length > 0 ? ` (${notes.join('; ')})` : ''}. Last update from Meta: ${account.latest.event} on ${date(account.latest.at)}.`;
  return { name: 'account', status, key: `${status}|${summary}`, details, summary };
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
