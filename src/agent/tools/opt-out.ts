import { z } from 'zod';
import { defineTool } from './agent-tool.ts';

export const optOut = defineTool({
  name: 'opt_out',
  description:
    'The customer does not want messages any more: scope all (stop everything) or marketing (only promotions). Confirm it to them once.',
  arguments: z.object({
    scope: z.enum(['all', 'marketing']),
    reason: z.string().max(500).optional(),
  }),
  async run(environment, args) {
    await environment.optOut({ scope: args.scope, reason: args.reason ?? null });
    return { optedOut: args.scope };
  },
});
