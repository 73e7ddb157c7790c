/**
 * Onboarding client companies: setup links to Meta's Embedded Signup (the simulator plays Meta in the
 * sandbox), manual connections checked with the Graph API, resumable steps, and disconnects.
 */
export {
  type CreateOnboardingOptions,
  createOnboarding,
  type OnboardingDomain,
} from './create-onboarding.ts';
export { type DisconnectInput, type DisconnectResult, disconnectNumber } from './disconnect-number.ts';
export {
  describeFailure,
  type OnboardingFailure,
  type OnboardingFailureReason,
  onboardingFailureReasons,
} from './onboarding-failure.ts';
export { onboardingMigrations } from './onboarding-migrations.ts';
export { type OnboardingMethod, type OnboardingStep, onboardingSteps } from './onboarding-steps.ts';
export {
  type ManualConnectionInput,
  Onboardings,
  type OnboardingView,
  type SignupInput,
} from './onboardings.ts';
export { type SandboxSignup, simulatorSignup } from './sandbox-signup.ts';
export {
  type CreatedSetupLink,
  DEFAULT_SETUP_LINK_TTL_MS,
  SetupLinks,
  type SetupLinkView,
} from './setup-links.ts';
