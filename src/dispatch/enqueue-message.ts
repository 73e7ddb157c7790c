import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { upsertContact, upsertConversation } from '../conversations/index.ts';
import { AppError } from '../http/app-error.ts';
import type { Database } from '../store/schema.ts';
import { buildSendBody, isGraphError, type OutboundMessage } from '../whatsapp/graph/index.ts';
import { CUSTOMER_SERVICE_WINDOW_MS } from './pacing.ts';
import { validateOutboundMessage } from './validate-outbound.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type MessageSource = 'api' | 'agent' | 'campaign' | 'human' | 'system';

export interface EnqueueInput {
  tenantId: string;
  /** Meta's phone number id of the sending number. */
  phoneNumberId: string;
  message: OutboundMessage;
  source: MessageSource;
  idempotencyKey?: string | null;
  conversationId?: string | null;
  campaignId?: string | null;
  /** The template's category (MARKETING, UTILITY, AUTHENTICATION), for consent and the tier. */
  category?: string | null;
  replyToWamid?: string | null;
  /** The colleague who wrote it (a hand-sent reply), for the thread to name. */
  sentByUserId?: string | null;
  /** Not before this time (epoch ms): pacing of multi-bubble replies, schedules. */
  notBeforeMs?: number;
}

export interface Enqueued {
  id: string;
  /** False when the idempotency key matched an earlier request: nothing new was queued. */
  isNew: boolean;
}

/** Digits only, as Meta reports a wa_id. */
export function normalizeRecipient(to: string): string {
  return to.replace(/\D/g, '');
}

/**
 * Writes one outbound message to the outbox. Call it inside the transaction of the domain change that
 * causes the message, so that both commit or neither does. A free-form message outside the 24-hour
 * customer-service window is refused here, with the reason, before it could cost a failed send.
 */
export async function enqueueMessage(
  db: Db,
  input: EnqueueInput,
  nowMs: number = Date.now(),
): Promise<Enqueued> {
  validateOutboundMessage(input.message);
  try {
    buildSendBody(input.message, { bizOpaqueCallbackData: 'out_00000000-0000-0000-0000-000000000000' });
  } catch (error) {
    if (isGraphError(error)) throw new AppError('validation_failed', `message: ${error.message}`);
    throw error;
  }
  const number = await db
    .selectFrom('phone_numbers')
    .select(['tenant_id'])
    .where('phone_number_id', '=', input.phoneNumberId)
    .executeTakeFirst();
  if (!number || number.tenant_id !== input.tenantId) {
    throw new AppError('not_found', `phone number ${input.phoneNumberId} was not found for this tenant`);
  }
  if (input.idempotencyKey) {
    const existing = await findByIdempotencyKey(db, input.tenantId, input.idempotencyKey);
    if (existing) return { id: existing, isNew: false };
  }

  const recipient = normalizeRecipient(input.message.to);
  if (recipient === '')
    throw new AppError(
      'validation_failed',
      'message.to: give the recipient’s phone number with country code',
    );
  const isTemplate = input.message.type === 'template';
  let conversationId = input.conversationId ?? null;
  /** Whether the conversation has shown nothing yet, so the inbox list would not show it (see below). */
  let isSilent = conversationId !== null;
  if (!isTemplate || conversationId === null) {
    // Two index lookups (contact by wa_id, then the conversation by its unique key): a join here lets
    // SQLite walk every conversation of the number.
    const contact = await db
      .selectFrom('contacts')
      .select('id')
      .where('tenant_id', '=', input.tenantId)
      .where('wa_id', '=', recipient)
      .executeTakeFirst();
    const conversation = contact
      ? await db
          .selectFrom('conversations')
          .select(['id', 'last_inbound_at', 'last_message_at'])
          .where('tenant_id', '=', input.tenantId)
          .where('phone_number_id', '=', input.phoneNumberId)
          .where('contact_id', '=', contact.id)
          .executeTakeFirst()
      : undefined;
    conversationId ??= conversation?.id ?? null;
    if (conversation && conversation.id === conversationId) isSilent = conversation.last_message_at === null;
    if (!isTemplate) {
      const lastInboundAt = conversation?.last_inbound_at ?? null;
      if (lastInboundAt === null || lastInboundAt <= nowMs - CUSTOMER_SERVICE_WINDOW_MS) {
        throw new AppError(
          'window_closed',
          lastInboundAt === null
            ? `${recipient} has never written to this number, so only an approved template may be sent (Meta error 131047)`
            : `the 24-hour customer-service window for ${recipient} closed at ${new Date(lastInboundAt + CUSTOMER_SERVICE_WINDOW_MS).toISOString()}; send an approved template instead (Meta error 131047)`,
        );
      }
    }
  }

  if (conversationId === null) {
    // A first message to this customer: the conversation starts now, so its statuses and replies have a home.
    const contactId = await upsertContact(db, input.tenantId, { waId: recipient, userId: null }, nowMs);
    if (contactId) {
      conversationId = await upsertConversation(db, input.tenantId, input.phoneNumberId, contactId, nowMs);
      isSilent = true;
    }
  }
  if (conversationId !== null && isSilent && input.source !== 'campaign') {
    // The inbox lists a conversation once something happened in it. A message someone sent (by API, by
    // hand, the agent) has: if it is held (a number down, a token revoked), it must show in the inbox with
    // its reason, not vanish (issue 11). A campaign's conversations appear as their messages go out.
    await db
      .updateTable('conversations')
      .set({ last_message_at: nowMs })
      .where('id', '=', conversationId)
      .where('last_message_at', 'is', null)
      .execute();
  }

  const id = `out_${randomUUID()}`;
  const inserted = await db
    .insertInto('outbox')
    .values({
      id,
      tenant_id: input.tenantId,
      phone_number_id: input.phoneNumberId,
      recipient,
      conversation_id: conversationId,
      message: JSON.stringify(input.message),
      message_type: input.message.type,
      is_template: isTemplate ? 1 : 0,
      category: input.category ?? null,
      source: input.source,
      campaign_id: input.campaignId ?? null,
      reply_to_wamid: input.replyToWamid ?? null,
      idempotency_key: input.idempotencyKey ?? null,
      sent_by_user_id: input.sentByUserId ?? null,
      state: 'queued',
      hold_reason: null,
      attempts: 0,
      next_attempt_at: input.notBeforeMs ?? nowMs,
      locked_until: null,
      locked_by: null,
      wamid: null,
      error_code: null,
      error_title: null,
      error_category: null,
      created_at: nowMs,
      updated_at: nowMs,
      sent_at: null,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0 && input.idempotencyKey) {
    // Another request with the same key won the race.
    return { id: (await findByIdempotencyKey(db, input.tenantId, input.idempotencyKey))!, isNew: false };
  }
  return { id, isNew: true };
}

async function findByIdempotencyKey(db: Db, tenantId: string, key: string): Promise<string | null> {
  const row = await db
    .selectFrom('outbox')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return row?.id ?? null;
}
