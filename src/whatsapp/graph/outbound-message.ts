/**
 * A message we send, in our own camelCase words. `buildSendBody` turns it into Meta's JSON body for
 * `POST /{phone-number-id}/messages`. Shapes follow Meta's OpenAPI request examples
 * (github.com/facebook/openapi, business-messaging-api_v23.0.yaml) and Meta's "Service messages" page;
 * limits in comments come from Meta's interactive reply-button, list and CTA-URL message pages
 * (developers.facebook.com/documentation/business-messaging/whatsapp/messages/…).
 */
export type OutboundMessage =
  | TextMessage
  | ImageMessage
  | AudioMessage
  | VideoMessage
  | DocumentMessage
  | StickerMessage
  | TemplateMessage
  | InteractiveMessage
  | ReactionMessage
  | LocationMessage
  | ContactsMessage;

export type OutboundMessageType = OutboundMessage['type'];

interface Recipient {
  /** The customer's phone number, with `+` and country code (Meta prepends the sender's own code otherwise). */
  to: string;
}

/** An uploaded media id (recommended at high throughput) or a public link Meta fetches and caches 10 min. */
export type MediaReference = { id: string; link?: undefined } | { link: string; id?: undefined };

export interface TextMessage extends Recipient {
  type: 'text';
  /** body: up to 4,096 characters. previewUrl renders a preview of the first URL; false by default. */
  text: { body: string; previewUrl?: boolean };
}

export interface ImageMessage extends Recipient {
  type: 'image';
  image: MediaReference & { caption?: string };
}

export interface AudioMessage extends Recipient {
  type: 'audio';
  audio: MediaReference;
}

export interface VideoMessage extends Recipient {
  type: 'video';
  video: MediaReference & { caption?: string };
}

export interface DocumentMessage extends Recipient {
  type: 'document';
  document: MediaReference & { caption?: string; filename?: string };
}

export interface StickerMessage extends Recipient {
  type: 'sticker';
  sticker: MediaReference;
}

export interface TemplateMessage extends Recipient {
  type: 'template';
  template: {
    name: string;
    /** `en_US`, `pt_BR`…: the language the template was approved in. */
    languageCode: string;
    /** Omitted for a template without variables. */
    components?: TemplateComponent[];
  };
}

export type TemplateComponent =
  | { type: 'header'; parameters: TemplateParameter[] }
  | { type: 'body'; parameters: TemplateParameter[] }
  | {
      type: 'button';
      /** Copy-code (OTP) buttons are sent as `url`: Meta rejects `copy_code` at send time. */
      subType: 'quick_reply' | 'url' | 'flow';
      /** Position of the button in the template, from 0. */
      index: number;
      parameters: TemplateParameter[];
    };

export type TemplateParameter =
  /** parameterName is set for templates created with `parameter_format: named`. */
  | { type: 'text'; text: string; parameterName?: string }
  | {
      type: 'currency';
      currency: { fallbackValue: string; code: string; amount1000: number };
      parameterName?: string;
    }
  | { type: 'date_time'; dateTime: TemplateDateTime; parameterName?: string }
  | { type: 'image'; image: MediaReference }
  | { type: 'video'; video: MediaReference }
  | { type: 'document'; document: MediaReference & { filename?: string } }
  | { type: 'location'; location: Location }
  /** A quick-reply payload: it comes back in the customer's `button` message. */
  | { type: 'payload'; payload: string }
  /** A flow button's token and initial data. */
  | { type: 'action'; action: { flowToken?: string; flowActionData?: Record<string, unknown> } };

/** Meta renders fallbackValue; the other fields are accepted for older clients. */
export interface TemplateDateTime {
  fallbackValue: string;
  calendar?: 'GREGORIAN' | 'SOLAR_HIJRI';
  year?: number;
  month?: number;
  dayOfMonth?: number;
  dayOfWeek?: number;
  hour?: number;
  minute?: number;
}

export interface InteractiveMessage extends Recipient {
  type: 'interactive';
  interactive: ReplyButtonsInteractive | ListInteractive | CallToActionUrlInteractive | FlowInteractive;
}

export type InteractiveHeader =
  /** text: up to 60 characters. */
  | { type: 'text'; text: string }
  | { type: 'image'; image: MediaReference }
  | { type: 'video'; video: MediaReference }
  | { type: 'document'; document: MediaReference & { filename?: string } };

interface InteractiveFrame {
  header?: InteractiveHeader;
  /** Up to 1,024 characters (4,096 for a list). */
  body: string;
  /** Up to 60 characters. */
  footer?: string;
}

export interface ReplyButtonsInteractive extends InteractiveFrame {
  type: 'button';
  /** Up to 3 buttons; id up to 256 characters, title up to 20 and unique. */
  buttons: { id: string; title: string }[];
}

export interface ListInteractive extends InteractiveFrame {
  type: 'list';
  header?: { type: 'text'; text: string };
  /** The label of the button that opens the list, up to 20 characters. */
  buttonText: string;
  /** Up to 10 sections and 10 rows in all; row title up to 24, description up to 72. */
  sections: { title?: string; rows: { id: string; title: string; description?: string }[] }[];
}

export interface CallToActionUrlInteractive extends InteractiveFrame {
  type: 'cta_url';
  /** Up to 20 characters. */
  displayText: string;
  url: string;
}

export interface FlowInteractive extends InteractiveFrame {
  type: 'flow';
  flow: FlowReference & {
    /** The button label. */
    cta: string;
    /** Echoed back in the flow's completion message, to tie it to our record. */
    token?: string;
    /** `3` unless told otherwise; Meta requires it. */
    messageVersion?: string;
    /** Omitted means published. */
    mode?: 'draft' | 'published';
    action?: 'navigate' | 'data_exchange';
    /** First screen and its data, for `navigate`. */
    screen?: string;
    data?: Record<string, unknown>;
  };
}

export type FlowReference =
  | { flowId: string; flowName?: undefined }
  | { flowName: string; flowId?: undefined };

export interface ReactionMessage extends Recipient {
  type: 'reaction';
  /** An empty emoji removes our reaction. A reaction only ever gets a `sent` status. */
  reaction: { messageId: string; emoji: string };
}

export interface Location {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
}

export interface LocationMessage extends Recipient {
  type: 'location';
  location: Location;
}

export interface ContactsMessage extends Recipient {
  type: 'contacts';
  contacts: ContactCard[];
}

export interface ContactCard {
  name: {
    formattedName: string;
    firstName?: string;
    lastName?: string;
    middleName?: string;
    prefix?: string;
    suffix?: string;
  };
  phones?: { phone: string; type?: string; waId?: string }[];
  emails?: { email: string; type?: string }[];
  addresses?: {
    street?: string;
    city?: string;
    state?: string;
    zip?: string;
    country?: string;
    countryCode?: string;
    type?: string;
  }[];
  org?: { company?: string; department?: string; title?: string };
  urls?: { url: string; type?: string }[];
  /** `YYYY-MM-DD`. */
  birthday?: string;
}
