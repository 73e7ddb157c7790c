import type { z } from 'zod';
import type { AgentProfile } from '../agent-model.ts';
import type { CallbackView } from '../callbacks.ts';
import type { MediaAsset } from '../knowledge-base.ts';
import type { Outcome, ToolName } from '../tool-names.ts';

/**
 * What a tool may do, as a port: the turn runner gives the live one (the database, through the same
 * domain functions as the API), and the playground an in-memory one that changes nothing.
 */
export interface ToolEnvironment {
  readonly isDryRun: boolean;
  readonly now: number;
  readonly profile: AgentProfile;
  readonly customerTimeZone: string | null;
  mergeLeadFields(fields: Record<string, string>): Promise<Record<string, string>>;
  setOutcome(outcome: Outcome, note: string | null): Promise<void>;
  scheduleCallback(input: {
    scheduledAt: number;
    timeZone: string;
    note: string | null;
  }): Promise<CallbackView>;
  findMedia(documentId: string): Promise<MediaAsset | null>;
  /** Sends the asset after this step's replies. */
  queueMedia(asset: MediaAsset, caption: string | null): void;
  handOff(input: { reason: string; summary: string }): Promise<void>;
  optOut(input: { scope: 'all' | 'marketing'; reason: string | null }): Promise<void>;
  endConversation(reason: string): Promise<void>;
}

/** A mistake the model can correct (a bad time, an unknown document): it reads this and tries again. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

export interface AgentTool<Schema extends z.ZodType = z.ZodType> {
  name: ToolName;
  description: string;
  /** The arguments, exactly as tool-names.ts lists them. */
  arguments: Schema;
  run(environment: ToolEnvironment, args: z.infer<Schema>): Promise<unknown>;
}

/** Keeps the argument type of each tool precise where it is written. */
export function defineTool<Schema extends z.ZodType>(tool: AgentTool<Schema>): AgentTool<Schema> {
  return tool;
}
