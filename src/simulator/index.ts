/**
 * The Cloud API simulator: a local WhatsApp Cloud API (Graph endpoints, signed webhooks, simulated
 * customers, fault injection) for running Coxcox with no Meta account, and for our tests.
 */

export type { GrantOptions } from './access-tokens.ts';
export type { QualityChange } from './account-events.ts';
export { runSimulatorCli, SimulatorCliError, type SimulatorCliIo } from './cli.ts';
export { createSimulator, type PhoneNumberPatch, type Simulator } from './create-simulator.ts';
export type { CustomerMessage, InboundMediaType } from './customers.ts';
export {
  DEFAULT_ACCESS_TOKEN,
  DEFAULT_DISPLAY_PHONE_NUMBER,
  DEFAULT_PHONE_NUMBER_ID,
  DEFAULT_WABA_ID,
  defaultTemplates,
  defaultWabas,
} from './default-business.ts';
export type { IssuedSignup, SignupInput } from './embedded-signup.ts';
export { hubSignature256 } from './hub-signature.ts';
export { metaJson } from './meta-json.ts';
export { SimulatorOptionError } from './simulator-config.ts';
export type { SimulatorAdjustments } from './simulator-controls.ts';
export type * from './simulator-options.ts';
export type { Counts, SentRecord, SimulatorState } from './simulator-state.ts';
export {
  type ReceivedWebhook,
  startWebhookReceiver,
  type WebhookReceiver,
  type WebhookStatus,
} from './start-webhook-receiver.ts';
export type { TemplateRecord } from './template-registry.ts';
