import type { Kysely, Transaction } from 'kysely';
import { enqueueJob } from '../queue/index.ts';
import type { Database } from '../store/schema.ts';
import { emitTenantEvent } from '../tenant-webhooks/index.ts';
import './agent-schema.ts';

/** The job that, at a callback's time, puts the conversation in front of the team. */
export const AGENT_CALLBACK_DUE_JOB = 'agent-callback-due';

type Db = Kysely<Database> | Transaction<Database>;

export interface CallbackView {
  id: string;
  conversationId: string;
  scheduledAt: string;
  timeZone: string;
  /** The agreed time as the customer sees it, e.g. "Tue, 14 Jan 2026, 15:00". */
  localTime: string;
  note: string | null;
  state: string;
}

export async function listCallbacks(db: Db, conversationId: string): Promise<CallbackView[]> {
  const rows = await db
    .selectFrom('agent_callbacks')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .orderBy('scheduled_at')
    .execute();
  return rows.map(toCallbackView);
}

export function toCallbackView(row: Database['agent_callbacks']): CallbackView {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    scheduledAt: new Date(row.scheduled_at).toISOString(),
    timeZone: row.time_zone,
    localTime: new Intl.DateTimeFormat('en-GB', {
      timeZone: row.time_zone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    }).format(row.scheduled_at),
    note: row.note,
    state: row.state,
  };
}

/** Records a callback the customer agreed to, and the job that brings it up at its time. */
export async function scheduleCallback(
  trx: Transaction<Database>,
  row: Database['agent_callbacks'],
  now: number,
): Promise<void> {
  await trx.insertInto('agent_callbacks').values(row).execute();
  await enqueueJob(
    trx,
    {
      kind: AGENT_CALLBACK_DUE_JOB,
      payload: { callbackId: row.id },
      runAt: row.scheduled_at,
      dedupeKey: `callback:${row.id}`,
    },
    now,
  );
}

/** Outcomes that end the sale: a callback beside one of them would be a call nobody wants. */
export const LOST_OUTCOMES: ReadonlySet<string> = new Set(['not_interested']);

/**
 * Takes back the callbacks still open (scheduled, or due and not yet made), of one conversation (its outcome
 * became not interested) or of every conversation of a contact (they opted out of everything). Their jobs
 * find them cancelled and do nothing, so the lead never shows "Not interested" beside a call to make.
 */
export async function cancelOpenCallbacks(
  trx: Db,
  of: { conversationId: string } | { contactId: string },
): Promise<number> {
  const result = await trx
    .updateTable('agent_callbacks')
    .set({ state: 'cancelled' })
    .where('state', 'in', ['scheduled', 'due'])
    .$call((query) =>
      'conversationId' in of
        ? query.where('conversation_id', '=', of.conversationId)
        : query.where('contact_id', '=', of.contactId),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * A callback's time has come: the conversation needs a person (it shows under "needs attention" in the
 * inbox), and the tenant's systems hear `callback.due` (a dialer, a CRM task). Once per callback; a
 * callback cancelled or already handled is left alone.
 */
export async function callbackDue(db: Kysely<Database>, callbackId: string, now: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('agent_callbacks')
      .selectAll()
      .where('id', '=', callbackId)
      .executeTakeFirst();
    if (!row || row.state !== 'scheduled') return false;
    // An opt-out that came another way (the API, an import) or a lost sale: nobody is to call.
    const lead = await trx
      .selectFrom('conversations')
      .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
      .select(['conversations.outcome', 'contacts.opted_out_at'])
      .where('conversations.id', '=', row.conversation_id)
      .executeTakeFirst();
    if (!lead || lead.opted_out_at !== null || (lead.outcome !== null && LOST_OUTCOMES.has(lead.outcome))) {
      await cancelOpenCallbacks(trx, { conversationId: row.conversation_id });
      return false;
    }
    await trx
      .updateTable('agent_callbacks')
      .set({ state: 'due' })
      .where('id', '=', callbackId)
      .where('state', '=', 'scheduled')
      .execute();
    await trx
      .updateTable('conversations')
      .set({ needs_attention: 1 })
      .where('id', '=', row.conversation_id)
      .execute();
    const view = toCallbackView({ ...row, state: 'due' });
    await emitTenantEvent(
      trx,
      {
        tenantId: row.tenant_id,
        event: 'callback.due',
        onceFor: callbackId,
        data: {
          callbackId,
          conversationId: row.conversation_id,
          contactId: row.contact_id,
          scheduledAt: view.scheduledAt,
          timeZone: view.timeZone,
          localTime: view.localTime,
          note: view.note,
        },
      },
      now,
    );
    return true;
  });
}
