import type { Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { AppliedEvent } from '../whatsapp/index.ts';

const SUCCESS = new Set(['sent', 'delivered', 'read', 'played']);

/**
 * Runs in the transaction that records a status webhook. The status names our outbox id in
 * `biz_opaque_callback_data`, so a send whose answer was lost (timeout, crash) is settled here: Meta
 * took it, so it is sent, and it will not be sent again. A `failed` status fails the message for good.
 */
export async function reconcileStatus(trx: Transaction<Database>, applied: AppliedEvent): Promise<void> {
  if (applied.event.kind !== 'message-status-changed') return;
  const status = applied.event.status;
  const outboxId = status.bizOpaqueCallbackData;
  if (!outboxId?.startsWith('out_')) return;
  const now = Date.now();
  if (SUCCESS.has(status.status)) {
    const settled = await trx
      .updateTable('outbox')
      .set({
        state: 'sent',
        wamid: status.id,
        sent_at: status.timestamp ?? now,
        hold_reason: null,
        updated_at: now,
      })
      .where('id', '=', outboxId)
      .where('tenant_id', '=', applied.tenantId)
      .where('state', 'in', ['sending', 'unknown', 'queued', 'held'])
      .executeTakeFirst();
    // Already sent (the usual case: the send's answer came first): nothing to settle.
    if (Number(settled.numUpdatedRows) === 0) return;
    // Fill in the conversation and content of the wamid's row from the outbox, if it is a placeholder.
    const row = await trx
      .selectFrom('outbox')
      .select(['conversation_id', 'message', 'message_type'])
      .where('id', '=', outboxId)
      .where('tenant_id', '=', applied.tenantId)
      .executeTakeFirst();
    if (row) {
      await trx
        .updateTable('messages')
        .set({
          conversation_id: row.conversation_id,
          content: row.message,
          type: row.message_type,
          updated_at: now,
        })
        .where('tenant_id', '=', applied.tenantId)
        .where('wamid', '=', status.id)
        .where('type', '=', 'unknown')
        .execute();
    }
    return;
  }
  if (status.status === 'failed') {
    const error = status.errors[0];
    await trx
      .updateTable('outbox')
      .set({
        state: 'failed',
        wamid: status.id,
        error_code: error?.code ?? null,
        error_title: error?.title ?? error?.message ?? 'failed (status webhook)',
        error_category: 'status-failed',
        updated_at: now,
      })
      .where('id', '=', outboxId)
      .where('tenant_id', '=', applied.tenantId)
      .where('state', 'in', ['sending', 'unknown', 'queued', 'held', 'sent'])
      .execute();
  }
}
