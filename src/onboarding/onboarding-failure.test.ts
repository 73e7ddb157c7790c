import { describe, expect, it } from 'vitest';
import { GraphError } from '../whatsapp/graph/index.ts';
import { describeFailure, OnboardingStepError } from './onboarding-failure.ts';

const meta = (code: number, subcode?: number, message = `(#${code}) from Meta`, httpStatus = 400) =>
  GraphError.fromMeta({ httpStatus, code, subcode: subcode ?? null, message, fbtraceId: 'trace-1' });

describe('describeFailure', () => {
  it('explains Meta’s code-exchange answers in words a customer can act on', () => {
    expect(
      describeFailure('exchange-code', meta(100, 36007, 'This authorization code has expired.')),
    ).toMatchObject({
      step: 'exchange-code',
      reason: 'code_expired',
      meta: { code: 100, subcode: 36007, fbtraceId: 'trace-1' },
    });
    expect(describeFailure('exchange-code', meta(100, 36009)).reason).toBe('code_used');
    expect(
      describeFailure('exchange-code', meta(1, undefined, 'Error validating client secret.')).reason,
    ).toBe('app_credentials');
    expect(describeFailure('exchange-code', meta(100)).reason).toBe('code_invalid');
  });

  it('names the step and keeps Meta’s message', () => {
    const failure = describeFailure('subscribe-app', meta(200, undefined, '(#200) Permissions error', 403));
    expect(failure.reason).toBe('permission_missing');
    expect(failure.message).toContain('subscribing Coxcox to the account’s webhooks');
    expect(failure.message).toContain('(#200) Permissions error');
    expect(describeFailure('register-number', meta(133005)).reason).toBe('pin_mismatch');
    expect(
      describeFailure('register-number', meta(131000, undefined, 'Something went wrong', 500)).reason,
    ).toBe('meta_busy');
    expect(describeFailure('check-token', meta(190, 463, 'expired', 401)).reason).toBe('token_invalid');
  });

  it('passes a step’s own refusal through, with the missing permissions', () => {
    const failure = describeFailure(
      'check-token',
      new OnboardingStepError('permission_missing', 'lacks business_management', {
        missingPermissions: ['business_management'],
      }),
    );
    expect(failure).toMatchObject({
      reason: 'permission_missing',
      missingPermissions: ['business_management'],
      meta: null,
    });
  });

  it('treats a network failure as something to retry', () => {
    const failure = describeFailure(
      'sync-templates',
      GraphError.transport('connection-failed', 'not-sent', 'could not connect'),
    );
    expect(failure.reason).toBe('meta_unreachable');
    expect(failure.message).toContain('resumes');
  });
});
