import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  hasSharedFixtures,
  SHARED_FIXTURES,
  sharedFixtureFiles,
} from '../../test/support/shared-fixtures.ts';
import { parseWebhook } from './parse-webhook.ts';
import type { ParseResult, WebhookEvent } from './webhook-events.ts';

// The shared fixtures live beside the repository (never copied into it): /work/shared/fixtures.
const FIXTURES = SHARED_FIXTURES;
const FOLDERS = ['facebook-openapi', 'netflie-whatsapp-cloud-api', 'piusalfred-whatsapp'] as const;

function fixtureBody(name: string): Buffer {
  const [folder, file] = name.split('/') as [string, string];
  return readFileSync(new URL(`${folder}/webhooks/${file}`, FIXTURES));
}

function allFixtureNames(): string[] {
  return FOLDERS.flatMap((folder) =>
    sharedFixtureFiles(new URL(`${folder}/webhooks/`, FIXTURES)).map((file) => `${folder}/${file}`),
  );
}

function parseOk(body: Buffer | string): { events: WebhookEvent[]; warnings: string[] } {
  const result = parseWebhook(body);
  if (!result.ok) throw new Error(`expected ok, got problem: ${result.problem}`);
  return result;
}

function notification(entries: unknown[]): string {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: entries });
}

function messagesChange(value: Record<string, unknown>, phoneNumberId = 'PNID_1') {
  return {
    field: 'messages',
    value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550000001', phone_number_id: phoneNumberId },
      ...value,
    },
  };
}

function ofKind<K extends WebhookEvent['kind']>(
  events: WebhookEvent[],
  kind: K,
): Extract<WebhookEvent, { kind: K }>[] {
  return events.filter((event): event is Extract<WebhookEvent, { kind: K }> => event.kind === kind);
}

const hashKey = (field: string) => expect.stringMatching(new RegExp(`^${field}:[0-9a-f]{64}$`));

// ---------------------------------------------------------------------------------------------------
// Expected values per fixture, written by reading each file.

type Expectation =
  | { events: Record<string, unknown>[]; warnings?: (string | RegExp)[] }
  | { problem: RegExp };

const FB_WABA = {
  wabaId: '419561257915477',
  phoneNumberId: '106540352242922',
  displayPhoneNumber: '15550783881',
};
const FB_WABA_2 = {
  wabaId: '102290129340398',
  phoneNumberId: '106540352242922',
  displayPhoneNumber: '15550783881',
};
const SHEENA = { waId: '16505551234', userId: null, name: 'Sheena Nelson', username: null };
const NO_CONTEXT = { context: null, referral: null, errors: [] };

const NF = {
  wabaId: 'WHATSAPP_BUSINESS_ACCOUNT_ID',
  phoneNumberId: 'PHONE_NUMBER_ID',
  displayPhoneNumber: 'PHONE_NUMBER',
};
const NF_NAME = (waId: string | null) => ({ waId, userId: null, name: 'NAME', username: null });
const NF_STATUS_108 = {
  wabaId: '108536708899139',
  phoneNumberId: 'CUSTOMER_PHONE_NUMBER',
  displayPhoneNumber: 'CUSTOMER_PHONE_NUMBER',
  field: 'messages',
};
const nfPricedStatus = (category: string) => ({
  ...NF_STATUS_108,
  kind: 'message-status-changed',
  dedupeKey: 'status:wamid.ID:delivered',
  occurredAt: 1685626673000,
  status: {
    id: 'wamid.ID',
    status: 'delivered',
    timestamp: 1685626673000,
    recipientId: 'CUSTOMER_PHONE_NUMBER',
    conversation: { id: 'CONVERSATION_ID', expirationTimestamp: null, originType: category },
    pricing: { billable: true, pricingModel: 'CBP', category, type: null },
    errors: [],
    bizOpaqueCallbackData: null,
  },
});

const GROUP_PA = {
  wabaId: '102290129340398',
  phoneNumberId: '106540352242922',
  displayPhoneNumber: '15550783881',
};

