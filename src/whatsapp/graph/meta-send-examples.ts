import type { OutboundMessage, TemplateComponent, TemplateParameter } from './outbound-message.ts';

/**
 * Meta's own send examples (facebook/openapi business-messaging-api_v23.0.yaml, extracted to
 * /work/shared/fixtures/facebook-openapi/send-message-requests), each rebuilt through our
 * OutboundMessage. Test data: the tests check that our body equals Meta's, example by example.
 */
export interface MetaSendExample {
  file: string;
  message: OutboundMessage;
  replyToWamid?: string;
}

/** The examples we do not build, and why; a new example file must land in one of the two lists. */
export const skippedMetaSendExamples: Readonly<Record<string, string>> = {
  'send_catalog_message.json': 'commerce (catalog) messages are out of scope',
  'send_catalog_template_message.json': 'commerce (catalog) template buttons are out of scope',
  'send_multi_product_message.json': 'commerce (multi-product) messages are out of scope',
  'send_single_product_message.json': 'commerce (single product) messages are out of scope',
  'send_order_details_message.json': 'payments (order details, India and Singapore) are out of scope',
  'send_order_status_message.json': 'payments (order status, India and Singapore) are out of scope',
  'send_sample_issue_resolution_template.json':
    'not a valid send: quick-reply buttons carry a payload, and this example puts booleans in text parameters',
  'send_typing_indicator_and_read_receipt.json': 'a mark-as-read body, checked with buildMarkReadBody',
};

const recipient = '{{Recipient-Phone-Number}}';
const replyTarget = '<MSGID_OF_MSG_YOU_ARE_REPLYING_TO>';
const previousMessage = '<MSGID_OF_PREV_MSG>';

const sampleBodyParameters: TemplateParameter[] = [
  { type: 'text', text: 'text-string' },
  { type: 'currency', currency: { fallbackValue: '$100.99', code: 'USD', amount1000: 100990 } },
  {
    type: 'date_time',
    dateTime: {
      fallbackValue: 'February 25, 1977',
      calendar: 'GREGORIAN',
      dayOfMonth: 25,
      dayOfWeek: 5,
      hour: 15,
      minute: 33,
      month: 2,
      year: 1977,
    },
  },
];

const imageHeader: TemplateComponent = {
  type: 'header',
  parameters: [{ type: 'image', image: { link: 'http(s)://the-image-url' } }],
};

const contactCard = {
  name: {
    formattedName: 'John Smith',
    firstName: 'John',
    lastName: 'Smith',
    middleName: 'D.',
    prefix: 'Dr',
    suffix: 'Jr',
  },
  addresses: [
    {
      city: 'Menlo Park',
      country: 'United States',
      countryCode: 'us',
      state: 'CA',
      street: '1 Hacker Way',
      type: 'HOME',
      zip: '94025',
    },
    {
      city: 'Menlo Park',
      country: 'United States',
      countryCode: 'us',
      state: 'CA',
      street: '200 Jefferson Dr',
      type: 'WORK',
      zip: '94025',
    },
  ],
  birthday: '2012-08-18',
  emails: [
    { email: 'test@fb.com', type: 'WORK' },
    { email: 'test@whatsapp.com', type: 'HOME' },
  ],
  org: { company: 'WhatsApp', department: 'Design', title: 'Manager' },
  phones: [
    { phone: '+1 (940) 555-1234', type: 'HOME' },
    { phone: '+1 (650) 555-1234', type: 'WORK', waId: '16505551234' },
  ],
  urls: [
    { type: 'WORK', url: 'https://www.facebook.com' },
    { type: 'HOME', url: 'https://www.whatsapp.com' },
  ],
};

const listSections = [1, 2].map((section) => ({
  title: `<LIST_SECTION_${section}_TITLE>`,
  rows: [1, 2].map((row) => ({
    id: `<LIST_SECTION_${section}_ROW_${row}_ID>`,
    title: `<SECTION_${section}_ROW_${row}_TITLE>`,
    description: `<SECTION_${section}_ROW_${row}_DESC>`,
  })),
}));

