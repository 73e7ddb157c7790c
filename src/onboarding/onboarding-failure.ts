import { type GraphError, isGraphError } from '../whatsapp/graph/index.ts';
import type { OnboardingStep } from './onboarding-steps.ts';

/** Why a step failed: a closed set, so that pages and clients can branch on it; the message is for people. */
export const onboardingFailureReasons = [
  'code_missing',
  'code_expired',
  'code_used',
  'code_invalid',
  'app_credentials',
  'token_invalid',
  'permission_missing',
  'no_waba_shared',
  'waba_ambiguous',
  'waba_not_shared',
  'number_not_found',
  'number_ambiguous',
  'pin_required',
  'pin_mismatch',
  'already_connected_elsewhere',
  'meta_busy',
  'meta_refused',
  'meta_unreachable',
] as const;
export type OnboardingFailureReason = (typeof onboardingFailureReasons)[number];

export interface OnboardingFailure {
  step: OnboardingStep;
  reason: OnboardingFailureReason;
  /** What happened and what to do, in words a customer can act on. */
  message: string;
  /** Meta's own answer, when it came from Meta. */
  meta: {
    code: number | null;
    subcode: number | null;
    message: string | null;
    fbtraceId: string | null;
  } | null;
  /** The permissions missing, by name (permission_missing). */
  missingPermissions?: string[];
}

/** A step's refusal: thrown by a step, recorded on the onboarding, shown to the customer. */
export class OnboardingStepError extends Error {
  readonly reason: OnboardingFailureReason;
  readonly missingPermissions: string[] | undefined;
  readonly graphError: GraphError | undefined;
  constructor(
    reason: OnboardingFailureReason,
    message: string,
    options: { missingPermissions?: string[]; graphError?: GraphError } = {},
  ) {
    super(message);
    this.name = 'OnboardingStepError';
    this.reason = reason;
    this.missingPermissions = options.missingPermissions;
    this.graphError = options.graphError;
  }
}

const stepWords: Record<OnboardingStep, string> = {
  'exchange-code': 'exchanging the signup code for an access token',
  'check-token': 'checking the access token',
  'discover-assets': 'finding the WhatsApp Business Account and its number',
  'save-connection': 'saving the connection',
  'subscribe-app': 'subscribing Coxcox to the account’s webhooks',
  'register-number': 'registering the number for the Cloud API',
  'sync-templates': 'reading the message templates',
};

const retryNote = 'Try again in a few minutes: the setup resumes from this step.';

/** Turns whatever a step threw into a failure that names the step and says what to do. */
export function describeFailure(step: OnboardingStep, error: unknown): OnboardingFailure {
  const what = stepWords[step];
  if (error instanceof OnboardingStepError) {
    return {
      step,
      reason: error.reason,
      message: `Stopped while ${what}: ${error.message}`,
      meta: error.graphError ? metaOf(error.graphError) : null,
      ...(error.missingPermissions ? { missingPermissions: error.missingPermissions } : {}),
    };
  }
  if (!isGraphError(error)) {
    return {
      step,
      reason: 'meta_unreachable',
      message: `Stopped while ${what}: ${error instanceof Error ? error.message : String(error)}. ${retryNote}`,
      meta: null,
    };
  }
  const meta = metaOf(error);
  const said = error.metaMessage ?? error.details ?? error.message;
  const failure = (reason: OnboardingFailureReason, message: string): OnboardingFailure => ({
    step,
    reason,
    message: `Stopped while ${what}: ${message}`,
    meta,
  });
  if (step === 'exchange-code') {
    // Graph's code answers: 100 with subcode 36007 (expired) or 36009 (used); 1 and 101 for the app itself.
    if (error.subcode === 36007)
      return failure(
        'code_expired',
        'the signup code expired before it could be used (Meta’s codes live about 30 seconds). Open the setup link and run the signup again.',
      );
    if (error.subcode === 36009)
      return failure(
        'code_used',
        'this signup code was already used. Open the setup link and run the signup again.',
      );
    if (error.code === 1 || error.code === 101) {
      return failure(
        'app_credentials',
        `Meta did not accept Coxcox’s app credentials (${said}). The Coxcox operator must check the app id and app secret.`,
      );
    }
    if (error.code === 100)
      return failure('code_invalid', `Meta did not accept the signup code (${said}). Run the signup again.`);
  }
  switch (error.category) {
    case 'token-invalid':
      return failure(
        'token_invalid',
        `Meta no longer accepts the access token (${said}). Run the signup again, or paste a new system user token.`,
      );
    case 'retry-later':
      return error.reason === 'meta-error' || error.reason === 'http-status'
        ? failure('meta_busy', `Meta asked us to slow down or had a problem (${said}). ${retryNote}`)
        : failure('meta_unreachable', `Meta could not be reached (${said}). ${retryNote}`);
    default:
      break;
  }
  if (error.code === 10 || (error.code !== null && error.code >= 200 && error.code <= 299)) {
    return failure(
      'permission_missing',
      `Meta says Coxcox lacks a permission for this (${said}). Grant whatsapp_business_management and whatsapp_business_messaging to the app, then try again.`,
    );
  }
  // Two-step verification PIN mismatch (Meta, "Error codes": 133005).
  if (step === 'register-number' && error.code === 133005) {
    return failure(
      'pin_mismatch',
      'the number already has a two-step verification PIN, and it is not the one given. Send the right PIN (or reset it in WhatsApp Manager), then try again.',
    );
  }
  return failure(
    'meta_refused',
    `Meta refused it (${said}${error.code === null ? '' : `, code ${error.code}`}). Fix what Meta names, then try again.`,
  );
}

function metaOf(error: GraphError): OnboardingFailure['meta'] {
  return {
    code: error.code,
    subcode: error.subcode,
    message: error.metaMessage ?? error.details,
    fbtraceId: error.fbtraceId,
  };
}
