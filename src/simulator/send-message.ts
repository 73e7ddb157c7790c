import type { PhoneNumberRecord } from './business-directory.ts';
import type { OutboundRequest } from './check-send-body.ts';
import { checkTemplateSend } from './check-template-send.ts';
import { SimulatedGraphError, type StatusError, statusError } from './graph-error.ts';
import { normalizeRecipient } from './normalize-recipient.ts';
import type { BusinessMessageView } from './persona-reply.ts';
import type { SimulatorContext } from './simulator-context.ts';
import type { SentRecord } from './simulator-state.ts';
import type { DeliveryOutcome, Pricing } from './status-emitter.ts';
import type { TemplateRecord } from './template-registry.ts';

export interface SendResponse {
  messaging_product: 'whatsapp';
  contacts: Array<{ input: string; wa_id: string }>;
  messages: Array<{ id: string; message_status?: string }>;
}

function pricingFor(template: TemplateRecord | null, isWindowOpen: boolean): Pricing {
  if (!template) return { category: 'service', isBillable: false, type: 'free_customer_service' };
  const category = template.category.toLowerCase();
  // Utility templates inside an open window are free, like service replies (cloud-api-details.md §5.9).
  if (category === 'utility' && isWindowOpen)
    return { category, isBillable: false, type: 'free_customer_service' };
  return { category, isBillable: true, type: 'regular' };
}

function quickRepliesOf(
  template: TemplateRecord | null,
  request: OutboundRequest,
): BusinessMessageView['quickReplies'] {
  if (!template) return [];
  return template.buttons.flatMap((button, index) => {
    if (button.type !== 'QUICK_REPLY') return [];
    const component = request.template?.components.find(
      (entry) => entry.type === 'button' && entry.index === index,
    );
    const payload = component?.parameters.find((parameter) => parameter.type === 'payload')?.payload;
    return [{ text: button.text, payload: typeof payload === 'string' ? payload : button.text }];
  });
}

/**
 * Why an accepted message fails on its way to the phone, if it does. Meta reports these in a `failed`
 * status webhook, not in the send response.
 */
function asyncFailure(
  context: SimulatorContext,
  number: PhoneNumberRecord,
  request: OutboundRequest,
  waId: string,
  template: TemplateRecord | null,
  isWindowOpen: boolean,
  nowMs: number,
): StatusError | null {
  if (!template && !isWindowOpen) {
    return statusError(
      131047,
      'Re-engagement message',
      'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    );
  }
  if (context.undeliverable.has(waId)) {
    return statusError(
      131026,
      'Message undeliverable',
      'Unable to deliver message. The recipient is not a WhatsApp user or cannot receive this message.',
    );
  }
  if (template?.category === 'MARKETING' && context.customers.isMarketingStopped(number.id, waId)) {
    return statusError(
      131050,
      'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business',
      'The user stopped marketing messages from this business.',
    );
  }
  // Meta publishes no code for a number over its messaging limit; 131048 is the one it documents for
  // "restrictions on how many messages can be sent from this phone number".
  if (
    template &&
    !isWindowOpen &&
    !context.messagingLimit.tryReach(number.id, waId, number.messagingLimitTier, nowMs)
  ) {
    return statusError(
      131048,
      'Spam rate limit hit',
      `The number reached its messaging limit (${number.messagingLimitTier}) of customers in 24 hours.`,
    );
  }
  if (request.mediaId !== null && !context.media.get(request.mediaId)) {
    return statusError(
      131053,
      'Media upload error',
      `Media id ${request.mediaId} was not found. Upload it with POST /{phone-number-id}/media first.`,
    );
  }
  return null;
}

/**
 * `POST /{phone-number-id}/messages` once the body is well formed: the checks Meta makes at send time
 * (template 132001/132000, window 131047, throughput 130429, pair rate 131056), then acceptance: a
 * unique wamid, the counters, the status webhooks, and the persona's answer.
 */
export function sendMessage(
  context: SimulatorContext,
  number: PhoneNumberRecord,
  request: OutboundRequest,
): SendResponse {
  const { clock, config, state, windows } = context;
  const nowMs = clock.now();
  const waId = normalizeRecipient(request.to, config.placeholderRecipient);
  if (waId === number.displayDigits) throw new SimulatedGraphError(131021, 'The recipient is the sender.');
  const template = request.template
    ? checkTemplateSend(request.template, number.wabaId, context.templates)
    : null;
  const isWindowOpen = windows.isOpen(number.id, waId, nowMs, config.windowMs);
  if (!template && !isWindowOpen && config.windowErrorDelivery === 'response') {
    throw new SimulatedGraphError(
      131047,
      'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    );
  }
  if (!context.throughput.tryTake(number.id, number.messagesPerSecond, nowMs)) {
    throw new SimulatedGraphError(
      130429,
      `Cloud API message throughput (${number.messagesPerSecond}/s) has been reached.`,
    );
  }
  if (!context.pairRate.tryTake(number.id, waId, nowMs)) {
    throw new SimulatedGraphError(
      131056,
      'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
    );
  }

  const wamid = context.ids.wamid(waId, 'outbound');
  const pricing = pricingFor(template, isWindowOpen);
  const record: SentRecord = {
    id: wamid,
    phoneNumberId: number.id,
    wabaId: number.wabaId,
    recipient: waId,
    input: request.to,
    type: request.type,
    templateName: template?.name ?? null,
    templateLanguage: template?.language ?? null,
    category: pricing.category,
    bizOpaqueCallbackData: request.bizOpaqueCallbackData,
    timestamp: nowMs,
    text: request.text,
    statuses: [],
    request: request.content,
  };
  state.recordAccepted(record);

  const failure = asyncFailure(context, number, request, waId, template, isWindowOpen, nowMs);
  const outcome: DeliveryOutcome = failure
    ? { kind: 'failed', error: failure }
    : request.type === 'reaction'
      ? { kind: 'sent-only' }
      : context.customers.reads(waId)
        ? { kind: 'read' }
        : { kind: 'delivered' };
  context.statuses.emit(record, number, outcome, pricing);
  if (!failure) {
    context.customers.onBusinessMessage(number, waId, {
      wamid,
      type: request.type,
      text: request.text,
      choices: request.choices,
      interactiveType: request.interactiveType,
      quickReplies: quickRepliesOf(template, request),
    });
  }
  return {
    messaging_product: 'whatsapp',
    contacts: [{ input: request.to, wa_id: waId }],
    messages: [template ? { id: wamid, message_status: template.messageStatus } : { id: wamid }],
  };
}
