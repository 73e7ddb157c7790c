import type { FastifyInstance } from 'fastify';
import { decideFault, deferFault, faultError, withholdAnswer } from './fault-injector.ts';
import { authenticate } from './graph-access.ts';
import { SimulatedGraphError } from './graph-error.ts';
import { mediaRoutes } from './media-routes.ts';
import { messageRoutes } from './message-routes.ts';
import { APP_AUTHENTICATED_ROUTES, oauthRoutes } from './oauth-routes.ts';
import { objectRoutes } from './object-routes.ts';
import { phoneNumberRoutes } from './phone-number-routes.ts';
import { answerScripted } from './scripted-responses.ts';
import type { SimulatorContext } from './simulator-context.ts';
import type { Permission } from './simulator-options.ts';
import { subscribedAppRoutes } from './subscribed-app-routes.ts';
import { templateRoutes } from './template-routes.ts';

/** Every Graph path starts with a version, `v23.0` and the like; any version is served the same way. */
const VERSION = /^v\d{1,2}\.\d$/;
const SEND_ROUTE = '/:version/:phoneNumberId/messages';

/**
 * The permission each Graph route needs (cloud-api-details.md §3.7): messaging to send and upload,
 * management for the WABA's numbers, templates and subscriptions. Other routes check visibility only.
 */
const requiredPermissions: Record<string, Permission> = {
  [SEND_ROUTE]: 'whatsapp_business_messaging',
  '/:version/:phoneNumberId/media': 'whatsapp_business_messaging',
  '/:version/:wabaId/message_templates': 'whatsapp_business_management',
  '/:version/:wabaId/phone_numbers': 'whatsapp_business_management',
  '/:version/:wabaId/subscribed_apps': 'whatsapp_business_management',
  '/:version/:phoneNumberId/register': 'whatsapp_business_management',
  '/:version/:phoneNumberId/deregister': 'whatsapp_business_management',
};

/**
 * The Graph API routes, with what every Graph call goes through: the version check, injected faults
 * (before the token check, as an overloaded front end would), then the bearer token.
 */
export async function graphPlugin(graph: FastifyInstance, context: SimulatorContext): Promise<void> {
  graph.addHook('onRequest', async (request) => {
    const { version } = request.params as { version?: string };
    if (version !== undefined && !VERSION.test(version)) {
      throw new SimulatedGraphError(2500, `Unknown path components: ${request.url.split('?')[0]}`, {
        message: `Unknown path components: /${version}`,
      });
    }
  });

  graph.addHook('preHandler', async (request, reply) => {
    if (answerScripted(context, request, reply)) return reply;
    const { faults } = context.settings;
    const fault = decideFault(faults, context.random);
    if (fault === '5xx' || fault === '429') {
      if (fault === '5xx') context.state.counts.faults5xx += 1;
      else context.state.counts.faults429 += 1;
      const error = faultError(fault, context.random, request.routeOptions.url === SEND_ROUTE);
      return reply
        .code(fault === '429' ? 429 : error.httpStatus)
        .send(error.toEnvelope(context.ids.fbtraceId()));
    }
    if (fault === 'timeout' || fault === 'reset') {
      if (request.routeOptions.url === SEND_ROUTE && context.random() < faults.acceptedBeforeFaultRate) {
        deferFault(request, fault);
      } else {
        withholdAnswer(fault, request, reply, context.hungSockets, context.state.counts);
        return reply;
      }
    }
    const route = request.routeOptions.url ?? '';
    // The code exchange and debug_token authenticate as the app themselves.
    if (APP_AUTHENTICATED_ROUTES.has(route)) return;
    const grant = authenticate(context, request);
    const permission = requiredPermissions[route];
    if (permission !== undefined && !grant.scopes.includes(permission)) {
      throw new SimulatedGraphError(
        10,
        `This call needs the ${permission} permission, which the access token was not granted.`,
      );
    }
  });

  await messageRoutes(graph, context);
  await mediaRoutes(graph, context);
  await templateRoutes(graph, context);
  await phoneNumberRoutes(graph, context);
  await subscribedAppRoutes(graph, context);
  await oauthRoutes(graph, context);
  await objectRoutes(graph, context);
}