const listMessage: OutboundMessage = {
  to: recipient,
  type: 'interactive',
  interactive: {
    type: 'list',
    header: { type: 'text', text: '<HEADER_TEXT>' },
    body: '<BODY_TEXT>',
    footer: '<FOOTER_TEXT>',
    buttonText: '<BUTTON_TEXT>',
    sections: listSections,
  },
};

function flowMessage(
  reference: { flowId: string } | { flowName: string },
  mode: 'draft' | undefined,
): OutboundMessage {
  const isDraft = mode === 'draft';
  const text = (placeholder: string) => (isDraft ? 'Not shown in draft mode' : placeholder);
  return {
    to: recipient,
    type: 'interactive',
    interactive: {
      type: 'flow',
      header: { type: 'text', text: text('<HEADER_TEXT>') },
      body: text('<BODY_TEXT>'),
      footer: text('<FOOTER_TEXT>'),
      flow: {
        ...reference,
        cta: isDraft ? 'Not shown in draft mode' : 'Open Flow!',
        token: '<FLOW_TOKEN>',
        messageVersion: '3',
        ...(mode === undefined ? {} : { mode }),
        action: 'navigate',
        screen: '<SCREEN_ID>',
        data: { '<CUSTOM_KEY>': '<CUSTOM_VALUE>' },
      },
    },
  };
}

