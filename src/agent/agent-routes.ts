import type { FastifyInstance } from 'fastify';
import { conversationRoutes } from '../conversations/conversation-routes.ts';
import { agentProfileRoutes } from './agent-profile-routes.ts';
import type { AgentRouteDeps } from './agent-route-deps.ts';
import { knowledgeRoutes } from './knowledge-routes.ts';
import { playgroundRoutes } from './playground-routes.ts';

/** Every agent route under /api/v1, in their own scope (the Markdown body parser stays theirs). */
export async function agentRoutes(api: FastifyInstance, deps: AgentRouteDeps): Promise<void> {
  await api.register(async (scope) => {
    await agentProfileRoutes(scope, deps);
    await knowledgeRoutes(scope, deps);
    await conversationRoutes(scope, deps);
    await playgroundRoutes(scope, deps);
  });
}
