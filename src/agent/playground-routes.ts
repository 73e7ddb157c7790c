import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireCampaign } from '../campaigns/index.ts';
import { requireTenant } from '../http/auth.ts';
import { runPlayground } from './agent-playground.ts';
import { agentProfileSchema, timeZoneSchema } from './agent-profile-schema.ts';
import type { AgentRouteDeps } from './agent-route-deps.ts';

/** Talk to the agent without WhatsApp: one turn, its replies and tool calls, nothing sent or stored. */
export async function playgroundRoutes(instance: FastifyInstance, deps: AgentRouteDeps): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/agent/playground',
    {
      schema: {
        tags: ['agent'],
        summary:
          "One agent turn with the tenant's (or a campaign's, or the given) profile. Send the history back each time; tools act in memory.",
        querystring: z.object({ tenantId: z.string().optional().describe('admin only: the tenant') }),
        body: z.object({
          campaignId: z.string().min(1).max(128).nullable().default(null),
          profile: agentProfileSchema.nullable().default(null).describe('try a profile before saving it'),
          history: z
            .array(
              z.object({
                speaker: z.enum(['customer', 'agent', 'human']),
                text: z.string().min(1).max(4096),
              }),
            )
            .max(100)
            .default([]),
          messages: z
            .array(z.string().min(1).max(4096))
            .min(1)
            .max(20)
            .describe("the customer's new messages"),
          leadFields: z.record(z.string(), z.string().max(300)).default({}),
          summary: z.string().max(4000).nullable().default(null),
          customerName: z.string().max(200).nullable().default(null),
          customerTimeZone: timeZoneSchema.nullable().default(null),
        }),
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      // Another tenant's campaign is answered as a missing one: its id reveals nothing.
      if (request.body.campaignId !== null) await requireCampaign(deps.db, tenantId, request.body.campaignId);
      return runPlayground(deps.playground, tenantId, request.body);
    },
  );
}
