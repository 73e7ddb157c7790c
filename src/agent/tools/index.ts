import { z } from 'zod';
import { AppError } from '../../http/app-error.ts';
import type { ToolCall, ToolResult, ToolSpec } from '../agent-model.ts';
import type { ToolName } from '../tool-names.ts';
import { type AgentTool, type ToolEnvironment, ToolError } from './agent-tool.ts';
import { endConversation } from './end-conversation.ts';
import { handOff } from './hand-off.ts';
import { optOut } from './opt-out.ts';
import { recordLeadFields } from './record-lead-fields.ts';
import { scheduleCallback } from './schedule-callback.ts';
import { sendMedia } from './send-media.ts';
import { setOutcome } from './set-outcome.ts';

export { type AgentTool, type ToolEnvironment, ToolError } from './agent-tool.ts';

/** Every tool the agent has, by name (tool-names.ts). */
export const AGENT_TOOLS: ReadonlyMap<ToolName, AgentTool> = new Map(
  (
    [
      recordLeadFields,
      setOutcome,
      scheduleCallback,
      sendMedia,
      handOff,
      optOut,
      endConversation,
    ] as AgentTool[]
  ).map((tool) => [tool.name, tool]),
);

/** The JSON Schema of each tool's arguments, computed once: it goes into every model call. */
const SPECS = new Map<ToolName, ToolSpec>(
  [...AGENT_TOOLS.values()].map((tool) => [
    tool.name,
    {
      name: tool.name,
      description: tool.description,
      parameters: z.toJSONSchema(tool.arguments, { io: 'input' }) as Record<string, unknown>,
    },
  ]),
);

/** The tools a profile allows (all when its list is empty). */
export function toolSpecs(allowedTools: readonly string[]): ToolSpec[] {
  return [...SPECS.values()].filter((spec) => allowedTools.length === 0 || allowedTools.includes(spec.name));
}

/**
 * Runs one tool call. Arguments are validated with the tool's zod schema first; a bad argument, an unknown
 * or disallowed tool, or a ToolError comes back as an error result the model can read and correct. Any
 * other failure (the database) is thrown: the turn fails and is retried.
 */
export async function executeToolCall(
  environment: ToolEnvironment,
  call: ToolCall,
  allowedTools: readonly string[],
): Promise<ToolResult> {
  const fail = (message: string): ToolResult => ({
    id: call.id,
    name: call.name,
    result: { error: message },
    isError: true,
  });
  const tool = AGENT_TOOLS.get(call.name as ToolName);
  if (!tool || (allowedTools.length > 0 && !allowedTools.includes(tool.name))) {
    const available = toolSpecs(allowedTools).map((spec) => spec.name);
    return fail(`there is no tool "${call.name}"; available: ${available.join(', ')}`);
  }
  const parsed = tool.arguments.safeParse(call.arguments);
  if (!parsed.success) return fail(`invalid arguments for ${tool.name}: ${z.prettifyError(parsed.error)}`);
  try {
    return { id: call.id, name: call.name, result: await tool.run(environment, parsed.data), isError: false };
  } catch (error) {
    if (error instanceof ToolError || error instanceof AppError) return fail(error.message);
    throw error;
  }
}
