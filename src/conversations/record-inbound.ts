import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction, type Updateable } from 'kysely';
import type { Database } from '../store/schema.ts';
import { statusRank } from './status-rank.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The later of a column and a time, portably (SQLite's scalar max() is PostgreSQL's greatest()). */
function laterOf(column: 'last_inbound_at' | 'last_message_at', time: number) {
  return sql<number>`case when coalesce(${sql.ref(column)}, 0) < ${time} then ${time} else ${sql.ref(column)} end`;
}

export interface ContactKey {
  waId: string | null;
  userId: string | null;
  name?: string | null;
  username?: string | null;
  parentUserId?: string | null;
}

/**
 * Finds or creates the contact for a wa_id and/or a business-scoped user id (BSUID). Both keys are
 * unique per tenant; whichever one is known finds the contact, and the other is filled in when it
 * first appears, so both forms of Meta's payloads land on one contact.
 */
export async function upsertContact(
  db: Db,
  tenantId: string,
  key: ContactKey,
  now: number,
): Promise<string | null> {
  if (!key.waId && !key.userId) return null;
  const find = async () => {
    let query = db.selectFrom('contacts').selectAll().where('tenant_id', '=', tenantId);
    query = query.where((eb) => {
      const ors = [];
      if (key.waId) ors.push(eb('wa_id', '=', key.waId));
      if (key.userId) ors.push(eb('user_id', '=', key.userId));
      return eb.or(ors);
    });
    // Prefer the wa_id match when the two keys point at different rows.
    const rows = await query.execute();
    return rows.find((row) => key.waId && row.wa_id === key.waId) ?? rows[0];
  };
  let contact = await find();
  if (!contact) {
    await db
      .insertInto('contacts')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        wa_id: key.waId,
        user_id: key.userId,
        name: key.name ?? null,
        username: key.username ?? null,
        parent_user_id: key.parentUserId ?? null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    contact = await find();
    if (!contact) return null;
  }
  const changes: Updateable<Database['contacts']> = {};
  if (key.waId && !contact.wa_id) changes.wa_id = key.waId;
  if (key.userId && !contact.user_id) changes.user_id = key.userId;
  if (key.name && key.name !== contact.name) changes.name = key.name;
  if (key.username && key.username !== contact.username) changes.username = key.username;
  if (key.parentUserId && key.parentUserId !== contact.parent_user_id)
    changes.parent_user_id = key.parentUserId;
  if (Object.keys(changes).length > 0) {
    await db
      .updateTable('contacts')
      .set({ ...changes, updated_at: now })
      .where('id', '=', contact.id)
      .execute();
  }
  return contact.id;
}

/** Finds or creates the conversation between one business number and one contact. */
export async function upsertConversation(
  db: Db,
  tenantId: string,
  phoneNumberId: string,
  contactId: string,
  now: number,
) {
  await db
    .insertInto('conversations')
    .values({
      id: randomUUID(),
      tenant_id: tenantId,
      phone_number_id: phoneNumberId,
      contact_id: contactId,
      last_inbound_at: null,
      last_message_at: null,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'phone_number_id', 'contact_id']).doNothing())
    .execute();
  const row = await db
    .selectFrom('conversations')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('phone_number_id', '=', phoneNumberId)
    .where('contact_id', '=', contactId)
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface InboundMessageRecord {
  tenantId: string;
  phoneNumberId: string | null;
  contact: ContactKey;
  wamid: string;
  type: string;
  sentAt: number | null;
  contextWamid: string | null;
  content: unknown;
  /** For an edit or a revoke: the message it changes. */
  targetWamid: string | null;
  /** A `system` message's notice: a number change moves the contact to its new wa_id or user id. */
  system?: { type: string | null; newWaId: string | null; newUserId: string | null } | null;
}

/**
 * Records one inbound message, once: the unique (tenant, wamid) key makes a duplicate a no-op, in the
 * same transaction as the rest. Returns the message id and whether it was new.
 */
