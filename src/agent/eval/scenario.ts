import { z } from 'zod';
import type { AgentProfile, KnowledgePassage } from '../agent-model.ts';
import { OUTCOMES, TOOL_NAMES } from '../tool-names.ts';

/**
 * An evaluation scenario as written in evals/scenarios/*.json: a customer (their messages, turn by turn),
 * the agent profile and knowledge they meet, and what must come out.
 *
 * Text expectations are either a plain value or a regular expression written "/source/flags":
 * - `fields`: a plain value must equal the stored field, ignoring case and surrounding spaces;
 * - `replyMustMatch` / `replyMustNotMatch`: every entry is a regular expression (case-insensitive unless
 *   written "/source/flags"), tried on each reply the agent sent;
 * - `toolArguments`: `value` is compared like `fields`, with the argument at `path` ("at", "fields.name").
 */
const passageSchema = z.object({
  documentId: z.string().min(1),
  title: z.string(),
  text: z.string().min(1),
  score: z.number().default(1),
});

const expectationsSchema = z
  .object({
    /** The outcome at the end; null means none was ever set. */
    outcome: z.enum(OUTCOMES).nullable().optional(),
    fields: z.record(z.string(), z.string()).optional(),
    /** Tools that must have been called successfully at least once. */
    toolCalls: z.array(z.enum(TOOL_NAMES)).optional(),
    /** Tools that must never be called, successfully or not. */
    forbiddenToolCalls: z.array(z.enum(TOOL_NAMES)).optional(),
    toolArguments: z
      .array(z.object({ tool: z.enum(TOOL_NAMES), path: z.string().min(1), value: z.string() }))
      .optional(),
    replyMustMatch: z.array(z.string()).optional(),
    replyMustNotMatch: z.array(z.string()).optional(),
  })
  .strict();

export const scenarioFileSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
    description: z.string().optional(),
    /** The customer's main language, ISO 639-1: for reports. */
    language: z.string().regex(/^[a-z]{2}$/),
    /** What kind of conversation it is ("opt-out", "multi-field", "injection"): reports count passes by it. */
    category: z
      .string()
      .regex(/^[a-z][a-z-]*$/, 'lowercase letters and dashes')
      .optional(),
    /** A profile (partial: the API's defaults apply), or the path of a profile file relative to this file. */
    profile: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    /** Changes on top of a shared profile: { "allowedTools": [...] }. */
    profileOverrides: z.record(z.string(), z.unknown()).optional(),
    /** Knowledge passages, or the path of a JSON file holding them. */
    knowledge: z.union([z.string().min(1), z.array(passageSchema)]).default([]),
    customerName: z.string().nullable().default(null),
    customerTimeZone: z.string().nullable().default(null),
    /** When the first message arrives; a fixed instant keeps runs repeatable. Monday 2 June 2025, 15:00 UTC. */
    now: z.iso.datetime({ offset: true }).default('2025-06-02T15:00:00Z'),
    /** Lead fields already known before the first message. */
    leadFields: z.record(z.string(), z.string()).default({}),
    /** Turn by turn: a message, or a burst of messages that gets one reply. */
    customer: z.array(z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])).min(1),
    expect: expectationsSchema,
  })
  .strict();

export type ScenarioFile = z.input<typeof scenarioFileSchema>;
export type ScenarioExpectations = z.infer<typeof expectationsSchema>;
export const knowledgeFileSchema = z.array(passageSchema);

/** A scenario with its references resolved and its profile complete, ready to run. */
export interface Scenario {
  name: string;
  description: string | null;
  language: string;
  /** Its kind, for the per-category report; null when the file names none. */
  category: string | null;
  /** Where it was read from, for reports; null when built in code. */
  file: string | null;
  profile: AgentProfile;
  knowledge: KnowledgePassage[];
  customerName: string | null;
  customerTimeZone: string | null;
  /** Epoch ms of the first customer message. */
  now: number;
  leadFields: Record<string, string>;
  /** Each turn's messages (one message, or a burst). */
  turns: string[][];
  expect: ScenarioExpectations;
}
