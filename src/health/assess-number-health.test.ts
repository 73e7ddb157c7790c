import { describe, expect, it } from 'vitest';
import type { TokenDebugInfo } from '../whatsapp/graph/index.ts';
import { emptyAccountState } from './account-state.ts';
import { assessNumberHealth, type HealthInputs, overallStatus } from './assess-number-health.ts';
import { findMissingPermissions } from './find-missing-permissions.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const now = Date.parse('2026-03-01T00:00:00Z');

function inputs(change: Partial<HealthInputs> = {}): HealthInputs {
  return {
    number: {
      isHealthy: true,
      healthProblem: null,
      qualityRating: 'GREEN',
      messagingTier: 'TIER_250',
      throughputMps: 80,
      graphApiVersion: 'v23.0',
    },
    token: { kind: 'system_user', expiresAt: null },
    tokenCheck: { isValid: true, missingPermissions: [], error: null, checkedAt: now - 1000 },
    graphStatus: 'CONNECTED',
    webhooks: {
      lastWebhookAt: now - 60_000,
      appLastReceivedAt: now - 60_000,
      signatureFailures: 0,
      lastSignatureFailureAt: null,
    },
    lastQualityUpdate: null,
    account: emptyAccountState,
    ...change,
  };
}
const check = (change: Partial<HealthInputs>, name: string) =>
  assessNumberHealth(inputs(change), now).find((item) => item.name === name)!;

describe('assessNumberHealth', () => {
  it('is all ok for a healthy number', () => {
    const checks = assessNumberHealth(inputs(), now);
    expect(checks.map((item) => `${item.name}:${item.status}`)).toEqual([
      'connection:ok',
      'token:ok',
      'webhooks:ok',
      'quality:ok',
      'messaging-tier:ok',
      'throughput:ok',
      'account:ok',
      'graph-api-version:ok',
    ]);
    expect(overallStatus(checks)).toBe('ok');
  });

  it('warns a week before a user token expires, and is critical once it has', () => {
    expect(check({ token: { kind: 'user', expiresAt: now + 8 * DAY_MS } }, 'token').status).toBe('ok');
    const soon = check({ token: { kind: 'user', expiresAt: now + 6 * DAY_MS } }, 'token');
    expect(soon.status).toBe('warning');
    expect(soon.summary).toContain('2026-03-07');
    expect(check({ token: { kind: 'user', expiresAt: now - 1 } }, 'token').status).toBe('critical');
    expect(check({ token: null }, 'token').status).toBe('critical');
  });

  it('names missing permissions: messaging or management is critical, business management a warning', () => {
    const vital = check(
      {
        tokenCheck: {
          isValid: true,
          missingPermissions: ['whatsapp_business_messaging'],
          error: null,
          checkedAt: now,
        },
      },
      'token',
    );
    expect(vital.status).toBe('critical');
    expect(vital.summary).toContain('whatsapp_business_messaging');
    expect(
      check(
        {
          tokenCheck: {
            isValid: true,
            missingPermissions: ['business_management'],
            error: null,
            checkedAt: now,
          },
        },
        'token',
      ).status,
    ).toBe('warning');
    expect(
      check(
        {
          tokenCheck: { isValid: false, missingPermissions: [], error: 'the token expired', checkedAt: now },
        },
        'token',
      ).status,
    ).toBe('critical');
  });

  it('reads quality, a recent downgrade, signature failures, account updates and a disconnect', () => {
    expect(check({ number: { ...inputs().number, qualityRating: 'YELLOW' } }, 'quality').status).toBe(
      'warning',
    );
    expect(check({ number: { ...inputs().number, qualityRating: 'RED' } }, 'quality').status).toBe(
      'critical',
    );
    const downgraded = check(
      {
        number: { ...inputs().number, messagingTier: 'TIER_50' },
        lastQualityUpdate: {
          event: 'DOWNGRADE',
          currentLimit: 'TIER_50',
          oldLimit: 'TIER_250',
          at: now - DAY_MS,
        },
      },
      'messaging-tier',
    );
    expect(downgraded.status).toBe('warning');
    const signatures = check(
      { webhooks: { ...inputs().webhooks, signatureFailures: 4, lastSignatureFailureAt: now - 3600_000 } },
      'webhooks',
    );
    expect(signatures.status).toBe('warning');
    expect(
      check({ account: { ...emptyAccountState, ban: { state: 'DISABLE', date: null, at: now } } }, 'account')
        .status,
    ).toBe('critical');
    expect(
      check(
        {
          account: {
            ...emptyAccountState,
            restrictions: {
              items: [{ restrictionType: 'RESTRICTED_UTILITY_TEMPLATES', expiration: null }],
              at: now,
            },
          },
        },
        'account',
      ).status,
    ).toBe('warning');
    expect(
      check(
        {
          account: {
            ...emptyAccountState,
            partner: {
              state: 'connected',
              event: 'PARTNER_APP_INSTALLED',
              reason: null,
              initiatedBy: null,
              at: now,
            },
          },
        },
        'account',
      ).status,
    ).toBe('ok');
    const disconnected = check(
      {
        number: { ...inputs().number, isHealthy: false, healthProblem: 'disconnected on 2026-03-01: moving' },
      },
      'connection',
    );
    expect(disconnected.summary).toContain('Disconnected');
  });

  it('changes a check’s key exactly when what it reports changes', () => {
    const first = check({}, 'messaging-tier');
    expect(check({}, 'messaging-tier').key).toBe(first.key);
    expect(
      check({ number: { ...inputs().number, messagingTier: 'TIER_2K' } }, 'messaging-tier').key,
    ).not.toBe(first.key);
  });
});

describe('findMissingPermissions', () => {
  const info = (scopes: string[], targetIds: string[] | null): TokenDebugInfo => ({
    isValid: true,
    appId: '1',
    type: 'SYSTEM_USER',
    expiresAt: null,
    scopes,
    granularScopes: scopes.map((scope) => ({
      scope,
      targetIds: scope === 'business_management' ? null : targetIds,
    })),
    error: null,
  });

  it('names the permissions a token lacks, and those granted only for other accounts', () => {
    const all = ['business_management', 'whatsapp_business_management', 'whatsapp_business_messaging'];
    expect(findMissingPermissions(info(all, ['111']), '111')).toEqual([]);
    expect(findMissingPermissions(info(all.slice(1), ['111']), '111')).toEqual(['business_management']);
    expect(findMissingPermissions(info(all, ['222']), '111')).toEqual([
      'whatsapp_business_management',
      'whatsapp_business_messaging',
    ]);
    expect(findMissingPermissions(info(all, null), '111')).toEqual([]);
  });
});
