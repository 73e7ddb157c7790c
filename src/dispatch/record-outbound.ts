import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { OutboundMessage } from '../whatsapp/graph/index.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface OutboundRecord {
  tenantId: string;
  phoneNumberId: string;
  conversationId: string | null;
  outboxId: string;
  wamid: string;
  message: OutboundMessage;
  sentAt: number;
  now: number;
}

/**
 * Records a sent message in the conversation, keyed by wamid. A status webhook may have beaten us here
 * and left a placeholder row for the wamid; then the placeholder gets the content, and keeps its status.
 */
export async function recordOutboundMessage(db: Db, record: OutboundRecord): Promise<void> {
  const conversation = record.conversationId
    ? await db
        .selectFrom('conversations')
        .select('contact_id')
        .where('id', '=', record.conversationId)
        .executeTakeFirst()
    : undefined;
  const content = JSON.stringify(record.message);
  await db
    .insertInto('messages')
    .values({
      id: randomUUID(),
      tenant_id: record.tenantId,
      conversation_id: record.conversationId,
      contact_id: conversation?.contact_id ?? null,
      phone_number_id: record.phoneNumberId,
      wamid: record.wamid,
      direction: 'out',
      type: record.message.type,
      content,
      context_wamid: null,
      sent_at: record.sentAt,
      status: 'accepted',
      status_rank: 1,
      status_at: record.sentAt,
      error_code: null,
      error_title: null,
      biz_opaque_callback_data: record.outboxId,
      is_revoked: 0,
      edited_content: null,
      created_at: record.now,
      updated_at: record.now,
    })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'wamid']).doUpdateSet({
        conversation_id: record.conversationId,
        contact_id: conversation?.contact_id ?? null,
        type: record.message.type,
        content,
        sent_at: record.sentAt,
        biz_opaque_callback_data: record.outboxId,
        updated_at: record.now,
      }),
    )
    .execute();
  if (record.conversationId) {
    await db
      .updateTable('conversations')
      .set({ last_message_at: record.sentAt })
      .where('id', '=', record.conversationId)
      .execute();
  }
}
