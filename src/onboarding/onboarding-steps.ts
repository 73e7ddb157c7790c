/**
 * The steps of connecting a number, in order. Each is idempotent and recorded when done, so a rerun
 * skips what is done and resumes at the step that failed.
 */
export const onboardingSteps = [
  'exchange-code',
  'check-token',
  'discover-assets',
  'save-connection',
  'subscribe-app',
  'register-number',
  'sync-templates',
] as const;
export type OnboardingStep = (typeof onboardingSteps)[number];

/** Embedded Signup starts from a code; a manual connection from a pasted token. */
export type OnboardingMethod = 'embedded_signup' | 'manual';

export function stepsFor(method: OnboardingMethod): readonly OnboardingStep[] {
  return method === 'embedded_signup'
    ? onboardingSteps
    : onboardingSteps.filter((step) => step !== 'exchange-code');
}

export type StepState = 'pending' | 'done' | 'skipped' | 'failed';

export interface StepRecord {
  state: Exclude<StepState, 'pending'>;
  /** Epoch ms. */
  at: number;
  /** What the step learned or did (ids, names, counts): never a secret. */
  detail?: Record<string, unknown>;
}
