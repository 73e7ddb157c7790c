import type { FastifyInstance } from 'fastify';
import type { LiveEvents } from './live-events.ts';

const CONVERSATION_CHANGE = /^\/api\/v1\/conversations\/:id(\/(takeover|handback|messages))?$/;
const CAMPAIGN_CHANGE = /^\/api\/v1\/campaigns\/:id\/[a-z]+$/;

/**
 * Changes made through the API (a takeover in one browser, a campaign paused in another) reach every
 * open dashboard of the tenant. Added as a hook on the API scope, so it sees the other domains' routes
 * without them knowing about live updates.
 */
export function publishApiChanges(api: FastifyInstance, hub: LiveEvents): void {
  api.addHook('onResponse', async (request, reply) => {
    if (request.method === 'GET' || reply.statusCode >= 300) return;
    const principal = request.principal;
    if (principal?.kind !== 'tenant') return;
    const routeUrl = request.routeOptions.url ?? '';
    const id = (request.params as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') return;
    if (CONVERSATION_CHANGE.test(routeUrl))
      hub.publish(principal.tenantId, { type: 'conversation-changed', conversationId: id });
    else if (CAMPAIGN_CHANGE.test(routeUrl))
      hub.publish(principal.tenantId, { type: 'campaign-progress', campaignId: id });
  });
}
