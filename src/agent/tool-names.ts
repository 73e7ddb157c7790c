/**
 * The agent's tools by name, with the arguments each takes. Each tool lives in its own file under
 * `tools/` with a zod schema of exactly these arguments; the playbook and the AI SDK adapter both call
 * them by these names.
 *
 * - record_lead_fields { fields: Record<string, string> }            — store collected lead fields
 * - set_outcome        { outcome: 'interested' | 'not_interested' | 'qualified' | 'converted' | 'callback', note?: string }
 * - schedule_callback  { at: string (ISO 8601 with offset), timeZone?: string (IANA), note?: string }
 * - send_media         { documentId: string, caption?: string }   — a media asset from the knowledge base
 * - hand_off           { reason: string, summary: string }        — mutes the agent; a human takes over
 * - opt_out            { scope: 'all' | 'marketing', reason?: string }
 * - end_conversation   { reason: string }
 */
export const TOOL_NAMES = [
  'record_lead_fields',
  'set_outcome',
  'schedule_callback',
  'send_media',
  'hand_off',
  'opt_out',
  'end_conversation',
] as const;

export type ToolName = (typeof TOOL_NAMES)[number];

export const OUTCOMES = ['interested', 'not_interested', 'qualified', 'converted', 'callback'] as const;
export type Outcome = (typeof OUTCOMES)[number];
