/**
 * Health of each connected number: token, webhooks, quality, messaging limit, throughput, account
 * updates and the Graph API version, with an event for every change and a scheduled check with Meta.
 */
export {
  assessNumberHealth,
  DISCONNECTED_PROBLEM_PREFIX,
  type HealthCheck,
  type HealthCheckName,
  type HealthInputs,
  type HealthStatus,
  overallStatus,
  TOKEN_EXPIRY_WARNING_MS,
} from './assess-number-health.ts';
export { type CheckWabaHealthDeps, checkWabaHealth } from './check-waba-health.ts';
export { type CreateHealthOptions, createHealth, type HealthDomain } from './create-health.ts';
export { describeTokenError, findMissingPermissions } from './find-missing-permissions.ts';
export { graphApiVersions, VERSION_WARNING_MS, versionRetirement } from './graph-api-versions.ts';
export {
  DEFAULT_HEALTH_SCHEDULE,
  HEALTH_CHECK_WABA_JOB,
  HEALTH_SWEEP_JOB,
  type HealthScheduleOptions,
  scheduleHealthSweep,
} from './health-check-jobs.ts';
export { healthMigrations } from './health-migrations.ts';
export type { HealthEventView, NumberHealthView } from './number-health.ts';
export { BACKGROUND_CALLS_PER_WABA_HOUR } from './waba-call-budget.ts';
