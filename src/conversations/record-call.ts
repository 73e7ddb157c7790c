import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import { upsertContact, upsertConversation } from './record-inbound.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface CallRecord {
  tenantId: string;
  phoneNumberId: string | null;
  callId: string;
  /** USER_INITIATED or BUSINESS_INITIATED. */
  direction: string | null;
  /** The customer's wa_id: the caller of an inbound call, the callee of an outbound one. */
  customerWaId: string | null;
  /** connect, terminate, or a `value.statuses` item's status. */
  event: string | null;
  status: string | null;
  at: number | null;
  startTime: number | null;
  endTime: number | null;
  durationSeconds: number | null;
}

/** How far along a call an event is: a later stage never gives way to an earlier one delivered late. */
const STAGES: Record<string, number> = {
  RINGING: 1,
  CONNECT: 1,
  ACCEPTED: 2,
  REJECTED: 3,
  COMPLETED: 3,
  FAILED: 3,
};
const stageOf = (record: Pick<CallRecord, 'event' | 'status'>) =>
  Math.max(
    STAGES[record.status?.toUpperCase() ?? ''] ?? 0,
    record.event?.toLowerCase() === 'terminate' ? 3 : (STAGES[record.event?.toUpperCase() ?? ''] ?? 0),
  );

/**
 * Puts a WhatsApp Business Calling webhook into the conversation's timeline, until calling is built: one
 * message of type `call` per call (keyed `call:<call id>`), whose content follows the call from ringing to
 * its end and duration. Events of one call may arrive in any order; the furthest stage wins.
 */
export async function recordCall(
  db: Db,
  record: CallRecord,
  now: number,
): Promise<{ messageId: string; conversationId: string | null; isNew: boolean }> {
  const contactId = await upsertContact(
    db,
    record.tenantId,
    { waId: record.customerWaId, userId: null },
    now,
  );
  const conversationId =
    contactId && record.phoneNumberId
      ? await upsertConversation(db, record.tenantId, record.phoneNumberId, contactId, now)
      : null;
  const wamid = `call:${record.callId}`;
  const stage = stageOf(record);
  const content = {
    type: 'call',
    call: {
      id: record.callId,
      direction: record.direction,
      event: record.event,
      status: record.status ?? (record.event?.toLowerCase() === 'terminate' ? 'COMPLETED' : 'RINGING'),
      stage,
      startTime: record.startTime === null ? null : new Date(record.startTime).toISOString(),
      endTime: record.endTime === null ? null : new Date(record.endTime).toISOString(),
      durationSeconds: record.durationSeconds,
    },
  };
  const id = randomUUID();
  const inserted = await db
    .insertInto('messages')
    .values({
      id,
      tenant_id: record.tenantId,
      conversation_id: conversationId,
      contact_id: contactId,
      phone_number_id: record.phoneNumberId,
      wamid,
      direction: record.direction === 'BUSINESS_INITIATED' ? 'out' : 'in',
      type: 'call',
      content: JSON.stringify(content),
      context_wamid: null,
      sent_at: record.startTime ?? record.at,
      status: null,
      status_rank: 0,
      status_at: record.at,
      error_code: null,
      error_title: null,
      biz_opaque_callback_data: null,
      is_revoked: 0,
      edited_content: null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'wamid']).doNothing())
    .executeTakeFirst();
  const isNew = Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
  if (isNew) return { messageId: id, conversationId, isNew };
  const existing = await db
    .selectFrom('messages')
    .select(['id', 'conversation_id', 'content'])
    .where('tenant_id', '=', record.tenantId)
    .where('wamid', '=', wamid)
    .executeTakeFirstOrThrow();
  const before = (JSON.parse(existing.content) as { call?: { stage?: number } } | null)?.call?.stage ?? 0;
  if (stage >= before) {
    const previous = (JSON.parse(existing.content) as { call: Record<string, unknown> }).call;
    // Keep what the earlier event knew (its start time) when the later one leaves it out.
    const merged = {
      type: 'call',
      call: Object.fromEntries(
        Object.entries(content.call).map(([key, value]) => [key, value ?? previous[key] ?? null]),
      ),
    };
    await db
      .updateTable('messages')
      .set({ content: JSON.stringify(merged), status_at: record.at, updated_at: now })
      .where('id', '=', existing.id)
      .execute();
  }
  return { messageId: existing.id, conversationId: existing.conversation_id, isNew: false };
}