export async function recordInboundMessage(
  db: Db,
  record: InboundMessageRecord,
  now: number,
): Promise<{ messageId: string; conversationId: string | null; isNew: boolean }> {
  const contactId = await upsertContact(db, record.tenantId, record.contact, now);
  let conversationId: string | null = null;
  if (contactId && record.phoneNumberId) {
    conversationId = await upsertConversation(db, record.tenantId, record.phoneNumberId, contactId, now);
  }
  const id = randomUUID();
  const inboundError = firstErrorOf(record.content);
  const inserted = await db
    .insertInto('messages')
    .values({
      id,
      tenant_id: record.tenantId,
      conversation_id: conversationId,
      contact_id: contactId,
      phone_number_id: record.phoneNumberId,
      wamid: record.wamid,
      direction: 'in',
      type: record.type,
      content: JSON.stringify(record.content ?? null),
      context_wamid: record.contextWamid,
      sent_at: record.sentAt,
      status: 'received',
      status_rank: 0,
      status_at: record.sentAt,
      // An inbound message can carry Meta's error (131051 for an unsupported type, 131060 unavailable).
      error_code: inboundError?.code ?? null,
      error_title: inboundError?.title ?? null,
      error_details: inboundError?.details ?? null,
      biz_opaque_callback_data: null,
      is_revoked: 0,
      edited_content: null,
      target_wamid: changesAnother(record) ? record.targetWamid : null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'wamid']).doNothing())
    .executeTakeFirst();
  const isNew = Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
  if (!isNew) {
    const existing = await db
      .selectFrom('messages')
      .select(['id', 'conversation_id'])
      .where('tenant_id', '=', record.tenantId)
      .where('wamid', '=', record.wamid)
      .executeTakeFirstOrThrow();
    return { messageId: existing.id, conversationId: existing.conversation_id, isNew: false };
  }
  if (conversationId && record.sentAt !== null) {
    // The 24-hour customer-service window runs from the customer's latest message.
    await db
      .updateTable('conversations')
      .set({
        last_inbound_at: laterOf('last_inbound_at', record.sentAt),
        last_message_at: laterOf('last_message_at', record.sentAt),
      })
      .where('id', '=', conversationId)
      .execute();
  }
  if (contactId && record.system)
    await applyIdentityChange(db, record.tenantId, contactId, record.system, now);
  if (changesAnother(record)) await applyChanges(db, record.tenantId, record.targetWamid, now);
  // Edits and revokes that came before this message (webhooks are not ordered) apply now.
  await applyChanges(db, record.tenantId, record.wamid, now);
  return { messageId: id, conversationId, isNew: true };
}

/**
 * A `system` notice that the customer changed number (`user_changed_number`, formerly
 * `customer_changed_number`) or business-scoped user id (`user_changed_user_id`) moves the contact to its
 * new id, so that messages from the new number find the same contact, history and consent. When another
 * contact already holds the new id, both stay as they are: merging two histories is for a person to decide.
 */
