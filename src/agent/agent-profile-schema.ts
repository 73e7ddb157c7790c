import { z } from 'zod';
import type { AgentProfile } from './agent-model.ts';
import { TOOL_NAMES } from './tool-names.ts';

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, 'not an IANA time zone, e.g. America/Sao_Paulo');

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM, 24-hour');

/**
 * An agent profile as the API takes it: every AgentProfile field (agent-model.ts), with defaults, so a
 * tenant can start from `{ companyName }`. Limits keep one profile from filling a model's context window.
 */
export const agentProfileSchema = z.object({
  persona: z.string().min(1).max(2000).default('A friendly, brief sales assistant who writes like a person'),
  companyName: z.string().min(1).max(200),
  companyInfo: z.string().max(20_000).default(''),
  goal: z.enum(['qualify', 'book', 'sell']).default('qualify'),
  fields: z
    .array(
      z.object({
        name: z
          .string()
          .regex(/^[a-z][a-z0-9_]{0,63}$/, 'lowercase letters, digits and _, starting with a letter'),
        question: z.string().min(1).max(500),
        questionByLanguage: z.record(z.string().min(2).max(8), z.string().min(1).max(500)).optional(),
      }),
    )
    .max(30)
    .default([]),
  objectionNotes: z.string().max(10_000).default(''),
  languages: z
    .array(z.string().regex(/^[a-z]{2}$/, 'an ISO 639-1 code such as pt'))
    .min(1)
    .max(20)
    .default(['en']),
  allowedTools: z
    .array(z.enum(TOOL_NAMES))
    .default([])
    .describe('tool names the agent may use; all when empty'),
  maxTurns: z.number().int().min(1).max(1000).default(30),
  maxCostUsd: z.number().min(0).max(1000).default(1),
  businessHours: z
    .object({
      timeZone: timeZoneSchema,
      days: z.array(z.number().int().min(0).max(6)).max(7).describe('0 = Sunday … 6 = Saturday'),
      from: clock,
      to: clock,
    })
    .nullable()
    .default(null),
}) satisfies z.ZodType<AgentProfile, unknown>;

/** What may go when the 24-hour window has closed: an approved template (Meta error 131047 otherwise). */
export const windowClosedTemplateSchema = z.object({
  name: z.string().min(1).max(512),
  languageCode: z.string().min(2).max(15),
  category: z.enum(['MARKETING', 'UTILITY']).default('UTILITY'),
});

export type WindowClosedTemplate = z.infer<typeof windowClosedTemplateSchema>;

/** The profile the agent uses when a tenant has configured none, so the sandbox works with nothing set. */
export function defaultAgentProfile(companyName: string): AgentProfile {
  return agentProfileSchema.parse({
    companyName,
    fields: [
      {
        name: 'need',
        question: 'What are you looking for?',
        questionByLanguage: { es: '¿Qué estás buscando?', pt: 'O que você está procurando?' },
      },
      {
        name: 'timeline',
        question: 'When would you like to start?',
        questionByLanguage: { es: '¿Cuándo te gustaría empezar?', pt: 'Quando você gostaria de começar?' },
      },
    ],
    languages: ['en', 'es', 'pt'],
  });
}
