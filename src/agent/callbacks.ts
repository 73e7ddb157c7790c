import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import './agent-schema.ts';

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
