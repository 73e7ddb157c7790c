import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import './agent-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type AgentConversationState = Database['agent_conversation_state'];

/** Writes some of the bookkeeping, creating the row on first use. */
export async function saveAgentState(
  db: Db,
  conversationId: string,
  tenantId: string,
  changes: Partial<Omit<AgentConversationState, 'conversation_id' | 'tenant_id' | 'updated_at'>>,
  now: number,
): Promise<void> {
  await db
    .insertInto('agent_conversation_state')
    .values({
      conversation_id: conversationId,
      tenant_id: tenantId,
      cursor_at: null,
      cursor_ids: '[]',
      summarized_until: null,
      handoff_reason: null,
      handoff_summary: null,
      handed_off_at: null,
      ...changes,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('conversation_id').doUpdateSet({ ...changes, updated_at: now }))
    .execute();
}
