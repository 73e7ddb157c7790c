import type { Kysely, Transaction } from 'kysely';
import { DISCONNECTED_PROBLEM_PREFIX } from '../health/index.ts';
import { notFound } from '../http/app-error.ts';
import type { Database } from '../store/schema.ts';
import './onboarding-schema.ts';

export interface DisconnectInput {
  tenantId: string;
  phoneNumberId: string;
  /** keep: conversations, messages and the number stay (it just never sends); delete: all of it goes. */
  data: 'keep' | 'delete';
  reason?: string | undefined;
}

export interface DisconnectResult {
  phoneNumberId: string;
  data: 'keep' | 'delete';
  /** Queued or held messages that will never be sent. */
  cancelledMessages: number;
  /** Rows removed per table (data: delete). */
  deleted: Record<string, number>;
}

const count = (result: { numDeletedRows?: bigint; numUpdatedRows?: bigint }) =>
  Number(result.numDeletedRows ?? result.numUpdatedRows ?? 0n);

/**
 * Disconnects a number: it stops sending at once (queued and held messages are cancelled with the reason,
 * and the number is marked so the dispatcher holds anything else), and its data is kept or deleted as the
 * tenant chooses. A message already handed to Meta cannot be taken back; its outcome is still recorded.
 */
export async function disconnectNumber(
  db: Kysely<Database>,
  input: DisconnectInput,
  nowMs: number,
): Promise<DisconnectResult> {
  return db.transaction().execute(async (trx) => {
    const number = await trx
      .selectFrom('phone_numbers')
      .select(['phone_number_id', 'waba_id'])
      .where('tenant_id', '=', input.tenantId)
      .where('phone_number_id', '=', input.phoneNumberId)
      .executeTakeFirst();
    if (!number) throw notFound(`phone number ${input.phoneNumberId}`);
    const reason = input.reason?.trim() || 'disconnected by the tenant';
    const cancelled = await trx
      .updateTable('outbox')
      .set({
        state: 'cancelled',
        hold_reason: 'number-disconnected',
        error_title: `not sent: the number was disconnected (${reason})`,
        idempotency_key: null,
        locked_by: null,
        updated_at: nowMs,
      })
      .where('phone_number_id', '=', input.phoneNumberId)
      .where('state', 'in', ['queued', 'held'])
      .executeTakeFirst();
    const result: DisconnectResult = {
      phoneNumberId: input.phoneNumberId,
      data: input.data,
      cancelledMessages: count(cancelled),
      deleted: {},
    };
    if (input.data === 'keep') {
      await trx
        .updateTable('phone_numbers')
        .set({
          is_healthy: 0,
          health_problem:
            `${DISCONNECTED_PROBLEM_PREFIX} on ${new Date(nowMs).toISOString().slice(0, 10)}: ${reason}`.slice(
              0,
              500,
            ),
          updated_at: nowMs,
        })
        .where('phone_number_id', '=', input.phoneNumberId)
        .execute();
      await trx
        .insertInto('number_connections')
        .values({
          phone_number_id: input.phoneNumberId,
          tenant_id: input.tenantId,
          state: 'disconnected',
          onboarding_id: null,
          connected_at: nowMs,
          disconnected_at: nowMs,
          disconnect_reason: reason,
        })
        .onConflict((oc) =>
          oc
            .column('phone_number_id')
            .doUpdateSet({ state: 'disconnected', disconnected_at: nowMs, disconnect_reason: reason }),
        )
        .execute();
      return result;
    }
    result.deleted = await deleteNumberData(trx, input.tenantId, input.phoneNumberId, number.waba_id);
    return result;
  });
}

/** Everything recorded about one number, then the number; the WABA's tokens go with its last number. */
async function deleteNumberData(
  trx: Transaction<Database>,
  tenantId: string,
  phoneNumberId: string,
  wabaId: string,
): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  const conversations = trx
    .selectFrom('conversations')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('phone_number_id', '=', phoneNumberId);
  const wamids = trx
    .selectFrom('messages')
    .select('wamid')
    .where('tenant_id', '=', tenantId)
    .where('phone_number_id', '=', phoneNumberId);
  const outboxIds = trx
    .selectFrom('outbox')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('phone_number_id', '=', phoneNumberId);
  deleted.message_statuses = count(
    await trx
      .deleteFrom('message_statuses')
      .where('tenant_id', '=', tenantId)
      .where('wamid', 'in', wamids)
      .executeTakeFirst(),
  );
  deleted.outbox_attempts = count(
    await trx.deleteFrom('outbox_attempts').where('outbox_id', 'in', outboxIds).executeTakeFirst(),
  );
  deleted.outbox = count(
    await trx
      .deleteFrom('outbox')
      .where('tenant_id', '=', tenantId)
      .where('phone_number_id', '=', phoneNumberId)
      .executeTakeFirst(),
  );
  // The agent's records of these conversations are conversation data too.
  deleted.agent_turns = count(
    await trx.deleteFrom('agent_turns').where('conversation_id', 'in', conversations).executeTakeFirst(),
  );
  deleted.agent_callbacks = count(
    await trx.deleteFrom('agent_callbacks').where('conversation_id', 'in', conversations).executeTakeFirst(),
  );
  deleted.agent_conversation_state = count(
    await trx
      .deleteFrom('agent_conversation_state')
      .where('conversation_id', 'in', conversations)
      .executeTakeFirst(),
  );
  deleted.messages = count(
    await trx
      .deleteFrom('messages')
      .where('tenant_id', '=', tenantId)
      .where('phone_number_id', '=', phoneNumberId)
      .executeTakeFirst(),
  );
  deleted.conversations = count(
    await trx
      .deleteFrom('conversations')
      .where('tenant_id', '=', tenantId)
      .where('phone_number_id', '=', phoneNumberId)
      .executeTakeFirst(),
  );
  deleted.webhook_events = count(
    await trx
      .deleteFrom('webhook_events')
      .where('tenant_id', '=', tenantId)
      .where('phone_number_id', '=', phoneNumberId)
      .executeTakeFirst(),
  );
  for (const table of [
    'pacers',
    'pair_pacers',
    'tier_recipients',
    'pending_opt_outs',
    'number_health',
    'number_connections',
  ] as const) {
    deleted[table] = count(
      await trx.deleteFrom(table).where('phone_number_id', '=', phoneNumberId).executeTakeFirst(),
    );
  }
  deleted.health_events = count(
    await trx
      .deleteFrom('health_events')
      .where('tenant_id', '=', tenantId)
      .where('phone_number_id', '=', phoneNumberId)
      .executeTakeFirst(),
  );
  deleted.phone_numbers = count(
    await trx.deleteFrom('phone_numbers').where('phone_number_id', '=', phoneNumberId).executeTakeFirst(),
  );
  const others = await trx
    .selectFrom('phone_numbers')
    .select('phone_number_id')
    .where('waba_id', '=', wabaId)
    .executeTakeFirst();
  if (!others) {
    deleted.access_tokens = count(
      await trx
        .deleteFrom('access_tokens')
        .where('tenant_id', '=', tenantId)
        .where('waba_id', '=', wabaId)
        .executeTakeFirst(),
    );
    deleted.wabas = count(
      await trx
        .deleteFrom('wabas')
        .where('tenant_id', '=', tenantId)
        .where('waba_id', '=', wabaId)
        .executeTakeFirst(),
    );
  }
  return deleted;
}
