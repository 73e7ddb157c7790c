import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { RecordedToolCall } from './run-model-loop.ts';
import './agent-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type TurnStatus = 'replied' | 'silent' | 'skipped' | 'handed_off' | 'failed';

export interface TurnRecord {
  tenantId: string;
  conversationId: string | null;
  status: TurnStatus;
  reason: string | null;
  messageIds: string[];
  promptChars: number;
  historyLines: number;
  knowledgePassages: number;
  steps: number;
  toolCalls: RecordedToolCall[];
  replies: string[];
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
  modelLatencyMs: number;
  error: string | null;
  startedAt: number;
  finishedAt: number;
}

/** Keeps one turn's record (in the transaction that queues its replies, when it has any). */
export async function insertTurnRecord(db: Db, record: TurnRecord): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('agent_turns')
    .values({
      id,
      tenant_id: record.tenantId,
      conversation_id: record.conversationId,
      status: record.status,
      reason: record.reason,
      message_ids: JSON.stringify(record.messageIds),
      prompt_chars: record.promptChars,
      history_lines: record.historyLines,
      knowledge_passages: record.knowledgePassages,
      steps: record.steps,
      tool_calls: JSON.stringify(record.toolCalls),
      replies: JSON.stringify(record.replies),
      model: record.model,
      input_tokens: record.inputTokens,
      output_tokens: record.outputTokens,
      cost_usd: record.costUsd,
      latency_ms: Math.round(record.latencyMs),
      model_latency_ms: Math.round(record.modelLatencyMs),
      error: record.error?.slice(0, 2000) ?? null,
      started_at: record.startedAt,
      finished_at: record.finishedAt,
    })
    .execute();
  return id;
}

export function toTurnView(row: Database['agent_turns']) {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    status: row.status,
    reason: row.reason,
    messageIds: JSON.parse(row.message_ids) as string[],
    promptChars: row.prompt_chars,
    historyLines: row.history_lines,
    knowledgePassages: row.knowledge_passages,
    steps: row.steps,
    toolCalls: JSON.parse(row.tool_calls) as RecordedToolCall[],
    replies: JSON.parse(row.replies) as string[],
    model: row.model,
    tokens: { input: row.input_tokens, output: row.output_tokens },
    costUsd: row.cost_usd,
    latencyMs: row.latency_ms,
    modelLatencyMs: row.model_latency_ms,
    /** Our own time in the turn, without the model's. */
    overheadMs: Math.max(0, row.latency_ms - row.model_latency_ms),
    error: row.error,
    startedAt: new Date(row.started_at).toISOString(),
    finishedAt: new Date(row.finished_at).toISOString(),
  };
}

export async function listTurns(db: Db, conversationId: string, limit = 100) {
  const rows = await db
    .selectFrom('agent_turns')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .orderBy('started_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toTurnView);
}
