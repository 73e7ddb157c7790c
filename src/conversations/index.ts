export { messageError, messageReadRoutes, toMessageView } from './message-routes.ts';
export { phoneSearchDigits } from './phone-search-digits.ts';
export { type CallRecord, recordCall } from './record-call.ts';
export { type EchoedMessageRecord, recordEchoedMessage } from './record-echoed-message.ts';
export {
  type ContactKey,
  type InboundMessageRecord,
  recordInboundMessage,
  recordStatus,
  type StatusRecord,
  upsertContact,
  upsertConversation,
} from './record-inbound.ts';
export { statusRank } from './status-rank.ts';
export { usernameSearchText } from './username-search-text.ts';
