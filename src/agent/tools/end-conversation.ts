import { z } from 'zod';
import { defineTool } from './agent-tool.ts';

export const endConversation = defineTool({
  name: 'end_conversation',
  description:
    'Close the conversation when it is over (the customer said goodbye, or there is nothing more to do).',
  arguments: z.object({ reason: z.string().min(1).max(500) }),
  async run(environment, args) {
    await environment.endConversation(args.reason);
    return { ended: true };
  },
});
