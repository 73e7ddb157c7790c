import { createHmac } from 'node:crypto';

/** Serializes like Meta: `/` escaped as `\/` and every non-ASCII character as `\uXXXX`. */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('/', '\\/')
    .replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function signature(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

let counter = 0;
/** A unique wamid for tests. */
export function wamid(): string {
  counter += 1;
  return `wamid.TEST${Date.now().toString(36)}${counter.toString(36).padStart(6, '0')}`;
}

export interface TextMessageInput {
  wabaId: string;
  phoneNumberId: string;
  from: string;
  text: string;
  id?: string;
  timestamp?: number;
  name?: string;
}

export function textMessageNotification(input: TextMessageInput) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: input.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550000001', phone_number_id: input.phoneNumberId },
              contacts: [{ profile: { name: input.name ?? 'Test Customer' }, wa_id: input.from }],
              messages: [
                {
                  from: input.from,
                  id: input.id ?? wamid(),
                  timestamp: String(input.timestamp ?? Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: input.text },
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

export function statusNotification(input: {
  wabaId: string;
  phoneNumberId: string;
  statuses: Array<{
    id: string;
    status: string;
    timestamp?: number;
    recipientId?: string;
    bizOpaqueCallbackData?: string;
    errors?: unknown[];
  }>;
}) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: input.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550000001', phone_number_id: input.phoneNumberId },
              statuses: input.statuses.map((status) => ({
                id: status.id,
                status: status.status,
                timestamp: String(status.timestamp ?? Math.floor(Date.now() / 1000)),
                recipient_id: status.recipientId ?? '15551234567',
                ...(status.bizOpaqueCallbackData
                  ? { biz_opaque_callback_data: status.bizOpaqueCallbackData }
                  : {}),
                ...(status.errors ? { errors: status.errors } : {}),
              })),
            },
          },
        ],
      },
    ],
  };
}
