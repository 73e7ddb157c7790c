import { GraphError } from './graph-error.ts';
import type {
  ContactCard,
  FlowInteractive,
  InteractiveHeader,
  InteractiveMessage,
  Location,
  MediaReference,
  OutboundMessage,
  TemplateComponent,
  TemplateParameter,
} from './outbound-message.ts';

/** Meta's JSON body for `POST /{phone-number-id}/messages`. */
export type SendMessageBody = Record<string, unknown>;

/** Meta echoes up to 512 characters of `biz_opaque_callback_data` in status webhooks (OpenAPI spec v23.0). */
export const maxCallbackDataLength = 512;

/**
 * Builds the send body exactly as Meta's request examples have it:
 * `{messaging_product, recipient_type, to, type, <type>: {…}, context?, biz_opaque_callback_data?}`.
 * Throws a `fix-request` GraphError for a request Meta would refuse anyway.
 */
export function buildSendBody(
  message: OutboundMessage,
  options: { bizOpaqueCallbackData?: string | undefined; replyToWamid?: string | undefined } = {},
): SendMessageBody {
  const callbackData = options.bizOpaqueCallbackData;
  if (callbackData !== undefined && callbackData.length > maxCallbackDataLength) {
    throw GraphError.invalidRequest(
      `biz_opaque_callback_data is ${callbackData.length} characters; Meta accepts at most ${maxCallbackDataLength}`,
    );
  }
  if (message.to.trim() === '') throw GraphError.invalidRequest('the recipient (to) is empty');
  return compact({
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: message.to,
    type: message.type,
    [message.type]: buildPayload(message),
    context: options.replyToWamid === undefined ? undefined : { message_id: options.replyToWamid },
    biz_opaque_callback_data: callbackData,
  });
}

/** Mark as read, optionally with a typing bubble (Meta's "typing indicators" page). */
export function buildMarkReadBody(
  wamid: string,
  options: { typingIndicator?: boolean } = {},
): SendMessageBody {
  return compact({
    messaging_product: 'whatsapp',
    status: 'read',
    message_id: wamid,
    typing_indicator: options.typingIndicator ? { type: 'text' } : undefined,
  });
}

function buildPayload(message: OutboundMessage): unknown {
  switch (message.type) {
    case 'text':
      return { body: message.text.body, preview_url: message.text.previewUrl ?? false };
    case 'image':
      return compact({ ...mediaReference(message.image), caption: message.image.caption });
    case 'audio':
      return mediaReference(message.audio);
    case 'video':
      return compact({ ...mediaReference(message.video), caption: message.video.caption });
    case 'document':
      return compact({
        ...mediaReference(message.document),
        caption: message.document.caption,
        filename: message.document.filename,
      });
    case 'sticker':
      return mediaReference(message.sticker);
    case 'template':
      return compact({
        name: message.template.name,
        language: { code: message.template.languageCode },
        components: message.template.components?.map(templateComponent),
      });
    case 'interactive':
      return interactive(message.interactive);
    case 'reaction':
      return { message_id: message.reaction.messageId, emoji: message.reaction.emoji };
    case 'location':
      return location(message.location);
    case 'contacts':
      return message.contacts.map(contactCard);
  }
}

function mediaReference(media: MediaReference): Record<string, string> {
  if (media.id !== undefined) return { id: media.id };
  return { link: media.link };
}

function location(value: Location): Record<string, unknown> {
  return compact({
    latitude: value.latitude,
    longitude: value.longitude,
    name: value.name,
    address: value.address,
  });
}

function templateComponent(component: TemplateComponent): Record<string, unknown> {
  const parameters = component.parameters.map(templateParameter);
  if (component.type !== 'button') return { type: component.type, parameters };
  // Meta's examples send the button index as a string ("0").
  return { type: 'button', sub_type: component.subType, index: String(component.index), parameters };
}