const EXPECTED: Record<string, Expectation> = {
  // ---- facebook-openapi (Meta's own examples from the v23.0 spec)
  'facebook-openapi/button_message.json': {
    events: [
      {
        ...FB_WABA,
        kind: 'message-received',
        field: 'messages',
        dedupeKey: 'message:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUU0M0MxQzQzMUJCMTMwNUZFOQA=',
        occurredAt: 1750091045000,
        contact: SHEENA,
        message: {
          id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUU0M0MxQzQzMUJCMTMwNUZFOQA=',
          from: '16505551234',
          fromUserId: null,
          timestamp: 1750091045000,
          type: 'button',
          text: 'Unsubscribe',
          button: { payload: 'Unsubscribe', text: 'Unsubscribe' },
          media: null,
          interactive: null,
          errors: [],
          context: {
            id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJFNjk2OTMwNEZCQjhGMzUyQUYA',
            from: '15550783881',
            forwarded: false,
            frequentlyForwarded: false,
            referredProduct: null,
          },
          targetMessageId: null,
        },
      },
    ],
  },
  'facebook-openapi/contact_sharing_message.json': {
    events: [
      {
        ...FB_WABA,
        kind: 'message-received',
        dedupeKey: 'message:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        occurredAt: 1744344496000,
        contact: SHEENA,
        message: {
          type: 'contacts',
          text: null,
          contacts: [
            {
              formattedName: 'Lucía Gómez',
              firstName: 'Lucía',
              lastName: 'Gómez',
              company: 'Google',
              phones: [{ phone: '+1 (983) 555-2319', waId: '19835552319', type: 'MOBILE' }],
              emails: [],
            },
          ],
          ...NO_CONTEXT,
        },
      },
    ],
  },
  'facebook-openapi/group_create_message.json': {
    events: [
      {
        ...GROUP_PA,
        kind: 'group-event',
        field: 'group_lifecycle_update',
        dedupeKey: hashKey('group_lifecycle_update'),
        occurredAt: 1750269342000,
        data: {
          groupId: 'Y2FwaV9ncm91cDoxODA1NTU1MDE3MjoxMjAzNjMyMjI3NzE5NjMwNjcZD',
          type: 'group_create',
          requestId: '784D93D0C468593037EA0B1ECA245D9C',
          subject: 'your-group-subject',
          description: 'your-group-description',
          // wa_id and input are JSON numbers in this example.
          addedParticipants: [
            { waId: '16505551234', input: '16505551234' },
            { waId: '16505551235', input: '16505551235' },
          ],
          removedParticipants: [],
          errors: [],
          timestamp: 1750269342000,
        },
      },
    ],
  },
  'facebook-openapi/group_remove_participants.json': {
    events: [
      {
        ...GROUP_PA,
        kind: 'group-event',
        field: 'group_participants_update',
        dedupeKey: hashKey('group_participants_update'),
        data: {
          groupId: 'Y2FwaV9ncm91cDoxODA1NTU1MDE3MjoxMjAzNjMyMjI3NzE5NjMwNjcZD',
          // Meta's example says group_create under group_participants_update; kept as sent.
          type: 'group_create',
          subject: null,
          addedParticipants: [],
          removedParticipants: [
            { waId: '16505551234', input: '16505551234' },
            { waId: '16505551235', input: '16505551235' },
          ],
        },
      },
    ],
  },
  'facebook-openapi/group_settings_update.json': {
    events: [
      {
        ...GROUP_PA,
        kind: 'group-event',
        field: 'group_settings_update',
        dedupeKey: hashKey('group_settings_update'),
        occurredAt: 1750269342000,
        data: {
          type: 'group_settings_update',
          requestId: '784D93D0C468593037EA0B1ECA245D9C',
          subject: null,
          description: null,
          errors: [],
        },
        raw: { profile_picture: { mime_type: 'image/jpeg', sha256: 'SfInY0gGKTsJlUWbwxC1k+FAD0FZHv' } },
      },
    ],
  },
  'facebook-openapi/image_message.json': {
    events: [
      {
        ...FB_WABA,
        kind: 'message-received',
        dedupeKey: 'message:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        occurredAt: 1744344496000,
        contact: SHEENA,
        message: {
          type: 'image',
          text: 'Taj Mahal',
          media: {
            id: '1003383421387256',
            mimeType: 'image/jpeg',
            sha256: 'SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=',
            caption: 'Taj Mahal',
            filename: null,
            url: null,
          },
          content: {
            type: 'image',
            image: {
              caption: 'Taj Mahal',
              mime_type: 'image/jpeg',
              sha256: 'SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=',
              id: '1003383421387256',
            },
          },
        },
      },
    ],
  },
  'facebook-openapi/interactive_button_reply_message.json': {
    events: [
      {
        ...FB_WABA,
        kind: 'message-received',
        dedupeKey: 'message:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTZBQzg0MzQ4QjRCM0NGNkVGOAA=',
        occurredAt: 1750025136000,
        contact: SHEENA,
        message: {
          type: 'interactive',
          text: 'Cancel',
          interactive: { type: 'button_reply', id: 'cancel-button', title: 'Cancel', description: null },
          context: { id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA', from: '15550783881' },
        },
      },
    ],
  },
  'facebook-openapi/interactive_list_reply_message.json': {
    events: [
      {
        ...FB_WABA,
        kind: 'message-received',
        dedupeKey: 'message:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUJDQ0NDM0FEODY4ODkzOTc5RgA=',
        occurredAt: 1749854575000,
        message: {
          type: 'interactive',
          text: 'Priority Mail Express',
          interactive: {
            type: 'list_reply',
            id: 'priority_express',
            title: 'Priority Mail Express',
            description: 'Next Day to 2 Days',
          },
          context: { id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJGMzEyNzhENTZDMzNGODlDRDgA', from: '15550783881' },
        },
      },
    ],
  },
  'facebook-openapi/location_message.json': {
    events: [
      {
        ...FB_WABA,
        kind: 'message-received',
        dedupeKey: 'message:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTU2MjZEMDBGRkE3MENEMDE0RQA=',
        occurredAt: 1744344496000,
        contact: SHEENA,
        message: {
          type: 'location',
          text: null,
          location: {
            latitude: 37.44221496582,
            longitude: -122.16165924072,
            name: 'Philz Coffee',
            address: '101 Forest Ave, Palo Alto, CA 94301',
            url: 'https://philzcoffee.com/',
          },
        },
      },
    ],
  },
  'facebook-openapi/order_message.json': {
    events: [
      {
        ...FB_WABA,
        kind: 'message-received',
        dedupeKey: 'message:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTEyQjFGNzI1QTQxMjI5QTMyOQA=',
        occurredAt: 1750096325000,
        message: {
          type: 'order',
          text: null,
          order: {
            catalogId: '194836987003835',
            text: null,
            productItems: [
              { productRetailerId: 'di9ozbzfi4', quantity: 2, itemPrice: 30, currency: 'USD' },
              { productRetailerId: 'nqryix03ez', quantity: 1, itemPrice: 25, currency: 'USD' },
            ],
          },
        },
      },
    ],
  },
  'facebook-openapi/reaction_message.json': {
    events: [
      {
        ...FB_WABA,
        kind: 'message-received',
        dedupeKey: 'message:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        occurredAt: 1749419544000,
        contact: SHEENA,
        message: {
          type: 'reaction',
          text: null,
          reaction: { messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA', emoji: '👍' },
        },
      },
    ],
  },
  'facebook-openapi/system_message.json': {
    events: [
      {
        ...FB_WABA_2,
        kind: 'message-received',
        dedupeKey: 'message:wamid.HBgLMTk4MzU1NTE5NzQVAgASGAoxMTgyMDg2MjY3AA==',
        occurredAt: 1750269342000,
        // No contacts in a system message: the sender comes from `from`.
        contact: { waId: '16505551234', userId: null, name: null, username: null },
        message: {
          type: 'system',
          from: '16505551234',
          text: 'User Sheena Nelson changed from 16505551234 to 12195555358',
          system: {
            type: 'user_changed_number',
            body: 'User Sheena Nelson changed from 16505551234 to 12195555358',
            newWaId: '12195555358',
            newUserId: null,
          },
        },
      },
    ],
  },
  'facebook-openapi/text_message.json': {
    events: [
      {
        ...FB_WABA,
        kind: 'message-received',
        field: 'messages',
        dedupeKey: 'message:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        occurredAt: 1749416383000,
        contact: SHEENA,
        message: {
          id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
          from: '16505551234',
          type: 'text',
          text: 'Does it come in another color?',
          media: null,
          ...NO_CONTEXT,
          content: { type: 'text', text: { body: 'Does it come in another color?' } },
        },
      },
    ],
  },
  'facebook-openapi/text_message_from_click_to_whatsapp_ad.json': {
    events: [
      {
        ...FB_WABA_2,
        kind: 'message-received',
        dedupeKey: 'message:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUQ0N0VFMDA2MTQ0RkJFNkNDNAA=',
        occurredAt: 1750275992000,
        contact: SHEENA,
        message: {
          type: 'text',
          text: 'Hello! Can I get more info on this?',
          context: null,
          referral: {
            sourceUrl: 'https://fb.me/3cr4Wqqkv',
            sourceId: '120226305854810726',
            sourceType: 'ad',
            body: 'Summer Succulents are here!',
            headline: 'Chat with us',
            mediaType: 'image',
            imageUrl: 'https://scontent.xx.fbcdn.net/v/t45.1...',
            videoUrl: null,
            thumbnailUrl: null,
            ctwaClid: expect.stringMatching(
              /^Aff-n8ZTODiE79d22KtAwQKj9e_mIEOOj27vDVwFjN80dp4_0NiNhEgpGo0AHem/,
            ),
            welcomeMessageText: 'Hi there! Let us know how we can help!',
          },
          content: { referral: { source_id: '120226305854810726' } },
        },
      },
    ],
  },
  'facebook-openapi/text_message_with_context_product_inquiry.json': {
    events: [
      {
        ...FB_WABA_2,
        kind: 'message-received',
        dedupeKey: 'message:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTA2NTUwRkNEMDdFQjJCRUU0NQA=',
        occurredAt: 1750016800000,
        message: {
          type: 'text',
          text: 'Is this still available?',
          context: {
            id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA',
            from: '15550783881',
            forwarded: false,
            frequentlyForwarded: false,
            referredProduct: { catalogId: '194836987003835', productRetailerId: 'di9ozbzfi4' },
          },
        },
      },
    ],
  },
  'facebook-openapi/unsupported_message.json': {
    events: [
      {
        ...FB_WABA,
        kind: 'message-received',
        dedupeKey: 'message:wamid.HBgLMTQyMDU1NTA3NDkVAgASGBI5N0MwRjg0RTVBNUI1RDA2OTkA',
        occurredAt: 1750090702000,
        contact: SHEENA,
        message: {
          type: 'unsupported',
          text: null,
          errors: [
            {
              code: 131051,
              title: 'Message type unknown',
              message: 'Message type unknown',
              details: 'Message type is currently not supported.',
              href: null,
            },
          ],
        },
      },
    ],
  },

  // ---- netflie/whatsapp-cloud-api (placeholder values such as PHONE_NUMBER, timestamps as numbers)
  'netflie-whatsapp-cloud-api/01_test_build_from_payload_can_build_a_notification.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        dedupeKey: 'message:wamid.ID',
        occurredAt: 1669233778000,
        // `from` (16315551234) matches no contact; the change's only contact is used.
        contact: NF_NAME('WHATSAPP_ID'),
        message: {
          id: 'wamid.ID',
          from: '16315551234',
          timestamp: 1669233778000,
          type: 'button',
          text: 'No',
          button: { payload: 'No-Button-Payload', text: 'No' },
          context: {
            id: 'wamid.ID',
            from: 'PHONE_NUMBER',
            forwarded: true,
            frequentlyForwarded: true,
            referredProduct: { catalogId: 'CATALOG_ID', productRetailerId: 'PRODUCT_ID' },
          },
          referral: {
            sourceUrl: 'AD_OR_POST_FB_URL',
            sourceId: 'ADID',
            sourceType: 'ad or post',
            headline: 'AD_TITLE',
            body: 'AD_DESCRIPTION',
            mediaType: 'image or video',
            imageUrl: 'RAW_IMAGE_URL',
            videoUrl: 'RAW_VIDEO_URL',
            thumbnailUrl: 'RAW_THUMBNAIL_URL',
            ctwaClid: null,
            welcomeMessageText: null,
          },
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/02_test_build_from_payload_can_build_a_text_notification.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        dedupeKey: 'message:wamid.ID',
        occurredAt: 1669233778000,
        contact: NF_NAME('PHONE_NUMBER'),
        message: { from: 'PHONE_NUMBER', type: 'text', text: 'MESSAGE_BODY', ...NO_CONTEXT },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/03_test_build_from_payload_can_build_multiple_text_notification.json': {
    // Two changes in one entry; both messages reuse the placeholder wamid, so they share a dedupe key.
    events: [
      {
        ...NF,
        kind: 'message-received',
        dedupeKey: 'message:wamid.ID',
        occurredAt: 1669233778000,
        message: { text: 'MESSAGE_BODY' },
      },
      {
        ...NF,
        kind: 'message-received',
        dedupeKey: 'message:wamid.ID',
        occurredAt: 1669233779000,
        message: { text: 'MESSAGE_BODY2' },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/04_test_build_from_payload_can_build_a_reaction_notification.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        contact: NF_NAME('PHONE_NUMBER'),
        message: { type: 'reaction', text: null, reaction: { messageId: 'MESSAGE_ID', emoji: 'EMOJI' } },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/05_test_build_from_payload_can_build_a_removed_reaction_notific.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        message: { type: 'reaction', reaction: { messageId: 'MESSAGE_ID', emoji: null } },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/06_test_build_from_payload_can_build_an_image_notification.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        contact: NF_NAME('WHATSAPP_ID'),
        message: {
          type: 'image',
          text: 'CAPTION_TEXT',
          media: {
            id: 'IMAGE_ID',
            mimeType: 'image/jpeg',
            sha256: 'IMAGE_HASH',
            caption: 'CAPTION_TEXT',
            filename: null,
          },
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/07_test_build_from_payload_can_build_an_document_notification.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        message: {
          type: 'document',
          text: 'CAPTION_TEXT',
          media: {
            id: 'IMAGE_ID',
            mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
            sha256: 'DOCUMENT_HASH',
            caption: 'CAPTION_TEXT',
            filename: 'FILENAME',
          },
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/08_test_build_from_payload_can_build_a_sticker_notification.json': {
    events: [
      {
        wabaId: 'ID',
        phoneNumberId: 'PHONE_NUMBER_ID',
        kind: 'message-received',
        dedupeKey: 'message:wamid.ID',
        contact: NF_NAME('ID'),
        message: {
          from: 'SENDER_PHONE_NUMBER',
          type: 'sticker',
          text: null,
          media: {
            id: 'STICKER_ID',
            mimeType: 'image/webp',
            sha256: 'STICKER_HASH',
            caption: null,
            isAnimated: false,
          },
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/09_test_build_from_payload_can_build_an_unknown_notification.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        message: {
          type: 'unknown',
          text: null,
          // `details` sits beside the code here, not under error_data.
          errors: [
            {
              code: 131051,
              title: 'Unsupported message type',
              message: null,
              details: 'Message type is not currently supported',
            },
          ],
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/10_test_build_from_payload_can_build_a_location_notification.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        message: {
          type: 'location',
          // Placeholder strings where numbers belong.
          location: {
            latitude: null,
            longitude: null,
            name: 'LOCATION_NAME',
            address: 'LOCATION_ADDRESS',
            url: null,
          },
          content: { location: { latitude: 'LOCATION_LATITUDE', longitude: 'LOCATION_LONGITUDE' } },
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/11_test_build_from_payload_can_build_a_contact_notification.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        message: {
          type: 'contacts',
          contacts: [
            {
              formattedName: 'CONTACT_FORMATTED_NAME',
              firstName: 'CONTACT_FIRST_NAME',
              lastName: 'CONTACT_LAST_NAME',
              company: 'CONTACT_ORG_COMPANY',
              phones: [{ phone: 'CONTACT_PHONE', waId: 'CONTACT_WA_ID', type: 'HOME or WORK>' }],
              emails: [{ email: 'CONTACT_EMAIL', type: 'WORK' }],
            },
          ],
          content: {
            contacts: [{ birthday: '1989-03-16', urls: [{ url: 'CONTACT_URL', type: 'HOME or WORK' }] }],
          },
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/12_test_build_from_payload_can_build_a_button_notification.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        contact: NF_NAME('WHATSAPP_ID'),
        message: {
          from: '16315551234',
          type: 'button',
          text: 'No',
          button: { payload: 'No-Button-Payload', text: 'No' },
          context: { id: 'wamid.ID', from: 'PHONE_NUMBER', forwarded: false, referredProduct: null },
          referral: null,
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/13_test_build_from_payload_can_build_a_list_notification.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        contact: NF_NAME('PHONE_NUMBER_ID'),
        message: {
          from: 'PHONE_NUMBER_ID',
          type: 'interactive',
          text: 'list_reply_title',
          interactive: {
            type: 'list_reply',
            id: 'list_reply_id',
            title: 'list_reply_title',
            description: 'list_reply_description',
          },
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/14_test_build_from_payload_can_build_a_button_reply_notificatio.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        message: {
          type: 'interactive',
          text: 'button-text',
          interactive: { type: 'button_reply', id: 'unique-button-identifier-here', title: 'button-text' },
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/15_test_build_from_payload_can_build_a_flow_notification.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        message: {
          type: 'interactive',
          text: 'Sent',
          interactive: {
            type: 'nfm_reply',
            id: null,
            title: 'Sent',
            name: 'flow',
            responseJson: { screen_0_name_0: 'Email', screen_0_orderNumber_1: 'ID', flow_token: 'unused' },
          },
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/16_test_build_from_payload_can_build_an_order_notification.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        message: {
          type: 'order',
          text: 'text-message-sent-along-with-the-order',
          order: {
            catalogId: 'the-catalog_id',
            text: 'text-message-sent-along-with-the-order',
            productItems: [
              {
                productRetailerId: 'the-product-SKU-identifier',
                quantity: null,
                itemPrice: null,
                currency: 'price-currency',
              },
              {
                productRetailerId: 'the-product-SKU-identifier-2',
                quantity: null,
                itemPrice: null,
                currency: 'price-currency',
              },
            ],
          },
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/17_test_build_from_payload_can_build_a_system_notification.json': {
    events: [
      {
        wabaId: 'WHATSAPP_BUSINESS_ACCOUNT_ID',
        phoneNumberId: 'NEW_PHONE_NUMBER_ID',
        kind: 'message-received',
        dedupeKey: 'message:wamid.ID',
        contact: { waId: 'PHONE_NUMBER', userId: null, name: null, username: null },
        message: {
          type: 'system',
          text: 'NAME changed from PHONE_NUMBER to PHONE_NUMBER',
          system: {
            type: 'user_changed_number',
            body: 'NAME changed from PHONE_NUMBER to PHONE_NUMBER',
            newWaId: 'NEW_PHONE_NUMBER_ID',
            customer: 'OLD_PHONE_NUMBER_ID',
          },
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/18_test_build_from_payload_can_build_a_status_notification.json': {
    events: [
      {
        wabaId: '114957184830690',
        phoneNumberId: 'CUSTOMER_PHONE_NUMBER',
        displayPhoneNumber: 'CUSTOMER_PHONE_NUMBER',
        kind: 'message-status-changed',
        field: 'messages',
        dedupeKey: 'status:wamid.ID:read',
        occurredAt: 1674914356000,
        status: {
          id: 'wamid.ID',
          status: 'read',
          timestamp: 1674914356000,
          recipientId: 'CUSTOMER_PHONE_NUMBER',
          recipientUserId: null,
          conversation: null,
          pricing: null,
          errors: [],
          bizOpaqueCallbackData: null,
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/19_test_build_from_payload_can_build_a_status_conversation_init.json': {
    events: [
      {
        ...NF,
        kind: 'message-status-changed',
        dedupeKey: 'status:wamid.ID:read',
        status: {
          status: 'read',
          timestamp: 1669233778000,
          recipientId: 'CUSTOMER_PHONE_NUMBER',
          conversation: {
            id: 'CONVERSATION_ID',
            expirationTimestamp: 1669233778000,
            originType: 'user_initiated',
          },
          pricing: null,
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/20_test_build_from_payload_can_build_a_status_notification_with.json': {
    events: [
      {
        ...NF,
        kind: 'message-status-changed',
        dedupeKey: 'status:wamid.ID:delivered',
        status: {
          status: 'delivered',
          conversation: { id: 'CONVERSATION_ID', expirationTimestamp: null, originType: 'user_initiated' },
          pricing: null,
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/21_test_build_from_payload_can_build_a_status_with_pricing_noti.json': {
    events: [
      {
        ...NF,
        kind: 'message-status-changed',
        dedupeKey: 'status:wamid.ID:delivered',
        occurredAt: 1690327464000,
        status: {
          status: 'delivered',
          conversation: { id: 'CONVERSATION_ID', originType: 'marketing' },
          pricing: { billable: true, pricingModel: 'CBP', category: 'marketing', type: null },
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/22_test_build_from_payload_can_build_a_status_notification_with.json': {
    events: [
      {
        wabaId: '114957184830690',
        phoneNumberId: '102944729380254',
        displayPhoneNumber: '15550483457',
        kind: 'message-status-changed',
        // The id really is "amid.ID" in this sample.
        dedupeKey: 'status:amid.ID:failed',
        occurredAt: 1674912647000,
        status: {
          id: 'amid.ID',
          status: 'failed',
          errors: [{ code: 131053, title: 'ERROR_TITLE', message: null, details: null, href: null }],
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/23_test_build_from_payload_can_build_a_forwarded_notification.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        contact: NF_NAME('WHATSAPP_ID'),
        message: {
          from: '16315551234',
          type: 'text',
          text: 'MESSAGE_BODY',
          context: {
            id: null,
            from: null,
            forwarded: true,
            frequentlyForwarded: false,
            referredProduct: null,
          },
        },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/24_test_build_from_payload_can_build_an_authentication_status_n.json': {
    events: [nfPricedStatus('authentication')],
  },
  'netflie-whatsapp-cloud-api/25_test_build_from_payload_can_build_a_marketing_status_notific.json': {
    events: [nfPricedStatus('marketing')],
  },
  'netflie-whatsapp-cloud-api/26_test_build_from_payload_can_build_an_utility_status_notifica.json': {
    events: [nfPricedStatus('utility')],
  },
  'netflie-whatsapp-cloud-api/27_test_build_from_payload_can_build_a_service_status_notificat.json': {
    events: [nfPricedStatus('service')],
  },
  'netflie-whatsapp-cloud-api/28_test_build_from_payload_without_contact_profile_can_build_a.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        contact: { waId: 'PHONE_NUMBER', userId: null, name: null, username: null },
        message: { type: 'text', text: 'MESSAGE_BODY' },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/29_test_build_from_payload_can_build_a_notification_with_bsuid.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        dedupeKey: 'message:wamid.ID',
        contact: { waId: null, userId: 'BSUID_123', name: 'NAME', username: null },
        message: { from: null, fromUserId: null, type: 'text', text: 'MESSAGE_BODY' },
      },
    ],
  },
  'netflie-whatsapp-cloud-api/30_test_build_from_payload_can_keep_wa_id_priority_when_user_id.json': {
    events: [
      {
        ...NF,
        kind: 'message-received',
        contact: { waId: 'WHATSAPP_ID', userId: 'BSUID_123', name: 'NAME', username: null },
        message: { from: 'PHONE_NUMBER', type: 'text', text: 'MESSAGE_BODY' },
      },
    ],
  },

  // ---- piusalfred/whatsapp (Go SDK tests)
  'piusalfred-whatsapp/business_test_01_testdefect001_templatestatusupdate_nilreason.json': {
    events: [
      {
        wabaId: '123456789',
        phoneNumberId: null,
        displayPhoneNumber: null,
        kind: 'template-status-updated',
        field: 'message_template_status_update',
        dedupeKey: hashKey('message_template_status_update'),
        occurredAt: 1719000000000,
        data: {
          messageTemplateId: '12345',
          name: 'hello_world',
          language: 'en',
          event: 'APPROVED',
          reason: null,
          category: null,
          otherInfo: null,
          rejectionInfo: null,
        },
      },
    ],
  },
  'piusalfred-whatsapp/calls_test_01_testcallrecordingavailable_webhookparsing.json': {
    events: [
      {
        wabaId: '123456789',
        phoneNumberId: '106540352242922',
        displayPhoneNumber: '15551234567',
        kind: 'call-event',
        field: 'calls',
        dedupeKey: hashKey('calls'),
        occurredAt: 1728932177000,
        data: {
          callId: 'wacid.HBgLMTQxMjYxMzYyNTMVAgASGCBGO',
          event: 'call_recording_available',
          from: '16505551234',
          to: null,
          status: null,
          timestamp: 1728932177000,
          errors: [],
        },
        raw: {
          call_recording: {
            type: 'audio',
            audio: { id: '1002764438271669', mime_type: 'audio/ogg; codecs=opus' },
          },
        },
      },
    ],
  },
  'piusalfred-whatsapp/calls_test_02_testcalltranscriptionavailable_webhookparsing.json': {
    events: [
      {
        wabaId: '123456789',
        kind: 'call-event',
        field: 'calls',
        data: {
          callId: 'wacid.HBgLMTQxMjYxMzYyNTMVAgASGCBGO',
          event: 'call_transcription_available',
          from: '16505551234',
        },
        raw: { call_transcript: { document: { mime_type: 'application/json' } } },
      },
    ],
  },
  'piusalfred-whatsapp/listener_test_01_.json': {
    events: [
      {
        wabaId: '123456789',
        phoneNumberId: '987654321',
        displayPhoneNumber: '15551234567',
        kind: 'message-received',
        dedupeKey: 'message:wamid.test123',
        occurredAt: 1719000000000,
        contact: { waId: '1234567890', userId: null, name: 'Test User', username: null },
        message: { id: 'wamid.test123', from: '1234567890', type: 'text', text: 'hello' },
      },
    ],
  },
  'piusalfred-whatsapp/router_test_01_testmiddlewareordering_webhookroute.json': { events: [] },
  'piusalfred-whatsapp/router_test_02_testmiddlewareisolation_verificationdoesnotleaktowebhook.json': {
    events: [
      {
        wabaId: '1',
        phoneNumberId: '1',
        displayPhoneNumber: '1',
        kind: 'message-received',
        dedupeKey: 'message:1',
        occurredAt: 1000,
        contact: { waId: '1', name: 'test' },
        message: { id: '1', from: '1', timestamp: 1000, type: 'text', text: 'hi' },
      },
    ],
  },
  'piusalfred-whatsapp/router_test_03_testmiddlewareaccumulation_branch.json': { events: [] },
  'piusalfred-whatsapp/webhooks_test_01_testlistener_handlenotification_multiplemessages.json': {
    events: [
      {
        wabaId: '234234234234',
        phoneNumberId: '987654321',
        displayPhoneNumber: '1-555-123-4567',
        kind: 'message-received',
        dedupeKey: 'message:wamid.GBGX2323902',
        occurredAt: 1680123456000,
        contact: { waId: '1234567890', name: 'Sam Sample' },
        message: { type: 'text', text: 'Hello from a text message' },
      },
      {
        wabaId: '234234234234',
        kind: 'message-received',
        dedupeKey: 'message:wamid.OMGReaction',
        occurredAt: 1680123457000,
        contact: { waId: '1234567890', name: 'Sam Sample' },
        message: { type: 'reaction', reaction: { messageId: 'wamid.GBGX2323902', emoji: '👍' } },
      },
    ],
  },
  'piusalfred-whatsapp/webhooks_test_02_testlistener_handlenotification_multiplechangevalues.json': {
    events: [
      {
        wabaId: '111111111111',
        phoneNumberId: '987654321',
        kind: 'message-received',
        dedupeKey: 'message:wamid.TEXTXYZ123',
        contact: { waId: '1234567890', name: 'Alex Tester' },
        message: { type: 'text', text: 'Hello from a text message' },
      },
      {
        wabaId: '111111111111',
        phoneNumberId: '987654321',
        kind: 'user-preference-changed',
        field: 'user_preferences',
        dedupeKey: 'user-preference:1234567890:1690000000000:stop',
        occurredAt: 1690000000000,
        data: {
          waId: '1234567890',
          userId: null,
          category: 'marketing_messages',
          value: 'stop',
          detail: 'User wants to stop marketing notifications',
          timestamp: 1690000000000,
        },
      },
    ],
  },
  'piusalfred-whatsapp/webhooks_test_03_testlistener_handlenotification_multiplechangevalues1.json': {
    events: [
      {
        wabaId: '8888888888',
        phoneNumberId: '1093849293',
        displayPhoneNumber: '14155238886',
        kind: 'message-received',
        dedupeKey: 'message:wamid.TEXT123',
        contact: { waId: '16505551234', name: 'John Doe' },
        message: { type: 'text', text: 'Hello from a text message!' },
      },
      {
        kind: 'message-received',
        dedupeKey: 'message:wamid.LOC789',
        occurredAt: 1680123458000,
        // This message has no `type`: read from its location object.
        message: {
          type: 'location',
          location: {
            latitude: 37.7749,
            longitude: -122.4194,
            name: 'San Francisco',
            address: 'Market Street',
          },
        },
      },
      {
        kind: 'message-received',
        dedupeKey: 'message:wamid.RXN001',
        message: { type: 'reaction', reaction: { messageId: 'wamid.TEXT123', emoji: '👍' } },
      },
      {
        kind: 'message-received',
        dedupeKey: 'message:wamid.STK002',
        occurredAt: 1680123461000,
        message: {
          type: 'sticker',
          media: { id: 'STICKER1234', mimeType: 'image/webp', sha256: 'stickerHashABC' },
        },
      },
      {
        kind: 'user-preference-changed',
        dedupeKey: 'user-preference:16505551234:1680123462000:stop',
        data: { waId: '16505551234', value: 'stop', detail: 'User requested to stop marketing messages' },
      },
      {
        kind: 'user-preference-changed',
        dedupeKey: 'user-preference:16505551234:1680123463000:stop',
        data: { waId: '16505551234', value: 'stop', detail: 'User also blocked location-sharing promotions' },
      },
    ],
    warnings: [/wamid\.LOC789 has no type/],
  },
  'piusalfred-whatsapp/webhooks_test_04_testlistener_handlenotification_buttonmessage.json': {
    events: [
      {
        wabaId: '123456789',
        phoneNumberId: '987654321',
        kind: 'message-received',
        dedupeKey: 'message:wamid.BUTTONMSG',
        occurredAt: 1681000000000,
        // `from` is the business number in this sample; the only contact is the sender.
        contact: { waId: '100200300', name: 'Test Button' },
        message: {
          from: '15551234567',
          type: 'button',
          text: 'No',
          button: { payload: 'No-Button-Payload', text: 'No' },
          context: { id: 'wamid.IDCTX', from: '15551234567' },
        },
      },
    ],
  },
  'piusalfred-whatsapp/webhooks_test_05_testlistener_handlenotification_listreply.json': {
    events: [
      {
        wabaId: '444444',
        phoneNumberId: '123987456',
        displayPhoneNumber: '15551230000',
        kind: 'message-received',
        dedupeKey: 'message:wamid.IDLIST',
        occurredAt: 1682000010000,
        contact: { waId: '1987654321', name: 'List Tester' },
        message: {
          type: 'interactive',
          text: 'list_reply_title',
          interactive: { type: 'list_reply', id: 'list_reply_id', description: 'list_reply_description' },
          context: null,
        },
      },
    ],
  },
  'piusalfred-whatsapp/webhooks_test_06_testlistener_handlenotification_buttonreply.json': {
    events: [
      {
        wabaId: '555555',
        phoneNumberId: '22222222',
        kind: 'message-received',
        dedupeKey: 'message:wamid.BTNREPLY1',
        occurredAt: 1683000022000,
        contact: { waId: '17771234567', name: 'ButtonReplyUser' },
        message: {
          type: 'interactive',
          text: 'button-text',
          interactive: { type: 'button_reply', id: 'unique-button-identifier-here', title: 'button-text' },
        },
      },
    ],
  },
  'piusalfred-whatsapp/webhooks_test_07_testlistener_handlenotification_referralmessage.json': {
    events: [
      {
        wabaId: '99999',
        phoneNumberId: '123123123',
        kind: 'message-received',
        dedupeKey: 'message:wamid.REF001',
        occurredAt: 1684000033000,
        contact: { waId: '100100200', name: 'AdUser' },
        message: {
          type: 'text',
          text: 'Hi from an ad click!',
          referral: {
            sourceUrl: 'https://facebook.com/ad/123',
            sourceId: 'ADID123',
            sourceType: 'ad',
            headline: 'Ad Title',
            body: 'Ad Description',
            mediaType: 'image',
            imageUrl: 'https://example.com/ad.jpg',
            ctwaClid: 'CTWA_ABC',
            welcomeMessageText: null,
          },
        },
      },
    ],
  },
  'piusalfred-whatsapp/webhooks_test_08_testlistener_handlenotification_productinquiry.json': {
    events: [
      {
        wabaId: 'PID123',
        phoneNumberId: '678678678',
        kind: 'message-received',
        dedupeKey: 'message:wamid.PRODINQ001',
        occurredAt: 1685000044000,
        contact: { waId: '16789991111', name: 'ProductUser' },
        message: {
          text: 'Interested in your product!',
          context: {
            id: 'wamid.IDCONTEXT1',
            from: '16789991111',
            referredProduct: { catalogId: 'CATALOG_9999', productRetailerId: 'SKU-1234' },
          },
        },
      },
    ],
  },
  'piusalfred-whatsapp/webhooks_test_09_testlistener_handlenotification_userchangednumber.json': {
    events: [
      {
        wabaId: 'WHATSAPP_BUSINESS_ACCOUNT_ID',
        phoneNumberId: '1093849293',
        kind: 'message-received',
        dedupeKey: 'message:wamid.USERCHANGE',
        occurredAt: 1689999999000,
        contact: { waId: '15550002222', userId: null, name: null },
        message: {
          type: 'system',
          text: 'NAME changed from 15550002222 to 15550003333',
          // `new_wa_id` here, `wa_id` in Meta's example.
          system: { type: 'user_changed_number', newWaId: '15550003333' },
        },
      },
    ],
  },
  'piusalfred-whatsapp/webhooks_test_10_testlistener_handlenotification_statussent.json': {
    events: [
      {
        wabaId: 'WHATSAPP_BUSINESS_ACCOUNT_ID',
        phoneNumberId: '999888777',
        displayPhoneNumber: '15555551234',
        kind: 'message-status-changed',
        dedupeKey: 'status:wamid.STATUSMSG:sent',
        occurredAt: 1690000000000,
        status: {
          id: 'wamid.STATUSMSG',
          status: 'sent',
          recipientId: '123456789',
          conversation: { id: 'CONVO123', expirationTimestamp: 1690009999000, originType: 'user_initiated' },
          pricing: { billable: true, pricingModel: 'CBP', category: 'user_initiated', type: null },
        },
      },
    ],
  },
  'piusalfred-whatsapp/webhooks_test_11_testlistener_handlenotification_deletedmessageunsupported.json': {
    events: [
      {
        wabaId: 'WHATSAPP_BUSINESS_ACCOUNT_ID',
        phoneNumberId: '100200300',
        kind: 'message-received',
        dedupeKey: 'message:wamid.ID',
        occurredAt: 1690000100000,
        contact: { waId: '15550001111', name: 'NAME' },
        message: {
          type: 'unsupported',
          errors: [
            {
              code: 131051,
              title: 'Unsupported message type',
              details: 'Message type is not currently supported',
            },
          ],
        },
      },
    ],
  },
  'piusalfred-whatsapp/webhooks_test_12_testlistener_handlenotification_phonenumbersettingsupdate.json': {
    // A documented field we do not model: kept without a warning.
    events: [
      {
        wabaId: 'whatsapp-business-account-id',
        phoneNumberId: null,
        kind: 'change-received',
        field: 'account_settings_update',
        dedupeKey: hashKey('account_settings_update'),
        occurredAt: 1671644824000,
        value: {
          type: '[phone_number_settings]',
          phone_number_settings: { phone_number_id: 'TEST987654321' },
        },
      },
    ],
  },
  'piusalfred-whatsapp/webhooks_test_13_testlistener_handlenotification_grouplifecycleupdate.json': {
    events: [
      {
        ...GROUP_PA,
        kind: 'group-event',
        field: 'group_lifecycle_update',
        occurredAt: 1739321024000,
        data: {
          groupId: 'GROUP_ID_123',
          type: 'group_create',
          requestId: 'REQ_001',
          subject: 'SDK Test Group',
          inviteLink: 'https://chat.whatsapp.com/ABC123',
        },
      },
    ],
  },
  'piusalfred-whatsapp/webhooks_test_14_testlistener_handlenotification_groupparticipantsupdate.json': {
    events: [
      {
        ...GROUP_PA,
        kind: 'group-event',
        field: 'group_participants_update',
        data: {
          groupId: 'GROUP_ID_456',
          type: 'group_participants_add',
          reason: 'invite_link',
          requestId: null,
          addedParticipants: [{ waId: '16505551234', input: null }],
        },
      },
    ],
  },
  'piusalfred-whatsapp/webhooks_test_15_testlistener_handlenotification_groupsettingsupdate.json': {
    events: [
      {
        ...GROUP_PA,
        kind: 'group-event',
        field: 'group_settings_update',
        data: {
          groupId: 'GROUP_ID_789',
          requestId: 'REQ_003',
          subject: 'New Subject',
          description: 'New Description',
          errors: [
            {
              code: 100,
              title: 'Update Failed',
              message: 'Invalid description',
              details: 'Description too long',
            },
          ],
        },
      },
    ],
  },
  'piusalfred-whatsapp/webhooks_test_16_testlistener_handlenotification_groupstatusupdate.json': {
    events: [
      {
        ...GROUP_PA,
        kind: 'group-event',
        field: 'group_status_update',
        dedupeKey: hashKey('group_status_update'),
        data: { groupId: 'GROUP_ID_999', type: 'group_suspend', timestamp: 1739321024000 },
      },
    ],
  },
  'piusalfred-whatsapp/webhooks_test_17_testlistener_handlenotification_unrecognizedfield.json': {
    // automatic_events is a documented field (webhooks overview), so no warning.
    events: [
      {
        wabaId: 'WHATSAPP_BUSINESS_ACCOUNT_ID',
        kind: 'change-received',
        field: 'automatic_events',
        dedupeKey: hashKey('automatic_events'),
        value: { event: 'some_future_event', details: { key: 'value' } },
      },
    ],
  },
  'piusalfred-whatsapp/webhooks_test_18_testhandler_unrecognizedfield_defaultsilent.json': {
    events: [
      {
        wabaId: 'WHATSAPP_BUSINESS_ACCOUNT_ID',
        kind: 'change-received',
        field: 'unknown_field_xyz',
        dedupeKey: hashKey('unknown_field_xyz'),
        value: {},
      },
    ],
    warnings: [/unknown field "unknown_field_xyz"/],
  },
  'piusalfred-whatsapp/webhooks_test_19_testhandler_unrecognizedfield_defaultsilent.json': { events: [] },
  'piusalfred-whatsapp/webhooks_test_20_testhandler_unrecognizedfield_defaultsilent.json': {
    problem: /"object" is "not_whatsapp"/,
  },
  'piusalfred-whatsapp/webhooks_test_21_testhandler_unrecognizedfield_defaultsilent.json': { events: [] },
  'piusalfred-whatsapp/webhooks_test_22_testhandler_unrecognizedfield_defaultsilent.json': { events: [] },
  'piusalfred-whatsapp/webhooks_test_23_testdefect002_middlewarepanic_nowrecovered.json': { events: [] },
};

describe.skipIf(!hasSharedFixtures)('parseWebhook on the shared fixtures', () => {
  const names = allFixtureNames();

  it('has an expectation for every fixture file, and a file for every expectation', () => {
    expect(names.length).toBe(76);
    expect([...names].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(names)('%s', (name) => {
    const expected = EXPECTED[name];
    if (!expected) throw new Error(`no expectation for ${name}`);
    const result = parseWebhook(fixtureBody(name));
    if ('problem' in expected) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problem).toMatch(expected.problem);
      return;
    }
    if (!result.ok) throw new Error(`${name}: ${result.problem}`);
    expect(result.events).toHaveLength(expected.events.length);
    expect(result.events).toMatchObject(expected.events);
    const warnings = expected.warnings ?? [];
    expect(result.warnings).toHaveLength(warnings.length);
    warnings.forEach((warning, index) => {
      expect(result.warnings[index]).toMatch(warning);
    });
  });

  it.each(names)('%s: every event is JSON-safe and its raw item is the original', (name) => {
    const result = parseWebhook(fixtureBody(name));
    if (!result.ok) return;
    const body = JSON.parse(fixtureBody(name).toString('utf8'));
    for (const event of result.events) {
      expect(JSON.parse(JSON.stringify(event))).toEqual(event);
      if (event.kind === 'message-received') {
        const change = body.entry.flatMap(
          (entry: { changes: { value: { messages?: unknown[] } }[] }) => entry.changes,
        );
        const items = change.flatMap((c: { value: { messages?: unknown[] } }) => c.value.messages ?? []);
        expect(items).toContainEqual(event.raw);
      }
    }
  });

  it('parses the same body the same way every time (stable keys)', () => {
    for (const name of names) {
      const first = parseWebhook(fixtureBody(name));
      const second = parseWebhook(fixtureBody(name).toString('utf8'));
      expect(second).toEqual(first);
    }
  });
});

// ---------------------------------------------------------------------------------------------------

describe('batches', () => {
  const text = (id: string, from: string, body: string, timestamp = '1700000000') => ({
    from,
    id,
    timestamp,
    type: 'text',
    text: { body },
  });
  const status = (id: string, value: string, timestamp = '1700000100') => ({
    id,
    status: value,
    timestamp,
    recipient_id: '5511999990000',
  });

  it('yields every message and status of 2 entries × 2 changes, routed to their own WABA and number', () => {
    const body = notification([
      {
        id: 'WABA_A',
        changes: [
          messagesChange(
            {
              contacts: [
                { profile: { name: 'Ana' }, wa_id: '5511999990001' },
                { profile: { name: 'Bruno' }, wa_id: '5511999990002' },
              ],
              messages: [
                text('wamid.A1', '5511999990001', 'oi'),
                text('wamid.A2', '5511999990002', 'olá'),
                text('wamid.A3', '5511999990001', 'tudo bem?'),
              ],
              statuses: [status('wamid.OUT1', 'delivered'), status('wamid.OUT1', 'read')],
            },
            'PN_A1',
          ),
          messagesChange(
            { statuses: [status('wamid.OUT2', 'sent'), status('wamid.OUT3', 'failed')] },
            'PN_A2',
          ),
        ],
      },
      {
        id: 'WABA_B',
        time: 1700000200,
        changes: [
          messagesChange(
            {
              contacts: [{ profile: { name: 'Carla' }, wa_id: '5511999990003' }],
              messages: [
                text('wamid.B1', '5511999990003', 'preço?'),
                text('wamid.B2', '5511999990003', 'e frete?'),
              ],
            },
            'PN_B1',
          ),
          {
            field: 'message_template_status_update',
            value: {
              event: 'APPROVED',
              message_template_id: 1,
              message_template_name: 'promo',
              reason: 'NONE',
            },
          },
        ],
      },
    ]);
    const { events, warnings } = parseOk(body);
    expect(warnings).toEqual([]);
    expect(events.map((event) => [event.kind, event.wabaId, event.phoneNumberId, event.dedupeKey])).toEqual([
      ['message-received', 'WABA_A', 'PN_A1', 'message:wamid.A1'],
      ['message-received', 'WABA_A', 'PN_A1', 'message:wamid.A2'],
      ['message-received', 'WABA_A', 'PN_A1', 'message:wamid.A3'],
      ['message-status-changed', 'WABA_A', 'PN_A1', 'status:wamid.OUT1:delivered'],
      ['message-status-changed', 'WABA_A', 'PN_A1', 'status:wamid.OUT1:read'],
      ['message-status-changed', 'WABA_A', 'PN_A2', 'status:wamid.OUT2:sent'],
      ['message-status-changed', 'WABA_A', 'PN_A2', 'status:wamid.OUT3:failed'],
      ['message-received', 'WABA_B', 'PN_B1', 'message:wamid.B1'],
      ['message-received', 'WABA_B', 'PN_B1', 'message:wamid.B2'],
      [
        'template-status-updated',
        'WABA_B',
        null,
        expect.stringMatching(/^message_template_status_update:[0-9a-f]{64}$/),
      ],
    ]);
    // Each message gets its own sender's contact, not the first one of the change.
    expect(ofKind(events, 'message-received').map((event) => [event.message.id, event.contact.name])).toEqual(
      [
        ['wamid.A1', 'Ana'],
        ['wamid.A2', 'Bruno'],
        ['wamid.A3', 'Ana'],
        ['wamid.B1', 'Carla'],
        ['wamid.B2', 'Carla'],
      ],
    );
    expect(events[9]?.occurredAt).toBe(1700000200000);
  });

  it('yields value.errors beside the messages and statuses of the same change', () => {
    const body = notification([
      {
        id: 'WABA',
        changes: [
          messagesChange({
            messages: [text('wamid.M', '1', 'x')],
            statuses: [status('wamid.S', 'sent')],
            errors: [
              {
                code: 130429,
                title: 'Rate limit hit',
                message: 'Rate limit hit',
                error_data: { details: 'Cloud API message throughput has been reached.' },
                href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
              },
            ],
          }),
        ],
      },
    ]);
    const { events } = parseOk(body);
    expect(events.map((event) => event.kind)).toEqual([
      'message-received',
      'message-status-changed',
      'webhook-errors',
    ]);
    expect(events[2]).toMatchObject({
      kind: 'webhook-errors',
      field: 'messages',
      dedupeKey: hashKey('messages'),
      errors: [
        {
          code: 130429,
          title: 'Rate limit hit',
          message: 'Rate limit hit',
          details: 'Cloud API message throughput has been reached.',
          href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
        },
      ],
    });
  });

  it('handles a thousand messages in one change (Meta batches up to 1,000 updates)', () => {
    const messages = Array.from({ length: 1000 }, (_, index) => text(`wamid.N${index}`, '1', `m${index}`));
    const { events } = parseOk(notification([{ id: 'W', changes: [messagesChange({ messages })] }]));
    expect(events).toHaveLength(1000);
    expect(new Set(events.map((event) => event.dedupeKey)).size).toBe(1000);
    expect(ofKind(events, 'message-received')[999]?.message.text).toBe('m999');
  });
});

describe('contacts', () => {
  it('keys a BSUID-only sender (user_id without wa_id, no from)', () => {
    const body = notification([
      {
        id: 'W',
        changes: [
          messagesChange({
            contacts: [
              {
                profile: { name: 'Dana', username: '@dana' },
                user_id: 'US.13491208655302741918',
                parent_user_id: 'US.ENT.1',
              },
            ],
            messages: [
              {
                from_user_id: 'US.13491208655302741918',
                from_parent_user_id: 'US.ENT.1',
                id: 'wamid.BSUID1',
                timestamp: '1749416383',
                type: 'text',
                text: { body: 'hello' },
              },
            ],
          }),
        ],
      },
    ]);
    const [event] = ofKind(parseOk(body).events, 'message-received');
    expect(event?.contact).toEqual({
      waId: null,
      userId: 'US.13491208655302741918',
      parentUserId: 'US.ENT.1',
      name: 'Dana',
      username: '@dana',
    });
    expect(event?.message).toMatchObject({
      from: null,
      fromUserId: 'US.13491208655302741918',
      fromParentUserId: 'US.ENT.1',
    });
  });

  it('matches each sender among several BSUID contacts by from_user_id', () => {
    const body = notification([
      {
        id: 'W',
        changes: [
          messagesChange({
            contacts: [
              { profile: { name: 'One' }, user_id: 'US.1' },
              { profile: { name: 'Two' }, user_id: 'US.2', wa_id: '5511000000002' },
            ],
            messages: [
              { from_user_id: 'US.2', id: 'wamid.x2', timestamp: '1', type: 'text', text: { body: 'b' } },
              { from_user_id: 'US.1', id: 'wamid.x1', timestamp: '1', type: 'text', text: { body: 'a' } },
            ],
          }),
        ],
      },
    ]);
    const events = ofKind(parseOk(body).events, 'message-received');
    expect(events.map((event) => event.contact)).toEqual([
      // The contact's wa_id fills in what the message lacks.
      { waId: '5511000000002', userId: 'US.2', parentUserId: null, name: 'Two', username: null },
      { waId: null, userId: 'US.1', parentUserId: null, name: 'One', username: null },
    ]);
  });

  it('matches by wa_id when several contacts have one, and keeps both ids when a contact has both', () => {
    const body = notification([
      {
        id: 'W',
        changes: [
          messagesChange({
            contacts: [
              { profile: { name: 'First' }, wa_id: '111', user_id: 'BR.111' },
              { profile: { name: 'Second' }, wa_id: '222', user_id: 'BR.222' },
            ],
            messages: [{ from: '222', id: 'wamid.w', timestamp: '1', type: 'text', text: { body: 'hi' } }],
          }),
        ],
      },
    ]);
    const [event] = ofKind(parseOk(body).events, 'message-received');
    expect(event?.contact).toEqual({
      waId: '222',
      userId: 'BR.222',
      parentUserId: null,
      name: 'Second',
      username: null,
    });
  });

  it('does not guess among several contacts when none matches', () => {
    const body = notification([
      {
        id: 'W',
        changes: [
          messagesChange({
            contacts: [
              { profile: { name: 'First' }, wa_id: '111' },
              { profile: { name: 'Second' }, wa_id: '222' },
            ],
            messages: [{ from: '333', id: 'wamid.w', timestamp: '1', type: 'text', text: { body: 'hi' } }],
          }),
        ],
      },
    ]);
    const [event] = ofKind(parseOk(body).events, 'message-received');
    expect(event?.contact).toEqual({
      waId: '333',
      userId: null,
      parentUserId: null,
      name: null,
      username: null,
    });
  });
});

describe('statuses', () => {
  it('reads pricing, conversation, errors, BSUIDs and biz_opaque_callback_data', () => {
    const body = notification([
      {
        id: 'W',
        changes: [
          messagesChange({
            statuses: [
              {
                id: 'wamid.OUT',
                status: 'failed',
                timestamp: '1750000000',
                recipient_id: '16505551234',
                recipient_user_id: 'US.9',
                parent_recipient_user_id: 'US.ENT.9',
                biz_opaque_callback_data: 'outbox:42',
                conversation: {
                  id: 'CONV1',
                  expiration_timestamp: '1750086400',
                  origin: { type: 'marketing' },
                },
                pricing: { billable: false, pricing_model: 'PMP', category: 'marketing', type: 'regular' },
                errors: [
                  {
                    code: 131049,
                    title: 'This message was not delivered to maintain healthy ecosystem engagement.',
                    message: 'This message was not delivered to maintain healthy ecosystem engagement.',
                    error_data: {
                      details: 'In order to maintain a healthy ecosystem engagement, the message failed.',
                    },
                    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
                  },
                ],
              },
              { id: 'wamid.OUT', status: 'played', timestamp: 1750000001, recipient_id: '16505551234' },
            ],
          }),
        ],
      },
    ]);
    const { events, warnings } = parseOk(body);
    expect(warnings).toEqual([]);
    const [failed, played] = ofKind(events, 'message-status-changed');
    expect(failed).toMatchObject({
      dedupeKey: 'status:wamid.OUT:failed',
      occurredAt: 1750000000000,
      status: {
        id: 'wamid.OUT',
        status: 'failed',
        timestamp: 1750000000000,
        recipientId: '16505551234',
        recipientUserId: 'US.9',
        recipientParentUserId: 'US.ENT.9',
        bizOpaqueCallbackData: 'outbox:42',
        conversation: { id: 'CONV1', expirationTimestamp: 1750086400000, originType: 'marketing' },
        pricing: { billable: false, pricingModel: 'PMP', category: 'marketing', type: 'regular' },
        errors: [
          {
            code: 131049,
            title: 'This message was not delivered to maintain healthy ecosystem engagement.',
            details: 'In order to maintain a healthy ecosystem engagement, the message failed.',
          },
        ],
      },
    });
    expect(played).toMatchObject({
      dedupeKey: 'status:wamid.OUT:played',
      status: { status: 'played', timestamp: 1750000001000, conversation: null, pricing: null, errors: [] },
    });
  });

  it('keeps an unknown status value and warns', () => {
    const body = notification([
      {
        id: 'W',
        changes: [messagesChange({ statuses: [{ id: 'wamid.Q', status: 'teleported', timestamp: '1' }] })],
      },
    ]);
    const { events, warnings } = parseOk(body);
    expect(events).toMatchObject([
      { kind: 'message-status-changed', dedupeKey: 'status:wamid.Q:teleported' },
    ]);
    expect(warnings).toEqual(['unknown status "teleported" for message wamid.Q']);
  });
});

describe('message types', () => {
  const single = (message: Record<string, unknown>) => {
    const { events, warnings } = parseOk(
      notification([
        {
          id: 'W',
          changes: [
            messagesChange({
              contacts: [{ profile: { name: 'P' }, wa_id: '972987654321' }],
              messages: [message],
            }),
          ],
        },
      ]),
    );
    const [event] = ofKind(events, 'message-received');
    if (!event) throw new Error('no message-received event');
    return { event, warnings };
  };
  const envelope = { from: '972987654321', timestamp: '1697044968' };

  it('edit: keyed by its own id, targets the original, carries the new text', () => {
    const { event, warnings } = single({
      ...envelope,
      id: 'wamid.yyyyyy',
      type: 'edit',
      edit: {
        original_message_id: 'wamid.zzzzzz',
        message: { type: 'text', text: { body: 'Text was edited' } },
      },
    });
    expect(warnings).toEqual([]);
    expect(event.dedupeKey).toBe('message:wamid.yyyyyy');
    expect(event.message).toMatchObject({
      id: 'wamid.yyyyyy',
      type: 'edit',
      text: 'Text was edited',
      targetMessageId: 'wamid.zzzzzz',
      edit: {
        originalMessageId: 'wamid.zzzzzz',
        message: { type: 'text', text: { body: 'Text was edited' } },
      },
      revoke: null,
      content: { type: 'edit', edit: { original_message_id: 'wamid.zzzzzz' } },
    });
  });

  it('edit of a caption: the new media and caption', () => {
    const { event } = single({
      ...envelope,
      id: 'wamid.e2',
      type: 'edit',
      edit: {
        original_message_id: 'wamid.orig',
        message: {
          type: 'image',
          image: { caption: 'caption', mime_type: 'image/jpeg', sha256: '4654+8g=', id: '65463453' },
        },
      },
    });
    expect(event.message).toMatchObject({
      text: 'caption',
      media: { id: '65463453', caption: 'caption', mimeType: 'image/jpeg' },
      targetMessageId: 'wamid.orig',
    });
  });

  it('revoke: keyed by its own id and targets the deleted message', () => {
    const { event, warnings } = single({
      ...envelope,
      id: 'wamid.rev',
      type: 'revoke',
      revoke: { original_message_id: 'wamid.gone' },
    });
    expect(warnings).toEqual([]);
    expect(event.dedupeKey).toBe('message:wamid.rev');
    expect(event.message).toMatchObject({
      type: 'revoke',
      text: null,
      revoke: { originalMessageId: 'wamid.gone' },
      targetMessageId: 'wamid.gone',
      edit: null,
    });
  });

  it('request_welcome, voice notes, videos and animated stickers', () => {
    expect(single({ ...envelope, id: 'w1', type: 'request_welcome' })).toMatchObject({
      event: { message: { type: 'request_welcome', text: null } },
      warnings: [],
    });
    expect(
      single({
        ...envelope,
        id: 'w2',
        type: 'audio',
        audio: {
          mime_type: 'audio/ogg; codecs=opus',
          sha256: 'h',
          id: 'A1',
          voice: true,
          url: 'https://lookaside',
        },
      }).event.message.media,
    ).toEqual({
      id: 'A1',
      mimeType: 'audio/ogg; codecs=opus',
      sha256: 'h',
      caption: null,
      filename: null,
      url: 'https://lookaside',
      isVoice: true,
    });
    expect(
      single({
        ...envelope,
        id: 'w3',
        type: 'video',
        video: { caption: 'look', mime_type: 'video/mp4', sha256: 'v', id: 'V1' },
      }).event.message,
    ).toMatchObject({ text: 'look', media: { id: 'V1', caption: 'look' } });
    expect(
      single({
        ...envelope,
        id: 'w4',
        type: 'sticker',
        sticker: { mime_type: 'image/webp', sha256: 's', id: 'S1', animated: true },
      }).event.message.media,
    ).toMatchObject({ isAnimated: true });
  });

  it('a flow reply whose response_json is not JSON keeps the string', () => {
    const { event } = single({
      ...envelope,
      id: 'w5',
      type: 'interactive',
      context: { from: '15550000000', id: 'wamid.flow' },
      interactive: {
        type: 'nfm_reply',
        nfm_reply: { name: 'flow', body: 'Sent', response_json: '{not json' },
      },
    });
    expect(event.message.interactive).toEqual({
      type: 'nfm_reply',
      id: null,
      title: 'Sent',
      description: null,
      name: 'flow',
      responseJson: '{not json',
    });
  });

  it('an interactive message without its interactive object (pywa has one) parses with nulls', () => {
    const { event } = single({ ...envelope, id: 'w6', type: 'interactive' });
    expect(event.message).toMatchObject({ type: 'interactive', interactive: null, text: null });
  });

  it('an unknown type is kept as is, stored in content, and flagged', () => {
    const { event, warnings } = single({
      ...envelope,
      id: 'wamid.poll',
      type: 'poll_vote',
      poll_vote: { option: 2 },
    });
    expect(event.message).toMatchObject({
      type: 'poll_vote',
      text: null,
      content: { type: 'poll_vote', poll_vote: { option: 2 } },
    });
    expect(warnings).toEqual(['unknown message type "poll_vote" in message wamid.poll']);
  });

  it('unsupported keeps its unsupported.type in content', () => {
    const { event, warnings } = single({
      ...envelope,
      id: 'wamid.u',
      type: 'unsupported',
      unsupported: { type: 'poll_creation' },
      errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown' }],
    });
    expect(warnings).toEqual([]);
    expect(event.message.content).toEqual({
      type: 'unsupported',
      unsupported: { type: 'poll_creation' },
      errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown' }],
    });
    expect(event.message.errors[0]?.code).toBe(131051);
  });

  it('system: user changed user id and customer identity changed', () => {
    expect(
      single({
        id: 'wamid.sys1',
        timestamp: '1753851315',
        type: 'system',
        system: {
          body: 'User changed from CO.1234567890 to MX.0987654321',
          user_id: 'MX.0987654321',
          previous_user_id: 'CO.1234567890',
          type: 'user_changed_user_id',
        },
      }).event.message.system,
    ).toEqual({
      type: 'user_changed_user_id',
      body: 'User changed from CO.1234567890 to MX.0987654321',
      newWaId: null,
      newUserId: 'MX.0987654321',
      previousUserId: 'CO.1234567890',
      customer: null,
    });
  });

  it('a message without an id gets a stable synthetic key and a warning', () => {
    const message = { ...envelope, type: 'text', text: { body: 'no id' } };
    const first = single(message);
    const second = single({ text: { body: 'no id' }, type: 'text', ...envelope });
    expect(first.event.message.id).toMatch(/^unidentified:[0-9a-f]{64}$/);
    expect(first.event.dedupeKey).toBe(`message:${first.event.message.id}`);
    expect(second.event.dedupeKey).toBe(first.event.dedupeKey);
    expect(first.warnings).toEqual([expect.stringMatching(/has no id/)]);
  });
});

describe('other fields', () => {
  const change = (field: string, value: unknown, entry: Record<string, unknown> = {}) =>
    parseOk(
      notification([{ id: '102290129340398', time: 1743451903, ...entry, changes: [{ field, value }] }]),
    );

  it('message_template_status_update with rejection and pause details', () => {
    const { events, warnings } = change('message_template_status_update', {
      event: 'REJECTED',
      message_template_id: 1689556908129832,
      message_template_name: 'order_confirmation',
      message_template_language: 'en-US',
      reason: 'SCAM',
      message_template_category: 'UTILITY',
      rejection_info: { reason: 'SCAM', recommendation: 'Remove the link' },
      other_info: { title: 'FIRST_PAUSE', description: 'paused for quality' },
      disable_info: { disable_date: '1743500000' },
    });
    expect(warnings).toEqual([]);
    expect(events).toMatchObject([
      {
        kind: 'template-status-updated',
        wabaId: '102290129340398',
        occurredAt: 1743451903000,
        data: {
          messageTemplateId: '1689556908129832',
          name: 'order_confirmation',
          language: 'en-US',
          event: 'REJECTED',
          reason: 'SCAM',
          category: 'UTILITY',
          rejectionInfo: { reason: 'SCAM', recommendation: 'Remove the link' },
          otherInfo: { title: 'FIRST_PAUSE', description: 'paused for quality' },
          disableDate: 1743500000000,
        },
      },
    ]);
  });

  it('message_template_quality_update and template_category_update', () => {
    expect(
      change('message_template_quality_update', {
        previous_quality_score: 'GREEN',
        new_quality_score: 'YELLOW',
        message_template_id: 806312974732579,
        message_template_name: 'welcome',
        message_template_language: 'en_US',
      }).events,
    ).toMatchObject([
      {
        kind: 'template-quality-updated',
        field: 'message_template_quality_update',
        dedupeKey: hashKey('message_template_quality_update'),
        data: {
          messageTemplateId: '806312974732579',
          name: 'welcome',
          language: 'en_US',
          previousQualityScore: 'GREEN',
          newQualityScore: 'YELLOW',
        },
      },
    ]);
    expect(
      change('template_category_update', {
        message_template_id: 12345678,
        message_template_name: 'my_message_template',
        message_template_language: 'he',
        previous_category: 'UTILITY',
        new_category: 'MARKETING',
      }).events,
    ).toMatchObject([
      {
        kind: 'template-category-updated',
        data: {
          messageTemplateId: '12345678',
          language: 'he',
          previousCategory: 'UTILITY',
          newCategory: 'MARKETING',
          correctCategory: null,
        },
      },
    ]);
  });

  it('phone_number_quality_update reads the tier from either key, as a string', () => {
    expect(
      change('phone_number_quality_update', {
        display_phone_number: '15550783881',
        event: 'FLAGGED',
        current_limit: 'TIER_10K',
      }).events,
    ).toMatchObject([
      {
        kind: 'phone-number-quality-updated',
        displayPhoneNumber: '15550783881',
        phoneNumberId: null,
        data: {
          displayPhoneNumber: '15550783881',
          event: 'FLAGGED',
          currentLimit: 'TIER_10K',
          oldLimit: null,
          maxDailyConversationsPerBusiness: null,
          messagingLimitTier: 'TIER_10K',
        },
      },
    ]);
    expect(
      change('phone_number_quality_update', {
        display_phone_number: '15550783881',
        event: 'THROUGHPUT_UPGRADE',
        max_daily_conversations_per_business: 2000,
        current_limit: 'TIER_1K',
      }).events,
    ).toMatchObject([
      {
        data: {
          maxDailyConversationsPerBusiness: '2000',
          messagingLimitTier: '2000',
          currentLimit: 'TIER_1K',
        },
      },
    ]);
  });

  it('phone_number_name_update and account_review_update', () => {
    expect(
      change('phone_number_name_update', {
        display_phone_number: '15550783881',
        decision: 'APPROVED',
        requested_verified_name: 'Coxcox Store',
        rejection_reason: null,
      }).events,
    ).toMatchObject([
      {
        kind: 'phone-number-name-updated',
        data: {
          displayPhoneNumber: '15550783881',
          decision: 'APPROVED',
          requestedVerifiedName: 'Coxcox Store',
          rejectionReason: null,
        },
      },
    ]);
    expect(change('account_review_update', { decision: 'APPROVED' }).events).toMatchObject([
      { kind: 'account-review-updated', data: { decision: 'APPROVED' } },
    ]);
  });

  it('account_update: partner app installed, restriction, ban', () => {
    expect(
      change('account_update', {
        event: 'PARTNER_APP_INSTALLED',
        waba_info: {
          waba_id: '1191624265890717',
          owner_business_id: '2329417887457253',
          partner_app_id: '5731794616896507',
          solution_id: '1715120619246906',
        },
      }).events,
    ).toMatchObject([
      {
        kind: 'account-updated',
        data: {
          event: 'PARTNER_APP_INSTALLED',
          wabaInfo: {
            wabaId: '1191624265890717',
            ownerBusinessId: '2329417887457253',
            partnerAppId: '5731794616896507',
            solutionId: '1715120619246906',
          },
          restrictions: [],
          banInfo: null,
        },
      },
    ]);
    expect(
      change('account_update', {
        event: 'ACCOUNT_RESTRICTION',
        restriction_info: [
          { restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration: 1641330498 },
        ],
      }).events,
    ).toMatchObject([
      {
        data: {
          event: 'ACCOUNT_RESTRICTION',
          restrictions: [
            { restrictionType: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration: 1641330498000 },
          ],
        },
      },
    ]);
    expect(
      change('account_update', {
        event: 'DISABLED_UPDATE',
        ban_info: { waba_ban_state: 'REINSTATE', waba_ban_date: 'April 17, 2025' },
      }).events,
    ).toMatchObject([{ data: { banInfo: { state: 'REINSTATE', date: 'April 17, 2025' } } }]);
  });

  it('user_preferences: one event per item, BSUID-only and resume', () => {
    const { events } = change('user_preferences', {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
      user_preferences: [
        {
          wa_id: '16505551234',
          detail: 'User requested to resume marketing messages',
          category: 'marketing_messages',
          value: 'resume',
          timestamp: 1731705721,
        },
        { user_id: 'US.77', category: 'marketing_messages', value: 'stop', timestamp: '1731705722' },
      ],
    });
    expect(events).toMatchObject([
      {
        kind: 'user-preference-changed',
        phoneNumberId: '106540352242922',
        dedupeKey: 'user-preference:16505551234:1731705721000:resume',
        data: { waId: '16505551234', userId: null, value: 'resume', timestamp: 1731705721000 },
      },
      {
        kind: 'user-preference-changed',
        dedupeKey: 'user-preference:US.77:1731705722000:stop',
        data: { waId: null, userId: 'US.77', value: 'stop', detail: null },
      },
    ]);
  });

  it('smb_message_echoes: messages the business sent from the WhatsApp Business app', () => {
    const { events, warnings } = change('smb_message_echoes', {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '972123456789', phone_number_id: '1122334455667' },
      message_echoes: [
        {
          from: '972123456789',
          to: '972987654321',
          to_user_id: 'IL.5',
          id: 'wamid.echo1',
          timestamp: '1697043223',
          type: 'text',
          text: { body: 'Test message' },
        },
      ],
    });
    expect(warnings).toEqual([]);
    expect(events).toMatchObject([
      {
        kind: 'message-echoed',
        field: 'smb_message_echoes',
        dedupeKey: hashKey('smb_message_echoes'),
        phoneNumberId: '1122334455667',
        occurredAt: 1697043223000,
        data: {
          id: 'wamid.echo1',
          from: '972123456789',
          to: '972987654321',
          toUserId: 'IL.5',
          type: 'text',
          text: 'Test message',
        },
      },
    ]);
  });

  it('calls: call events, call statuses and value.errors', () => {
    const { events } = change('calls', {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '16315553602', phone_number_id: '37489742' },
      calls: [
        {
          id: 'wacid.T',
          to: '16315553601',
          from: '16315553602',
          event: 'terminate',
          direction: 'BUSINESS_INITIATED',
          biz_opaque_callback_data: 'random_string',
          timestamp: '1671644824',
          status: 'COMPLETED',
          start_time: '1671644824',
          end_time: '1671644944',
          duration: 120,
        },
      ],
      statuses: [
        {
          id: 'wacid.R',
          timestamp: '1671644820',
          type: 'call',
          status: 'RINGING',
          recipient_id: '163155536021',
        },
      ],
      errors: [
        { code: 12455, message: 'ERROR_TITLE', href: 'ERROR_HREF', error_data: { details: 'ERROR_DETAILS' } },
      ],
    });
    expect(events).toMatchObject([
      {
        kind: 'call-event',
        data: {
          callId: 'wacid.T',
          event: 'terminate',
          status: 'COMPLETED',
          direction: 'BUSINESS_INITIATED',
          startTime: 1671644824000,
          endTime: 1671644944000,
          durationSeconds: 120,
          bizOpaqueCallbackData: 'random_string',
        },
      },
      {
        kind: 'call-event',
        data: { callId: 'wacid.R', event: 'status', status: 'RINGING', to: '163155536021' },
      },
      {
        kind: 'webhook-errors',
        field: 'calls',
        errors: [
          { code: 12455, title: null, message: 'ERROR_TITLE', details: 'ERROR_DETAILS', href: 'ERROR_HREF' },
        ],
      },
    ]);
  });

  it('a documented field we do not model is kept without a warning; an unknown one with a warning', () => {
    const alerts = change('account_alerts', { entity_type: 'PHONE_NUMBER', entity_id: '1', alert_info: {} });
    expect(alerts.events).toMatchObject([
      { kind: 'change-received', field: 'account_alerts', occurredAt: 1743451903000 },
    ]);
    expect(alerts.warnings).toEqual([]);

    const future = change('quantum_update', { hello: 'world' });
    expect(future.events).toMatchObject([
      {
        kind: 'change-received',
        field: 'quantum_update',
        value: { hello: 'world' },
        raw: { hello: 'world' },
      },
    ]);
    expect(future.warnings).toEqual(['entry[0].changes[0]: unknown field "quantum_update"']);
  });

  it('a known field that holds nothing recognisable is still kept', () => {
    const { events, warnings } = change('messages', { messaging_product: 'whatsapp', messages: [] });
    expect(events).toMatchObject([{ kind: 'change-received', field: 'messages' }]);
    expect(warnings).toEqual([expect.stringMatching(/held nothing we recognise/)]);
  });
});

describe('dedupe keys of hashed events', () => {
  const template = { event: 'PAUSED', message_template_id: 7, message_template_name: 'p', reason: null };
  const keyOf = (body: string, index = 0) => parseOk(body).events[index]?.dedupeKey;

  it('do not depend on the batch, key order or escaping; do depend on WABA and entry time', () => {
    const alone = notification([
      { id: 'W', time: 1700000000, changes: [{ field: 'message_template_status_update', value: template }] },
    ]);
    const batched = notification([
      { id: 'OTHER', time: 1700000000, changes: [{ field: 'account_update', value: { event: 'X' } }] },
      {
        id: 'W',
        time: 1700000000,
        changes: [
          { field: 'account_review_update', value: { decision: 'APPROVED' } },
          {
            value: { reason: null, message_template_name: 'p', message_template_id: 7, event: 'PAUSED' },
            field: 'message_template_status_update',
          },
        ],
      },
    ]);
    const escaped = alone.replace('"p"', '"\\u0070"');
    expect(escaped).not.toBe(alone);
    expect(keyOf(alone)).toMatch(/^message_template_status_update:[0-9a-f]{64}$/);
    expect(keyOf(batched, 2)).toBe(keyOf(alone));
    expect(keyOf(escaped)).toBe(keyOf(alone));

    // The same template paused again later is a new event; the same for another WABA.
    expect(keyOf(alone.replace('1700000000', '1700003600'))).not.toBe(keyOf(alone));
    expect(keyOf(alone.replace('"id":"W"', '"id":"V"'))).not.toBe(keyOf(alone));
  });

  it('identical change-level errors on two numbers get two keys', () => {
    const error = { code: 130429, title: 'Rate limit hit' };
    const { events } = parseOk(
      notification([
        {
          id: 'W',
          changes: [messagesChange({ errors: [error] }, 'PN_1'), messagesChange({ errors: [error] }, 'PN_2')],
        },
      ]),
    );
    expect(events).toHaveLength(2);
    expect(events[0]?.dedupeKey).not.toBe(events[1]?.dedupeKey);
  });
});

describe('raw bodies', () => {
  it('decodes escaped unicode and \\/ as Meta sends them', () => {
    const body =
      '{"object":"whatsapp_business_account","entry":[{"id":"W","changes":[{"field":"messages","value":' +
      '{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"P"},' +
      '"contacts":[{"profile":{"name":"Jos\\u00e9 \\u00c4\\u00f6\\u00e5"},"wa_id":"1"}],' +
      '"messages":[{"from":"1","id":"wamid.U","timestamp":"1","type":"text",' +
      '"text":{"body":"Ol\\u00e1 \\ud83d\\udc4d veja https:\\/\\/example.com\\/p?a=1"}}]}}]}]}';
    expect(body).toContain('\\/');
    for (const input of [body, Buffer.from(body, 'utf8')]) {
      const [event] = ofKind(parseOk(input).events, 'message-received');
      expect(event?.contact.name).toBe('José Äöå');
      expect(event?.message.text).toBe('Olá 👍 veja https://example.com/p?a=1');
    }
  });

  it('reads raw UTF-8 bytes, a Buffer that is a view into a larger one, and a leading BOM', () => {
    const body = notification([
      {
        id: 'W',
        changes: [
          messagesChange({
            messages: [{ id: 'm', from: '1', timestamp: '1', type: 'text', text: { body: 'ção 🚀' } }],
          }),
        ],
      },
    ]);
    const view = Buffer.concat([Buffer.from('garbage'), Buffer.from(body)]).subarray(7);
    for (const input of [view, `\uFEFF${body}`]) {
      expect(ofKind(parseOk(input).events, 'message-received')[0]?.message.text).toBe('ção 🚀');
    }
  });

  it.each([
    ['an empty body', '', /empty/],
    ['whitespace', '   \n', /empty/],
    ['plain text', 'hello', /not valid JSON/],
    ['truncated JSON', '{"object":"whatsapp_business_account","entry":[{"id":"1"', /not valid JSON/],
    ['a form body', 'object=whatsapp_business_account', /not valid JSON/],
    ['an array', '[{"object":"whatsapp_business_account"}]', /not a JSON object but an array/],
    ['null', 'null', /not a JSON object but null/],
    ['a number', '42', /not a JSON object but a number/],
    ['a string', '"whatsapp_business_account"', /not a JSON object but a string/],
    ['an object without "object"', '{"entry":[]}', /"object" is missing/],
    ['a page notification', '{"object":"page","entry":[]}', /"object" is "page"/],
    ['an instagram notification', '{"object":"instagram","entry":[]}', /"object" is "instagram"/],
    ['a WABA object without entry', '{"object":"whatsapp_business_account"}', /"entry" is missing/],
    ['entry as an object', '{"object":"whatsapp_business_account","entry":{}}', /"entry" is an object/],
  ])('refuses %s with a problem', (_label, body, problem) => {
    const result = parseWebhook(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(problem);
    const fromBuffer = parseWebhook(Buffer.from(body));
    expect(fromBuffer).toEqual(result);
  });

  it('refuses a body that is neither a Buffer nor a string, without throwing', () => {
    for (const input of [undefined, null, 42, {}, []]) {
      const result = parseWebhook(input as unknown as string);
      expect(result).toMatchObject({
        ok: false,
        problem: expect.stringMatching(/must be a Buffer or a string/),
      });
    }
  });

  it('refuses absurd nesting but accepts a deep unknown value that can still be stored', () => {
    const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const wrap = (value: string) =>
      `{"object":"whatsapp_business_account","entry":[{"id":"W","changes":[{"field":"x_future","value":${value}}]}]}`;
    const refused = parseWebhook(wrap(deep(100_000)));
    expect(refused).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/nests deeper than 200 levels/),
    });
    const accepted = parseOk(wrap(deep(150)));
    expect(accepted.events).toMatchObject([{ kind: 'change-received', field: 'x_future' }]);
    expect(() => JSON.stringify(accepted.events)).not.toThrow();
  });
});

describe('odd shapes inside a notification', () => {
  it.each([
    ['entry items that are not objects', { entry: [null, 1, 'x', []] }, 0],
    ['an entry without changes', { entry: [{ id: 'W' }] }, 0],
    ['changes that are not objects', { entry: [{ id: 'W', changes: [null, 7, 'x'] }] }, 3],
    ['a change without field', { entry: [{ id: 'W', changes: [{ value: { a: 1 } }] }] }, 1],
    [
      'a messages value that is an array',
      { entry: [{ id: 'W', changes: [{ field: 'messages', value: [] }] }] },
      1,
    ],
    [
      'a messages value that is null',
      { entry: [{ id: 'W', changes: [{ field: 'messages', value: null }] }] },
      1,
    ],
    [
      'messages that is an object',
      { entry: [{ id: 'W', changes: [{ field: 'messages', value: { messages: {} } }] }] },
      1,
    ],
    [
      'message items that are not objects',
      { entry: [{ id: 'W', changes: [{ field: 'messages', value: { messages: [1, null] } }] }] },
      2,
    ],
    ['a field named __proto__', { entry: [{ id: 'W', changes: [{ field: '__proto__', value: {} }] }] }, 1],
    [
      'a field named constructor',
      { entry: [{ id: 'W', changes: [{ field: 'constructor', value: {} }] }] },
      1,
    ],
    [
      'a template value that is a string',
      { entry: [{ id: 'W', changes: [{ field: 'account_update', value: 'x' }] }] },
      1,
    ],
  ])('tolerates %s', (_label, body, eventCount) => {
    const result = parseWebhook(JSON.stringify({ object: 'whatsapp_business_account', ...body }));
    if (!result.ok) throw new Error(result.problem);
    expect(result.events).toHaveLength(eventCount);
    expect(result.warnings.length).toBeGreaterThan(0);
  });

  it('reads wrong types at every level of a message as nulls, never inherited properties', () => {
    const { events, warnings } = parseOk(
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: 12345,
            time: 'yesterday',
            changes: [
              {
                field: 'messages',
                value: {
                  metadata: { phone_number_id: 987, display_phone_number: true },
                  contacts: [{ profile: 'x', wa_id: ['1'] }, 5],
                  messages: [
                    {
                      id: 42,
                      from: { a: 1 },
                      timestamp: 'soon',
                      type: 'constructor',
                      text: 'not an object',
                      context: 'x',
                      referral: 5,
                      errors: { code: 1 },
                    },
                    {
                      id: 'wamid.T',
                      type: 'text',
                      text: { body: 7 },
                      image: [],
                      contacts: {},
                      reaction: null,
                    },
                    { id: 'wamid.I', type: 'interactive', interactive: { type: 5, button_reply: 'x' } },
                    { id: 'wamid.R', type: 'reaction', reaction: { message_id: 'm', emoji: '' } },
                  ],
                  statuses: [
                    { id: 'wamid.S', status: 5, conversation: [], pricing: 'x', errors: 'x', timestamp: -5 },
                  ],
                },
              },
            ],
          },
        ],
      }),
    );
    expect(events).toMatchObject([
      {
        kind: 'message-received',
        wabaId: '12345',
        phoneNumberId: '987',
        displayPhoneNumber: null,
        occurredAt: null,
        dedupeKey: 'message:42',
        message: {
          id: '42',
          from: null,
          timestamp: null,
          type: 'constructor',
          text: null,
          context: null,
          referral: null,
          errors: [],
          content: { type: 'constructor', text: 'not an object' },
        },
      },
      { message: { id: 'wamid.T', type: 'text', text: '7', media: null, contacts: null } },
      // A number where a string belongs is kept as its digits (and flagged as an unknown type).
      { message: { id: 'wamid.I', interactive: { type: '5', id: null, title: null } } },
      { message: { reaction: { messageId: 'm', emoji: null } } },
      {
        kind: 'message-status-changed',
        dedupeKey: 'status:wamid.S:5',
        status: { status: '5', timestamp: null, conversation: null, pricing: null, errors: [] },
      },
    ]);
    expect(warnings).toEqual(
      expect.arrayContaining([
        'unknown message type "constructor" in message 42',
        'unknown interactive type "5" in message wamid.I',
        'unknown status "5" for message wamid.S',
      ]),
    );
  });

  it('keeps a __proto__ key as plain content without touching prototypes', () => {
    const body =
      '{"object":"whatsapp_business_account","entry":[{"id":"W","changes":[{"field":"messages","value":{"messages":' +
      '[{"id":"wamid.P","type":"text","text":{"body":"x"},"__proto__":{"polluted":true}}]}}]}]}';
    const [event] = ofKind(parseOk(body).events, 'message-received');
    if (!event) throw new Error('no message-received event');
    expect(Object.hasOwn(event.message.content, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((event.message.content as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('caps warnings for a huge batch of odd items', () => {
    const messages = Array.from({ length: 500 }, (_, index) => ({ id: `m${index}`, type: `weird_${index}` }));
    const { events, warnings } = parseOk(
      notification([{ id: 'W', changes: [messagesChange({ messages })] }]),
    );
    expect(events).toHaveLength(500);
    expect(warnings).toHaveLength(101);
    expect(warnings[100]).toBe('… and 400 more warnings');
  });
});

// ---------------------------------------------------------------------------------------------------

describe('fuzz', () => {
  /** Mulberry32: a small seeded generator, so that a failure can be replayed. */
  function generator(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const KINDS = new Set<string>([
    'message-received',
    'message-status-changed',
    'template-status-updated',
    'template-quality-updated',
    'template-category-updated',
    'phone-number-quality-updated',
    'phone-number-name-updated',
    'account-updated',
    'account-review-updated',
    'user-preference-changed',
    'message-echoed',
    'group-event',
    'call-event',
    'webhook-errors',
    'change-received',
  ]);

  function checkResult(result: ParseResult): void {
    expect(typeof result.ok).toBe('boolean');
    if (!result.ok) {
      expect(typeof result.problem).toBe('string');
      expect(result.problem.length).toBeGreaterThan(0);
      expect(result.problem).not.toMatch(/^internal parser error/);
      return;
    }
    expect(Array.isArray(result.warnings)).toBe(true);
    for (const event of result.events) {
      expect(KINDS.has(event.kind)).toBe(true);
      expect(typeof event.dedupeKey).toBe('string');
      expect(event.dedupeKey.length).toBeGreaterThan(0);
      expect(typeof event.field).toBe('string');
      expect(event.occurredAt === null || Number.isFinite(event.occurredAt)).toBe(true);
      if (event.kind === 'message-received') {
        expect(typeof event.message.id).toBe('string');
        expect(typeof event.message.type).toBe('string');
        expect(Array.isArray(event.message.errors)).toBe(true);
        expect(event.dedupeKey).toBe(`message:${event.message.id}`);
        const stored = JSON.stringify(event.message.content);
        expect(JSON.stringify(JSON.parse(stored))).toBe(stored);
      }
      if (event.kind === 'message-status-changed') {
        expect(event.dedupeKey).toBe(`status:${event.status.id}:${event.status.status}`);
      }
    }
    // Every parsed result can be stored as JSON.
    expect(() => JSON.stringify(result)).not.toThrow();
  }

  const seeds: unknown[] = allFixtureNames()
    .map((name) => JSON.parse(fixtureBody(name).toString('utf8')))
    .concat([
      JSON.parse(
        notification([
          {
            id: 'W',
            changes: [
              messagesChange({
                messages: [
                  {
                    id: 'e',
                    type: 'edit',
                    edit: { original_message_id: 'o', message: { type: 'text', text: { body: 'x' } } },
                  },
                  { id: 'r', type: 'revoke', revoke: { original_message_id: 'o' } },
                ],
                statuses: [
                  { id: 's', status: 'sent', pricing: { billable: true }, conversation: { origin: {} } },
                ],
                errors: [{ code: 1 }],
              }),
              {
                field: 'smb_message_echoes',
                value: { message_echoes: [{ id: 'x', type: 'text', text: { body: 'y' } }] },
              },
              {
                field: 'calls',
                value: { calls: [{ id: 'c', event: 'connect' }], statuses: [{ id: 'c', status: 'RINGING' }] },
              },
              { field: 'account_update', value: { event: 'A', waba_info: {}, restriction_info: [{}] } },
              { field: 'phone_number_quality_update', value: { event: 'FLAGGED', current_limit: 'TIER_2K' } },
            ],
          },
        ]),
      ),
    ]);

  it('2,000 mutated bodies never throw and always give a well-formed result', () => {
    const random = generator(20_240_607);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const oddKeys = [
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'type',
      'id',
      'messages',
      'field',
      '',
    ];
    const oddValues = (): unknown[] => [
      null,
      true,
      false,
      0,
      -1,
      1.5,
      1e308,
      -1e308,
      '',
      'x',
      '1700000000',
      'constructor',
      '__proto__',
      'text',
      'whatsapp_business_account',
      [],
      {},
      [null],
      { type: 'text' },
      { messages: [{}] },
      Array.from({ length: 1 + Math.floor(random() * 2000) }, (_, index) => (index % 2 ? {} : index)),
      JSON.parse(`${'['.repeat(50)}${']'.repeat(50)}`),
      JSON.parse(`${'{"a":'.repeat(60)}1${'}'.repeat(60)}`),
    ];

    function nodesOf(root: unknown): { parent: Record<string, unknown> | unknown[]; key: string | number }[] {
      const found: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
      const stack = [root];
      while (stack.length > 0) {
        const node = stack.pop();
        if (Array.isArray(node)) {
          node.forEach((child, index) => {
            found.push({ parent: node, key: index });
            stack.push(child);
          });
        } else if (node !== null && typeof node === 'object') {
          for (const [key, child] of Object.entries(node)) {
            found.push({ parent: node as Record<string, unknown>, key });
            stack.push(child);
          }
        }
      }
      return found;
    }

    function mutate(root: unknown): void {
      const nodes = nodesOf(root);
      if (nodes.length === 0) return;
      const { parent, key } = pick(nodes);
      const operation = random();
      if (Array.isArray(parent)) {
        const index = key as number;
        if (operation < 0.4) parent[index] = pick(oddValues());
        else if (operation < 0.6) parent.splice(index, 1);
        else if (operation < 0.8) parent.push(structuredClone(parent[index]));
        else parent[index] = [parent[index]];
        return;
      }
      const record = parent as Record<string, unknown>;
      const name = key as string;
      if (operation < 0.45) record[name] = pick(oddValues());
      else if (operation < 0.65) delete record[name];
      else if (operation < 0.8) {
        const value = record[name];
        delete record[name];
        Object.defineProperty(record, pick(oddKeys), {
          value,
          enumerable: true,
          configurable: true,
          writable: true,
        });
      } else if (operation < 0.9) {
        const value = record[name];
        record[name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
      } else record[name] = { nested: record[name] };
    }

    function corruptText(text: string): string {
      const operation = random();
      if (operation < 0.4) return text.slice(0, Math.floor(random() * text.length));
      if (operation < 0.6) {
        const at = Math.floor(random() * text.length);
        return (
          text.slice(0, at) +
          pick(['"', '{', ']', ',', '\\', '\\u00', '\u0000', 'é', '\uD83D']) +
          text.slice(at + 1)
        );
      }
      if (operation < 0.8) return text.replaceAll('"', random() < 0.5 ? "'" : '');
      return `${text}${pick(['}', ']', ' ', 'x', ',{}'])}`;
    }

    let okCount = 0;
    let refusedCount = 0;
    const failures: string[] = [];
    for (let iteration = 0; iteration < 2000; iteration++) {
      const body = structuredClone(pick(seeds));
      const mutations = 1 + Math.floor(random() * 6);
      for (let count = 0; count < mutations; count++) mutate(body);
      let text = JSON.stringify(body);
      if (random() < 0.25) text = corruptText(text);
      const input = random() < 0.5 ? text : Buffer.from(text, 'utf8');
      let result: ParseResult;
      try {
        result = parseWebhook(input);
      } catch (error) {
        failures.push(`iteration ${iteration} threw ${String(error)}: ${text.slice(0, 300)}`);
        continue;
      }
      checkResult(result);
      if (result.ok) okCount += 1;
      else refusedCount += 1;
      // The same bytes always give the same events and keys.
      expect(parseWebhook(input)).toEqual(result);
    }
    expect(failures).toEqual([]);
    // The mutations must exercise both paths, or this test proves little.
    expect(okCount).toBeGreaterThan(500);
    expect(refusedCount).toBeGreaterThan(100);
  });

  it('random bytes and random JSON values never throw', () => {
    const random = generator(7);
    for (let iteration = 0; iteration < 500; iteration++) {
      const bytes = Buffer.from(
        Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256)),
      );
      checkResult(parseWebhook(bytes));
    }
    const values = [
      0,
      'x',
      null,
      [],
      {},
      { object: null },
      { object: 'whatsapp_business_account', entry: 'x' },
    ];
    for (const value of values) checkResult(parseWebhook(JSON.stringify(value)));
  });
});