export const metaSendExamples: MetaSendExample[] = [
  {
    file: 'send_audio_message_by_id.json',
    message: { to: recipient, type: 'audio', audio: { id: '<AUDIO_OBJECT_ID>' } },
  },
  {
    file: 'send_audio_message_by_url.json',
    message: { to: recipient, type: 'audio', audio: { link: '<http(s)://audio-url>' } },
  },
  {
    file: 'send_contact_message.json',
    message: { to: recipient, type: 'contacts', contacts: [contactCard] },
  },
  {
    file: 'send_document_message_by_id.json',
    message: {
      to: recipient,
      type: 'document',
      document: {
        id: '<DOCUMENT_OBJECT_ID>',
        caption: '<DOCUMENT_CAPTION_TO_SEND>',
        filename: '<DOCUMENT_FILENAME>',
      },
    },
  },
  {
    file: 'send_document_message_by_url.json',
    message: {
      to: recipient,
      type: 'document',
      document: { link: '<http(s)://document-url>', caption: '<DOCUMENT-CAPTION-TEXT>' },
    },
  },
  { file: 'send_draft_flow_by_id.json', message: flowMessage({ flowId: '{{Flow-ID}}' }, 'draft') },
  { file: 'send_draft_flow_by_name.json', message: flowMessage({ flowName: '{{Flow-Name}}' }, 'draft') },
  { file: 'send_published_flow_by_id.json', message: flowMessage({ flowId: '{{Flow-ID}}' }, undefined) },
  {
    file: 'send_published_flow_by_name.json',
    message: flowMessage({ flowName: '{{Flow-Name}}' }, undefined),
  },
  {
    file: 'send_flow_template_message.json',
    message: {
      to: recipient,
      type: 'template',
      template: {
        name: '<TEMPLATE_NAME>',
        languageCode: 'en_US',
        components: [
          {
            type: 'button',
            subType: 'flow',
            index: 0,
            parameters: [
              {
                type: 'action',
                action: { flowToken: '<FLOW_TOKEN>', flowActionData: { '<CUSTOM_KEY>': '<CUSTOM_VALUE>' } },
              },
            ],
          },
        ],
      },
    },
  },
  {
    file: 'send_image_message_by_id.json',
    message: { to: recipient, type: 'image', image: { id: '<IMAGE_OBJECT_ID>' } },
  },
  {
    file: 'send_image_message_by_url.json',
    message: { to: recipient, type: 'image', image: { link: 'http(s)://image-url' } },
  },
  { file: 'send_list_message.json', message: listMessage },
  {
    file: 'send_location_message.json',
    message: {
      to: recipient,
      type: 'location',
      location: {
        latitude: 37.758056,
        longitude: -122.425332,
        name: 'META HQ',
        address: '1 Hacker Way, Menlo Park, CA 94025',
      },
    },
  },
  {
    file: 'send_message_template_interactive.json',
    message: {
      to: recipient,
      type: 'template',
      template: {
        name: 'template-name',
        languageCode: 'language-and-locale-code',
        components: [
          imageHeader,
          { type: 'body', parameters: sampleBodyParameters },
          {
            type: 'button',
            subType: 'quick_reply',
            index: 0,
            parameters: [{ type: 'payload', payload: 'aGlzIHRoaXMgaXMgY29v' }],
          },
          {
            type: 'button',
            subType: 'quick_reply',
            index: 1,
            parameters: [{ type: 'payload', payload: '9rwnB8RbYmPF5t2Mn09x4h' }],
          },
        ],
      },
    },
  },
  {
    file: 'send_message_template_media.json',
    message: {
      to: recipient,
      type: 'template',
      template: {
        name: 'template-name',
        languageCode: 'language-and-locale-code',
        components: [imageHeader, { type: 'body', parameters: sampleBodyParameters }],
      },
    },
  },
  ...[
    'send_message_template_text.json',
    'send_sample_shipping_confirmation_template.json',
    'send_sample_text_message.json',
  ].map(
    (file): MetaSendExample => ({
      file,
      message: {
        to: file === 'send_message_template_text.json' ? recipient : '16315555555',
        type: 'template',
        template: {
          name: 'template-name',
          languageCode: 'language-and-locale-code',
          components: [{ type: 'body', parameters: sampleBodyParameters }],
        },
      },
    }),
  ),
  {
    file: 'send_reply_button.json',
    message: {
      to: recipient,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: '<BUTTON_TEXT>',
        buttons: [
          { id: '<UNIQUE_BUTTON_ID_1>', title: '<BUTTON_TITLE_1>' },
          { id: '<UNIQUE_BUTTON_ID_2>', title: '<BUTTON_TITLE_2>' },
        ],
      },
    },
  },
  {
    file: 'send_reply_to_audio_message_by_id.json',
    message: { to: recipient, type: 'audio', audio: { id: '<AUDIO_OBJECT_ID>' } },
    replyToWamid: replyTarget,
  },
  {
    file: 'send_reply_to_audio_message_by_url.json',
    message: { to: recipient, type: 'audio', audio: { link: 'http(s)://audio-url' } },
    replyToWamid: replyTarget,
  },
  {
    file: 'send_reply_to_contact_message.json',
    message: { to: recipient, type: 'contacts', contacts: [contactCard] },
    replyToWamid: previousMessage,
  },
  {
    file: 'send_reply_to_document_message_by_id.json',
    message: {
      to: recipient,
      type: 'document',
      document: {
        id: '<DOCUMENT_OBJECT_ID>',
        caption: '<DOCUMENT_CAPTION_TO_SEND>',
        filename: '<DOCUMENT_FILENAME>',
      },
    },
    replyToWamid: replyTarget,
  },
  {
    file: 'send_reply_to_document_message_by_url.json',
    message: {
      to: recipient,
      type: 'document',
      document: { link: '<http(s)://document-url>', caption: '<DOCUMENT_CAPTION_TEXT>' },
    },
    replyToWamid: replyTarget,
  },
  {
    file: 'send_reply_to_image_message_by_id.json',
    message: { to: recipient, type: 'image', image: { id: '<IMAGE_OBJECT_ID>' } },
    replyToWamid: previousMessage,
  },
  {
    file: 'send_reply_to_image_message_by_url.json',
    message: { to: recipient, type: 'image', image: { link: 'http(s)://image-url' } },
    replyToWamid: previousMessage,
  },
  { file: 'send_reply_to_list_message.json', message: listMessage, replyToWamid: previousMessage },
  {
    file: 'send_reply_to_location_message.json',
    message: {
      to: recipient,
      type: 'location',
      location: {
        latitude: 37.758056,
        longitude: -122.425332,
        name: 'META HQ',
        address: '1 Hacker Way, Menlo Park, CA 94025',
      },
    },
    replyToWamid: previousMessage,
  },
  {
    file: 'send_reply_to_sticker_message_by_id.json',
    message: { to: recipient, type: 'sticker', sticker: { id: '<MEDIA_OBJECT_ID>' } },
    replyToWamid: replyTarget,
  },
  {
    file: 'send_reply_to_sticker_message_by_url.json',
    message: { to: recipient, type: 'sticker', sticker: { link: '<http(s)://sticker-url>' } },
    replyToWamid: replyTarget,
  },
  {
    file: 'send_reply_to_text_message.json',
    message: { to: recipient, type: 'text', text: { body: '<TEXT_MSG_CONTENT>', previewUrl: false } },
    replyToWamid: previousMessage,
  },
  {
    file: 'send_reply_to_video_message_by_id.json',
    message: {
      to: recipient,
      type: 'video',
      video: { id: '<VIDEO_OBJECT_ID>', caption: '<VIDEO_CAPTION_TEXT>' },
    },
    replyToWamid: replyTarget,
  },
  {
    file: 'send_reply_to_video_message_by_url.json',
    message: {
      to: recipient,
      type: 'video',
      video: { link: '<http(s)://video-url>', caption: '<VIDEO_CAPTION_TEXT>' },
    },
    replyToWamid: replyTarget,
  },
  {
    file: 'send_reply_with_reaction_message.json',
    message: { to: recipient, type: 'reaction', reaction: { messageId: 'wamid.HBgLM...', emoji: '😀' } },
  },
  {
    file: 'send_sticker_message_by_id.json',
    message: { to: recipient, type: 'sticker', sticker: { id: '<MEDIA_OBJECT_ID>' } },
  },
  {
    file: 'send_sticker_message_by_url.json',
    message: { to: recipient, type: 'sticker', sticker: { link: '<http(s)://sticker-url>' } },
  },
  {
    file: 'send_test_message.json',
    message: { to: recipient, type: 'template', template: { name: 'hello_world', languageCode: 'en_US' } },
  },
  {
    file: 'send_text_message.json',
    message: { to: recipient, type: 'text', text: { body: 'text-message-content' } },
  },
  {
    file: 'send_text_message_with_preview_url.json',
    message: {
      to: recipient,
      type: 'text',
      text: { body: 'Please visit https://youtu.be/hpltvTEiRrY.', previewUrl: true },
    },
  },
  {
    file: 'send_video_message_by_id.json',
    message: {
      to: recipient,
      type: 'video',
      video: { id: '<VIDEO_OBJECT_ID>', caption: '<VIDEO_CAPTION_TEXT>' },
    },
  },
  {
    file: 'send_video_message_by_url.json',
    message: {
      to: recipient,
      type: 'video',
      video: { link: '<http(s)://video-url>', caption: '<VIDEO_CAPTION_TEXT>' },
    },
  },
];

const payloadTypes = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'template',
  'interactive',
  'reaction',
  'location',
  'contacts',
];

/**
 * Some of Meta's examples leave out fields that the schema defaults and that we always send:
 * `recipient_type` (defaults to `individual`) and `type` (send_text_message_with_preview_url and
 * send_reply_to_list_message omit it). We add them back, taken from the example's own payload key.
 */
export function normalizeMetaSendExample(example: Record<string, unknown>): Record<string, unknown> {
  const normalized = { ...example };
  normalized.recipient_type ??= 'individual';
  normalized.type ??= payloadTypes.find((type) => type in example);
  return normalized;
}

/** Where the shared fixtures are, relative to this folder: /work/shared next to the repository. */
export const metaFixturesUrl = new URL('../../../../shared/fixtures/facebook-openapi/', import.meta.url);