function templateParameter(parameter: TemplateParameter): Record<string, unknown> {
  switch (parameter.type) {
    case 'text':
      return compact({ type: 'text', parameter_name: parameter.parameterName, text: parameter.text });
    case 'currency':
      return compact({
        type: 'currency',
        parameter_name: parameter.parameterName,
        currency: {
          fallback_value: parameter.currency.fallbackValue,
          code: parameter.currency.code,
          amount_1000: parameter.currency.amount1000,
        },
      });
    case 'date_time': {
      const dateTime = parameter.dateTime;
      return compact({
        type: 'date_time',
        parameter_name: parameter.parameterName,
        date_time: compact({
          fallback_value: dateTime.fallbackValue,
          calendar: dateTime.calendar,
          year: dateTime.year,
          month: dateTime.month,
          day_of_month: dateTime.dayOfMonth,
          day_of_week: dateTime.dayOfWeek,
          hour: dateTime.hour,
          minute: dateTime.minute,
        }),
      });
    }
    case 'image':
      return { type: 'image', image: mediaReference(parameter.image) };
    case 'video':
      return { type: 'video', video: mediaReference(parameter.video) };
    case 'document':
      return {
        type: 'document',
        document: compact({ ...mediaReference(parameter.document), filename: parameter.document.filename }),
      };
    case 'location':
      return { type: 'location', location: location(parameter.location) };
    case 'payload':
      return { type: 'payload', payload: parameter.payload };
    case 'action':
      return {
        type: 'action',
        action: compact({
          flow_token: parameter.action.flowToken,
          flow_action_data: parameter.action.flowActionData,
        }),
      };
  }
}

function interactiveHeader(header: InteractiveHeader): Record<string, unknown> {
  switch (header.type) {
    case 'text':
      return { type: 'text', text: header.text };
    case 'image':
      return { type: 'image', image: mediaReference(header.image) };
    case 'video':
      return { type: 'video', video: mediaReference(header.video) };
    case 'document':
      return {
        type: 'document',
        document: compact({ ...mediaReference(header.document), filename: header.document.filename }),
      };
  }
}

function interactive(value: InteractiveMessage['interactive']): Record<string, unknown> {
  const frame = {
    type: value.type,
    header: value.header === undefined ? undefined : interactiveHeader(value.header),
    body: { text: value.body },
    footer: value.footer === undefined ? undefined : { text: value.footer },
  };
  switch (value.type) {
    case 'button':
      return compact({
        ...frame,
        action: {
          buttons: value.buttons.map((button) => ({
            type: 'reply',
            reply: { id: button.id, title: button.title },
          })),
        },
      });
    case 'list':
      return compact({
        ...frame,
        action: {
          button: value.buttonText,
          sections: value.sections.map((section) =>
            compact({
              title: section.title,
              rows: section.rows.map((row) =>
                compact({ id: row.id, title: row.title, description: row.description }),
              ),
            }),
          ),
        },
      });
    case 'cta_url':
      return compact({
        ...frame,
        action: { name: 'cta_url', parameters: { display_text: value.displayText, url: value.url } },
      });
    case 'flow':
      return compact({ ...frame, action: { name: 'flow', parameters: flowParameters(value.flow) } });
  }
}

function flowParameters(flow: FlowInteractive['flow']): Record<string, unknown> {
  const hasPayload = flow.screen !== undefined || flow.data !== undefined;
  return compact({
    flow_message_version: flow.messageVersion ?? '3',
    flow_token: flow.token,
    flow_id: flow.flowId,
    flow_name: flow.flowName,
    flow_cta: flow.cta,
    mode: flow.mode,
    flow_action: flow.action,
    flow_action_payload: hasPayload ? compact({ screen: flow.screen, data: flow.data }) : undefined,
  });
}

function contactCard(card: ContactCard): Record<string, unknown> {
  return compact({
    name: compact({
      formatted_name: card.name.formattedName,
      first_name: card.name.firstName,
      last_name: card.name.lastName,
      middle_name: card.name.middleName,
      prefix: card.name.prefix,
      suffix: card.name.suffix,
    }),
    phones: card.phones?.map((phone) => compact({ phone: phone.phone, type: phone.type, wa_id: phone.waId })),
    emails: card.emails?.map((email) => compact({ email: email.email, type: email.type })),
    addresses: card.addresses?.map((address) =>
      compact({
        street: address.street,
        city: address.city,
        state: address.state,
        zip: address.zip,
        country: address.country,
        country_code: address.countryCode,
        type: address.type,
      }),
    ),
    org:
      card.org === undefined
        ? undefined
        : compact({ company: card.org.company, department: card.org.department, title: card.org.title }),
    urls: card.urls?.map((url) => compact({ url: url.url, type: url.type })),
    birthday: card.birthday,
  });
}

/** Drops undefined keys, so that optional fields are absent rather than null. */
function compact<T extends Record<string, unknown>>(value: T): T {
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry !== undefined) result[key] = entry;
  }
  return result as T;
}
