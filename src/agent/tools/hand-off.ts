import { z } from 'zod';
import { isWithinBusinessHours } from '../business-hours.ts';
import { defineTool } from './agent-tool.ts';

export const handOff = defineTool({
  name: 'hand_off',
  description:
    'Hand the conversation to a human colleague (the customer asks for one, or you cannot help). Give the reason and a short summary for them. You stay silent afterwards.',
  arguments: z.object({
    reason: z.string().min(1).max(500),
    summary: z.string().min(1).max(4000),
  }),
  async run(environment, args) {
    await environment.handOff(args);
    const hours = environment.profile.businessHours;
    return {
      handedOff: true,
      // Lets the model tell the customer when to expect an answer.
      isWithinBusinessHours: isWithinBusinessHours(hours, environment.now),
      businessHours: hours,
    };
  },
});
