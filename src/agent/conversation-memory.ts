import type { Kysely, Transaction } from 'kysely';
import { CUSTOMER_SERVICE_WINDOW_MS } from '../dispatch/index.ts';
import type { Database } from '../store/schema.ts';
import type { ConversationLine, Speaker } from './agent-model.ts';
import { CONVERSATIONAL_TYPES, messageText } from './message-text.ts';
import type { AgentConversationState } from './save-agent-state.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A line of the conversation with where it came from, so the runner can move its cursor. */
export interface StoredLine extends ConversationLine {
  id: string;
  wamid: string | null;
  /** When we recorded it: the order the agent handles messages in. */
  createdAt: number;
}

/** A burst larger than this is answered as its newest messages (a customer pasting 200 lines is not 200 questions). */
const MAX_NEW_MESSAGES = 20;

/**
 * The customer messages the agent has not answered yet: recorded after its cursor (or at the cursor's
 * exact millisecond, but not among the ids handled then). Without a cursor, those of the last 24 hours.
 */
export async function loadNewCustomerMessages(
  db: Db,
  conversationId: string,
  state: Pick<AgentConversationState, 'cursor_at' | 'cursor_ids'>,
  now: number,
): Promise<StoredLine[]> {
  const since = state.cursor_at ?? now - CUSTOMER_SERVICE_WINDOW_MS;
  const handled = new Set<string>(JSON.parse(state.cursor_ids) as string[]);
  const rows = await db
    .selectFrom('messages')
    .select(['id', 'wamid', 'type', 'content', 'created_at', 'sent_at'])
    .where('conversation_id', '=', conversationId)
    .where('direction', '=', 'in')
    .where('created_at', '>=', since)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(MAX_NEW_MESSAGES + handled.size)
    .execute();
  const lines: StoredLine[] = [];
  for (const row of rows.reverse()) {
    if (handled.has(row.id) || !CONVERSATIONAL_TYPES.has(row.type)) continue;
    const text = messageText(row.type, JSON.parse(row.content));
    if (text === null) continue;
    lines.push({
      id: row.id,
      wamid: row.wamid,
      createdAt: row.created_at,
      speaker: 'customer',
      text,
      at: row.sent_at ?? row.created_at,
    });
  }
  return lines.slice(-MAX_NEW_MESSAGES);
}

/**
 * The newest lines of the conversation, oldest first: messages in and out, plus our replies still queued
 * in the outbox (a reply paced a few seconds out is already said, as far as the next turn is concerned).
 */
export async function loadRecentLines(
  db: Db,
  conversationId: string,
  limit: number,
  before?: number,
): Promise<StoredLine[]> {
  let query = db
    .selectFrom('messages')
    .leftJoin('outbox', 'outbox.id', 'messages.biz_opaque_callback_data')
    .select([
      'messages.id',
      'messages.wamid',
      'messages.direction',
      'messages.type',
      'messages.content',
      'messages.created_at',
      'messages.sent_at',
      'outbox.source',
    ])
    .where('messages.conversation_id', '=', conversationId)
    .orderBy('messages.created_at', 'desc')
    .orderBy('messages.id', 'desc')
    .limit(limit);
  if (before !== undefined) query = query.where('messages.created_at', '<', before);
  const rows = await query.execute();
  const lines = rows.map(toLine).filter((line) => line !== null);
  if (before === undefined) {
    const pending = await db
      .selectFrom('outbox')
      .select(['id', 'message', 'message_type', 'source', 'created_at'])
      .where('conversation_id', '=', conversationId)
      .where('state', 'in', ['queued', 'sending', 'unknown'])
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    for (const row of pending) {
      const text = messageText(row.message_type, JSON.parse(row.message));
      if (text === null) continue;
      lines.push({
        id: row.id,
        wamid: null,
        createdAt: row.created_at,
        speaker: row.source === 'human' ? 'human' : 'agent',
        text,
        at: row.created_at,
      });
    }
  }
  lines.sort((a, b) => a.createdAt - b.createdAt || a.at - b.at);
  return lines.slice(-limit);
}

/** Lines recorded after `after` and before `before`, oldest first: what is about to be folded into the summary. */
export async function loadLinesBetween(
  db: Db,
  conversationId: string,
  after: number | null,
  before: number,
  limit: number,
): Promise<StoredLine[]> {
  let query = db
    .selectFrom('messages')
    .leftJoin('outbox', 'outbox.id', 'messages.biz_opaque_callback_data')
    .select([
      'messages.id',
      'messages.wamid',
      'messages.direction',
      'messages.type',
      'messages.content',
      'messages.created_at',
      'messages.sent_at',
      'outbox.source',
    ])
    .where('messages.conversation_id', '=', conversationId)
    .where('messages.created_at', '<', before)
    .orderBy('messages.created_at', 'desc')
    .limit(limit);
  if (after !== null) query = query.where('messages.created_at', '>', after);
  const rows = await query.execute();
  return rows
    .reverse()
    .map(toLine)
    .filter((line) => line !== null);
}

interface LineRow {
  id: string;
  wamid: string;
  direction: string;
  type: string;
  content: string;
  created_at: number;
  sent_at: number | null;
  /** The outbox source of an outbound message: agent, human, campaign, api … */
  source: string | null;
}

function toLine(row: LineRow): StoredLine | null {
  const text = messageText(row.type, JSON.parse(row.content));
  if (text === null) return null;
  const speaker: Speaker = row.direction === 'in' ? 'customer' : row.source === 'human' ? 'human' : 'agent';
  return {
    id: row.id,
    wamid: row.wamid,
    createdAt: row.created_at,
    speaker,
    text,
    at: row.sent_at ?? row.created_at,
  };
}