async function applyIdentityChange(
  db: Db,
  tenantId: string,
  contactId: string,
  system: NonNullable<InboundMessageRecord['system']>,
  now: number,
): Promise<void> {
  const column = system.newWaId ? 'wa_id' : system.newUserId ? 'user_id' : null;
  const newId = system.newWaId ?? system.newUserId;
  if (column === null || newId === null) return;
  const holder = await db
    .selectFrom('contacts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where(column, '=', newId)
    .executeTakeFirst();
  if (holder) return;
  await db
    .updateTable('contacts')
    .set({ [column]: newId, updated_at: now })
    .where('id', '=', contactId)
    .execute();
}

/** The first of `errors` in Meta's message object: its code, title and details. */
function firstErrorOf(
  content: unknown,
): { code: number | null; title: string | null; details: string | null } | null {
  const errors = (content as { errors?: unknown } | null)?.errors;
  const first = Array.isArray(errors) ? (errors[0] as Record<string, unknown> | undefined) : undefined;
  if (typeof first !== 'object' || first === null) return null;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  const data = first.error_data as Record<string, unknown> | undefined;
  return {
    code:
      typeof first.code === 'number'
        ? first.code
        : Number.isFinite(Number(first.code))
          ? Number(first.code)
          : null,
    title: text(first.title) ?? text(first.message),
    details: text(data?.details) ?? text(first.details) ?? text(first.message),
  };
}

/** An edit or a revoke, with the message it changes. */
const changesAnother = (
  record: InboundMessageRecord,
): record is InboundMessageRecord & { targetWamid: string } =>
  record.targetWamid !== null && (record.type === 'revoke' || record.type === 'edit');

/** The message an edit carries (`edit.message`, e.g. `{type: 'text', text: {...}}`): what the customer now sees. */
function editedMessageOf(content: string): unknown {
  const parsed = JSON.parse(content) as { edit?: { message?: unknown } } | null;
  return parsed?.edit?.message ?? parsed;
}

/**
 * Applies every edit and revoke recorded for one message, whichever arrived first: a revoke hides it, and
 * the newest edit (by the customer's own time) is its content. Run when either side arrives.
 */
async function applyChanges(db: Db, tenantId: string, targetWamid: string, now: number): Promise<void> {
  const changes = await db
    .selectFrom('messages')
    .select(['type', 'content', 'sent_at'])
    .where('tenant_id', '=', tenantId)
    .where('target_wamid', '=', targetWamid)
    .where('direction', '=', 'in')
    .execute();
  if (changes.length === 0) return;
  const isRevoked = changes.some((change) => change.type === 'revoke');
  const edits = changes
    .filter((change) => change.type === 'edit')
    .sort((a, b) => (a.sent_at ?? 0) - (b.sent_at ?? 0));
  const latestEdit = edits[edits.length - 1];
  await db
    .updateTable('messages')
    .set({
      ...(isRevoked ? { is_revoked: 1 } : {}),
      ...(latestEdit ? { edited_content: JSON.stringify(editedMessageOf(latestEdit.content) ?? null) } : {}),
      updated_at: now,
    })
    .where('tenant_id', '=', tenantId)
    .where('wamid', '=', targetWamid)
    .execute();
}

export interface StatusRecord {
  tenantId: string;
  phoneNumberId: string | null;
  wamid: string;
  status: string;
  occurredAt: number;
  recipientId: string | null;
  errorCode: number | null;
  errorTitle: string | null;
  errorDetails?: string | null;
  bizOpaqueCallbackData: string | null;
  payload: unknown;
  deliveryId: number;
}

/**
 * Records a status once per (message, status) and moves the message's current status forward only.
 * The update is one conditional statement, never a read-then-write in memory.
 */
export async function recordStatus(
  db: Db,
  record: StatusRecord,
  now: number,
): Promise<{ isNew: boolean; hasAdvanced: boolean }> {
  const inserted = await db
    .insertInto('message_statuses')
    .values({
      tenant_id: record.tenantId,
      wamid: record.wamid,
      status: record.status,
      occurred_at: record.occurredAt,
      recipient_id: record.recipientId,
      payload: JSON.stringify(record.payload ?? null),
      delivery_id: record.deliveryId,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'wamid', 'status']).doNothing())
    .executeTakeFirst();
  const isNew = Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
  if (!isNew) return { isNew: false, hasAdvanced: false };

  const rank = statusRank(record.status);
  const advance = () =>
    db
      .updateTable('messages')
      .set({
        status: record.status,
        status_rank: rank,
        status_at: record.occurredAt,
        error_code: record.errorCode,
        error_title: record.errorTitle,
        error_details: record.errorDetails ?? null,
        updated_at: now,
      })
      .where('tenant_id', '=', record.tenantId)
      .where('wamid', '=', record.wamid)
      .where('status_rank', '<', rank)
      .executeTakeFirst();
  let updated = await advance();
  if (Number(updated.numUpdatedRows) === 0) {
    const exists = await db
      .selectFrom('messages')
      .select('id')
      .where('tenant_id', '=', record.tenantId)
      .where('wamid', '=', record.wamid)
      .executeTakeFirst();
    if (!exists) {
      // A status for a message we have not seen (sent by another system, or its send not yet recorded).
      await db
        .insertInto('messages')
        .values({
          id: randomUUID(),
          tenant_id: record.tenantId,
          conversation_id: null,
          contact_id: null,
          phone_number_id: record.phoneNumberId,
          wamid: record.wamid,
          direction: 'out',
          type: 'unknown',
          content: 'null',
          context_wamid: null,
          sent_at: null,
          status: null,
          status_rank: 0,
          status_at: null,
          error_code: null,
          error_title: null,
          biz_opaque_callback_data: record.bizOpaqueCallbackData,
          is_revoked: 0,
          edited_content: null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'wamid']).doNothing())
        .execute();
      updated = await advance();
    }
  }
  return { isNew: true, hasAdvanced: Number(updated.numUpdatedRows) > 0 };
}
