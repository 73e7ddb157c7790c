import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import { upsertContact, upsertConversation } from './record-inbound.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface EchoedMessageRecord {
  tenantId: string;
  phoneNumberId: string | null;
  /** The customer the business wrote to. */
  to: { waId: string | null; userId: string | null };
  wamid: string;
  type: string;
  sentAt: number | null;
  contextWamid: string | null;
  content: unknown;
}

/**
 * Records a message the business sent from the WhatsApp Business app on a coexistence number
 * (`smb_message_echoes`): an outbound message of the conversation, sent from the app, once by its wamid.
 * Its statuses then arrive like any other send's. It is not an inbound message, so it does not open the
 * customer-service window.
 */
export async function recordEchoedMessage(
  db: Db,
  record: EchoedMessageRecord,
  now: number,
): Promise<{ messageId: string; conversationId: string | null; isNew: boolean }> {
  const contactId = await upsertContact(db, record.tenantId, record.to, now);
  const conversationId =
    contactId && record.phoneNumberId
      ? await upsertConversation(db, record.tenantId, record.phoneNumberId, contactId, now)
      : null;
  const id = randomUUID();
  const inserted = await db
    .insertInto('messages')
    .values({
      id,
      tenant_id: record.tenantId,
      conversation_id: conversationId,
      contact_id: contactId,
      phone_number_id: record.phoneNumberId,
      wamid: record.wamid,
      direction: 'out',
      type: record.type,
      content: JSON.stringify(record.content ?? null),
      context_wamid: record.contextWamid,
      sent_at: record.sentAt,
      status: 'sent',
      status_rank: 1,
      status_at: record.sentAt,
      error_code: null,
      error_title: null,
      biz_opaque_callback_data: null,
      is_revoked: 0,
      edited_content: null,
      origin: 'business_app',
      created_at: now,
      updated_at: now,
    })
    // A status webhook that came first made a placeholder row: the echo fills it in.
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'wamid']).doUpdateSet({
        conversation_id: conversationId,
        contact_id: contactId,
        type: record.type,
        content: JSON.stringify(record.content ?? null),
        context_wamid: record.contextWamid,
        sent_at: record.sentAt,
        origin: 'business_app',
        updated_at: now,
      }),
    )
    .returning(['id'])
    .executeTakeFirst();
  const isNew = inserted?.id === id;
  if (conversationId && record.sentAt !== null) {
    await db
      .updateTable('conversations')
      .set({
        last_message_at: sql<number>`case when coalesce(last_message_at, 0) < ${record.sentAt} then ${record.sentAt} else last_message_at end`,
      })
      .where('id', '=', conversationId)
      .execute();
  }
  return { messageId: inserted?.id ?? id, conversationId, isNew };
}
