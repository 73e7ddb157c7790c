export {
  buildMarkReadBody,
  buildSendBody,
  maxCallbackDataLength,
  type SendMessageBody,
} from './build-send-body.ts';
export type {
  BusinessAccount,
  BusinessPhoneNumber,
  CallOptions,
  CreatedTemplate,
  DownloadedMedia,
  ExchangedToken,
  GraphClient,
  ListTemplatesOptions,
  MarkReadOptions,
  MediaInfo,
  MediaUpload,
  MessageTemplate,
  SendOptions,
  SentMessage,
  SubscribedApp,
  TemplateComponentDefinition,
  TemplateDraft,
  TokenDebugInfo,
} from './graph-client.ts';
export { requiredPermissions } from './graph-client.ts';
export {
  type BackoffPolicy,
  backoffDelayMs,
  classifyGraphError,
  GraphError,
  type GraphErrorCategory,
  type GraphErrorInit,
  type GraphErrorReason,
  type GraphErrorRule,
  type GraphOutcome,
  isGraphError,
  type MetaErrorInput,
  marketingOptOutCode,
} from './graph-error.ts';
export {
  createGraphTarget,
  defaultGraphApiUrl,
  defaultGraphApiVersion,
  type GraphAccess,
  type GraphApp,
  type GraphTarget,
} from './graph-target.ts';
export { matchesSha256, sha256Hex } from './media-sha256.ts';
export type * from './outbound-message.ts';
export { UndiciGraphClient, type UndiciGraphClientOptions } from './undici-graph-client.ts';
