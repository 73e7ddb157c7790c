/**
 * The model port: what the agent loop needs from a language model, owned by the agent. Adapters: the
 * Vercel AI SDK (OpenAI-compatible endpoints, Anthropic) and the built-in offline playbook.
 */

/** Who said a line of the conversation. */
export type Speaker = 'customer' | 'agent' | 'human';

export interface ConversationLine {
  speaker: Speaker;
  text: string;
  /** Epoch ms. */
  at: number;
}

/** A tool the model may call, with a JSON-schema-like description of its arguments. */
export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface ToolCall {
  /** The model's id for the call (the AI SDK's toolCallId); the playbook makes its own. */
  id: string;
  name: string;
  arguments: unknown;
}

export interface ToolResult {
  id: string;
  name: string;
  /** What the tool answered (JSON-safe), or an error text the model can read and correct. */
  result: unknown;
  isError: boolean;
}

export interface AgentProfile {
  /** Persona and tone, e.g. "Ana, friendly and brief". */
  persona: string;
  companyName: string;
  /** Company and product knowledge in plain words (longer documents go in the knowledge base). */
  companyInfo: string;
  /** The goal: qualify, book a meeting or callback, or sell. */
  goal: 'qualify' | 'book' | 'sell';
  /** The lead fields to collect, e.g. [{ name: 'budget', question: 'What budget do you have in mind?' }]. */
  fields: Array<{ name: string; question: string; questionByLanguage?: Record<string, string> }>;
  objectionNotes: string;
  /** ISO 639-1 codes, first is the default: ['pt', 'es', 'en']. */
  languages: string[];
  /** Tool names the agent may use; all when empty. */
  allowedTools: string[];
  /** Most agent turns per conversation before handing off. */
  maxTurns: number;
  /** Most spend per conversation, in USD. */
  maxCostUsd: number;
  /** When humans are there to take a handoff (IANA zone and hours), e.g. { timeZone: 'America/Sao_Paulo', days: [1,2,3,4,5], from: '09:00', to: '18:00' }. */
  businessHours: { timeZone: string; days: number[]; from: string; to: string } | null;
}

/** A passage from the knowledge base that the retrieval step found for this turn. */
export interface KnowledgePassage {
  documentId: string;
  title: string;
  text: string;
  score: number;
}

export interface TurnInput {
  profile: AgentProfile;
  /** The running summary of older turns, if any. */
  summary: string | null;
  /** Recent lines, oldest first, ending with the customer's new messages. */
  history: ConversationLine[];
  /** The customer's messages this turn answers (a burst becomes one turn). */
  newMessages: ConversationLine[];
  /** Lead fields known so far. */
  leadFields: Record<string, string>;
  knowledge: KnowledgePassage[];
  tools: ToolSpec[];
  /** The customer's name, if known. */
  customerName: string | null;
  /** Epoch ms, for "call me tomorrow" and business hours. */
  now: number;
  /** The customer's IANA time zone, if known (from the number's country). */
  customerTimeZone: string | null;
}

/**
 * One step of a turn. The loop calls `step` with the tool results of the previous step until the model
 * answers with no tool calls (or a step limit is reached).
 */
export interface TurnStep {
  /** Reply bubbles to send the customer, in order (may be empty, e.g. when only calling tools). */
  replies: string[];
  toolCalls: ToolCall[];
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  /** e.g. 'playbook', 'openai-compatible:gpt-4o-mini'. */
  model: string;
}

export interface AgentModel {
  readonly name: string;
  step(
    input: TurnInput,
    previousSteps: Array<{ step: TurnStep; results: ToolResult[] }>,
    signal?: AbortSignal,
  ): Promise<TurnStep>;
}
