import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import { emitTenantEvent } from '../tenant-webhooks/index.ts';
import { saveAgentState } from './save-agent-state.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Who speaks in a conversation. The agent answers while it owns the conversation; a takeover (API, later
 * the dashboard) or the agent's own hand-off gives it to a human, which mutes the agent until handed back.
 * The agent's tools and the API routes both act through these functions.
 */

/** The agent hands the conversation to a human, with why and what happened so far. */
export async function handOff(
  db: Db,
  conversation: { id: string; tenantId: string },
  input: { reason: string; summary: string | null },
  now: number,
): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ owner: 'human', needs_attention: 1 })
    .where('id', '=', conversation.id)
    .execute();
  await saveAgentState(
    db,
    conversation.id,
    conversation.tenantId,
    {
      handoff_reason: input.reason.slice(0, 500),
      handoff_summary: input.summary?.slice(0, 4000) ?? null,
      handed_off_at: now,
    },
    now,
  );
  // The tenant's own systems hear of it (a signed webhook, queued in this transaction; campaigns domain).
  await emitTenantEvent(
    db,
    {
      tenantId: conversation.tenantId,
      event: 'conversation.handoff',
      onceFor: `${conversation.id}:${now}`,
      data: {
        conversationId: conversation.id,
        reason: input.reason.slice(0, 500),
        summary: input.summary?.slice(0, 4000) ?? null,
      },
    },
    now,
  );
}

/**
 * A human takes the conversation over: the agent stays silent until it is handed back, and its bubbles
 * still waiting in the outbox are withdrawn, so they cannot arrive after the human's first words.
 */
export async function takeOver(
  db: Db,
  conversationId: string,
  userId: string | null,
  now: number,
): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ owner: 'human', assigned_user_id: userId })
    .where('id', '=', conversationId)
    .execute();
  await db
    .updateTable('outbox')
    .set({ state: 'cancelled', hold_reason: 'taken-over', updated_at: now })
    .where('conversation_id', '=', conversationId)
    .where('source', '=', 'agent')
    .where('state', '=', 'queued')
    .execute();
}

/**
 * The agent owns the conversation again (and it is open again). Whatever the customer wrote meanwhile was
 * the human's to answer, so the agent starts from the next customer message, not from those.
 */
export async function handBack(
  db: Db,
  conversation: { id: string; tenantId: string },
  now: number,
): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ owner: 'agent', assigned_user_id: null, needs_attention: 0, is_closed: 0 })
    .where('id', '=', conversation.id)
    .execute();
  const newest = await db
    .selectFrom('messages')
    .select(['id', 'created_at'])
    .where('conversation_id', '=', conversation.id)
    .where('direction', '=', 'in')
    .orderBy('created_at', 'desc')
    .limit(50)
    .execute();
  const cursorAt = newest[0]?.created_at ?? now;
  await saveAgentState(
    db,
    conversation.id,
    conversation.tenantId,
    {
      cursor_at: cursorAt,
      cursor_ids: JSON.stringify(newest.filter((row) => row.created_at === cursorAt).map((row) => row.id)),
    },
    now,
  );
}

/** Ends the conversation: the agent no longer answers in it until a human hands it back. */
export async function closeConversation(db: Db, conversationId: string): Promise<void> {
  await db.updateTable('conversations').set({ is_closed: 1 }).where('id', '=', conversationId).execute();
}
