/** What one webhook item says, before items are grouped into Meta's envelope. */
export interface WebhookItem {
  wabaId: string;
  /** Events with the same key go through the same lane, in order (the customer's wa_id). */
  laneKey: string;
  /** `messages` for inbound messages and statuses; other fields carry their own `value`. */
  field: string;
  metadata?: { display_phone_number: string; phone_number_id: string };
  contact?: { profile: { name: string }; wa_id: string };
  message?: Record<string, unknown>;
  status?: Record<string, unknown>;
  value?: Record<string, unknown>;
}

interface MessagesValue {
  messaging_product: 'whatsapp';
  metadata: { display_phone_number: string; phone_number_id: string };
  contacts?: Array<{ profile: { name: string }; wa_id: string }>;
  messages?: Array<Record<string, unknown>>;
  statuses?: Array<Record<string, unknown>>;
}

interface Entry {
  id: string;
  time?: number;
  changes: Array<{ value: unknown; field: string }>;
}

/**
 * Groups items into Meta's envelope `{object, entry:[{id: wabaId, changes:[{value, field}]}]}`: one
 * entry per WABA, and per business number one `messages` change for statuses and one for inbound
 * messages (with their `contacts`). Order is kept within each change.
 */
export function buildWebhookBody(items: readonly WebhookItem[], nowSeconds: number): Record<string, unknown> {
  const entries = new Map<string, Entry>();
  const messageValues = new Map<string, MessagesValue>();
  for (const item of items) {
    let entry = entries.get(item.wabaId);
    if (!entry) {
      entry = { id: item.wabaId, changes: [] };
      entries.set(item.wabaId, entry);
    }
    if (item.field !== 'messages' || !item.metadata) {
      entry.time = nowSeconds;
      entry.changes.push({ value: item.value ?? {}, field: item.field });
      continue;
    }
    const kind = item.status ? 'statuses' : 'messages';
    const key = `${item.wabaId}:${item.metadata.phone_number_id}:${kind}`;
    let value = messageValues.get(key);
    if (!value) {
      value = { messaging_product: 'whatsapp', metadata: item.metadata };
      messageValues.set(key, value);
      entry.changes.push({ value, field: 'messages' });
    }
    if (item.status) {
      value.statuses ??= [];
      value.statuses.push(item.status);
    } else if (item.message) {
      if (item.contact) {
        value.contacts ??= [];
        const waId = item.contact.wa_id;
        if (!value.contacts.some((contact) => contact.wa_id === waId)) value.contacts.push(item.contact);
      }
      value.messages ??= [];
      value.messages.push(item.message);
    }
  }
  return { object: 'whatsapp_business_account', entry: [...entries.values()] };
}
