import { z } from 'zod';
import { OUTCOMES } from '../tool-names.ts';
import { defineTool } from './agent-tool.ts';

export const setOutcome = defineTool({
  name: 'set_outcome',
  description:
    'Record where the conversation stands: interested, not_interested, qualified, converted or callback.',
  arguments: z.object({
    outcome: z.enum(OUTCOMES),
    note: z.string().max(500).optional(),
  }),
  async run(environment, args) {
    await environment.setOutcome(args.outcome, args.note ?? null);
    return { outcome: args.outcome };
  },
});
