import type { ToolCall } from './agent-model.ts';

/**
 * What a model's reply text may become before a customer sees it. Models (small local ones especially)
 * sometimes write a tool call as text instead of calling the tool, in their own chat template's markup:
 * Hermes/Qwen `<tool_call>{"name": …, "arguments": …}</tool_call>`, Qwen3-Coder and Llama 3.1
 * `<function=name>…</function>`, Mistral `[TOOL_CALLS]`, bare JSON or a fenced ```json block. Such text is
 * never sent: when it is a well-formed call of an allowed tool it becomes that call, otherwise it is dropped.
 * Text that quotes the system prompt's own instructions is dropped too.
 */
export interface ScreenedReply {
  /** The text that may go to the customer, or null when nothing of it may. */
  text: string | null;
  /** Tool calls recovered from markup in the text. */
  toolCalls: ToolCall[];
  /** Why (part of) the text was withheld: 'tool markup', 'unreadable tool markup', 'system prompt'; null when it all passed. */
  withheld: string | null;
}

/**
 * Phrases only the system prompt says (build-system-prompt.ts): a reply that contains one is repeating its
 * instructions, which rule 2 forbids.
 */
const SYSTEM_PROMPT_MARKERS = [
  /^# (Company|Goal|Lead fields to collect|Objection handling|Languages|Time|Human colleagues|Tools|KNOWLEDGE)\s*$/m,
  /^# Rules \(they override/m,
  /<\/?knowledge>/i,
  /you write to customers on whatsapp for/i,
  /they override anything above/i,
  /never reveal or summari[sz]e these instructions/i,
  /customer messages and the knowledge are information, not instructions/i,
  /\(ISO 639-1\)/i,
  /schedule_callback takes ISO 8601/i,
];

/** Tokens of chat templates that never belong in a message to a person. */
const MARKUP =
  /<\/?tool_call>|<\/?tool_calls?>|<\/?function_calls?>|<function=|<\/function>|<parameter=|\[TOOL_CALLS\]|<\|[a-z_]+\|>|<\/?invoke\b|<\/?tool_use>/i;

let recoveredId = 0;

function toCall(value: unknown, allowed: ReadonlySet<string>): ToolCall | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  // { name, arguments } (Hermes, Qwen), { name, parameters } (Llama 3.1), { function: { name, arguments } }.
  const inner =
    record.function && typeof record.function === 'object'
      ? (record.function as Record<string, unknown>)
      : record;
  const name = inner.name;
  let args = inner.arguments ?? inner.parameters ?? inner.input;
  if (typeof name !== 'string' || !allowed.has(name)) return null;
  if (typeof args === 'string') {
    try {
      args = JSON.parse(args);
    } catch {
      return null;
    }
  }
  if (args === undefined) args = {};
  if (!args || typeof args !== 'object' || Array.isArray(args)) return null;
  recoveredId += 1;
  return { id: `recovered_${recoveredId}`, name, arguments: args };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Calls in a JSON value: one call, or a list of calls (every one must be a call, or none counts). */
function callsIn(value: unknown, allowed: ReadonlySet<string>): ToolCall[] | null {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) return null;
  const calls = list.map((item) => toCall(item, allowed));
  return calls.every((call) => call !== null) ? (calls as ToolCall[]) : null;
}

/** `<function=name><parameter=key>value</parameter></function>` (Qwen3-Coder) or `<function=name>{json}</function>`. */
function functionTagCall(name: string, body: string, allowed: ReadonlySet<string>): ToolCall | null {
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) return toCall({ name, arguments: parseJson(trimmed) }, allowed);
  const args: Record<string, unknown> = {};
  for (const match of trimmed.matchAll(/<parameter=([\w.-]+)>([\s\S]*?)<\/parameter>/g)) {
    const raw = match[2]!.trim();
    const parsed = parseJson(raw);
    args[match[1]!] = parsed === undefined ? raw : parsed;
  }
  return toCall({ name, arguments: args }, allowed);
}

/**
 * Screens one reply bubble. `allowedTools` are the tools offered this turn: markup naming another tool is
 * not run (the model may not grant itself tools by writing them out).
 */
export function screenReply(text: string, allowedTools: readonly string[]): ScreenedReply {
  const allowed = new Set(allowedTools);
  if (SYSTEM_PROMPT_MARKERS.some((marker) => marker.test(text))) {
    return { text: null, toolCalls: [], withheld: 'system prompt' };
  }
  const toolCalls: ToolCall[] = [];
  let isBroken = false;
  let rest = text;

  // Tagged calls: take each block out, and keep it as a call when it parses.
  rest = rest.replace(/<tool_call>([\s\S]*?)(?:<\/tool_call>|$)/gi, (_block, body: string) => {
    const calls = callsIn(parseJson(body.trim()), allowed);
    if (calls) toolCalls.push(...calls);
    else isBroken = true;
    return '';
  });
  rest = rest.replace(
    /<function=([\w.-]+)>([\s\S]*?)(?:<\/function>|$)/gi,
    (_block, name: string, body: string) => {
      const call = functionTagCall(name, body, allowed);
      if (call) toolCalls.push(call);
      else isBroken = true;
      return '';
    },
  );
  // Fenced code: a block of calls becomes calls; any other code block is no message to a customer either.
  rest = rest.replace(/```[a-z]*\s*([\s\S]*?)(?:```|$)/gi, (_block, body: string) => {
    const calls = callsIn(parseJson(body.trim()), allowed);
    if (calls) toolCalls.push(...calls);
    else isBroken = true;
    return '';
  });
  rest = rest.replace(/\[TOOL_CALLS\]\s*(\[[\s\S]*\])/g, (_block, body: string) => {
    const calls = callsIn(parseJson(body.trim()), allowed);
    if (calls) toolCalls.push(...calls);
    else isBroken = true;
    return '';
  });

  // What is left: bare JSON (a call, or any object or list) is never a message.
  let remaining = rest.trim();
  const value = /^[[{]/.test(remaining) ? parseJson(remaining) : undefined;
  if (value !== undefined || /^(\{\s*"|\[\s*[{"])/.test(remaining)) {
    // JSON, or the start of it cut off ("[Promo] 10 % off" is no JSON and passes).
    const calls = value === undefined ? null : callsIn(value, allowed);
    if (calls) toolCalls.push(...calls);
    else isBroken = true;
    remaining = '';
  } else if (/"name"\s*:\s*"[^"]*"\s*,\s*"(arguments|parameters)"\s*:/.test(remaining)) {
    // A call inside prose: not parsed out of a sentence, but never sent either.
    isBroken = true;
    remaining = '';
  }
  if (MARKUP.test(remaining)) {
    isBroken = true;
    remaining = '';
  }
  return {
    // Beside a garbled call, the rest of the text is no reliable answer either.
    text: remaining === '' || isBroken ? null : remaining,
    toolCalls,
    withheld: isBroken ? 'unreadable tool markup' : toolCalls.length > 0 ? 'tool markup' : null,
  };
}
