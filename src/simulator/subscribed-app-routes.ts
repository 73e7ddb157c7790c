import type { FastifyInstance } from 'fastify';
import { request as httpRequest } from 'undici';
import { visibleWaba } from './graph-access.ts';
import { SimulatedGraphError } from './graph-error.ts';
import { isRecord } from './is-record.ts';
import { DEFAULT_APP } from './simulator-config.ts';
import type { SimulatorContext } from './simulator-context.ts';

/** The Meta app the simulator plays by default: the one whose webhooks it sends. */
export const SIMULATOR_APP = DEFAULT_APP;

/** Meta checks an override callback with the GET handshake before it accepts it (cloud-api-details.md §1.1). */
async function verifyCallback(uri: string, verifyToken: string, challenge: string): Promise<boolean> {
  const url = new URL(uri);
  url.searchParams.set('hub.mode', 'subscribe');
  url.searchParams.set('hub.challenge', challenge);
  url.searchParams.set('hub.verify_token', verifyToken);
  try {
    const response = await httpRequest(url, { method: 'GET', headersTimeout: 5_000, bodyTimeout: 5_000 });
    const body = await response.body.text();
    return response.statusCode === 200 && body === challenge;
  } catch {
    return false;
  }
}

/** `GET|POST|DELETE /{waba-id}/subscribed_apps`: turns a WABA's webhooks on or off, with an optional override URL. */
export async function subscribedAppRoutes(graph: FastifyInstance, context: SimulatorContext): Promise<void> {
  graph.get<{ Params: { version: string; wabaId: string } }>(
    '/:version/:wabaId/subscribed_apps',
    async (request) => {
      const waba = visibleWaba(context, request, request.params.wabaId);
      if (!waba.isSubscribed) return { data: [] };
      return {
        data: [
          {
            whatsapp_business_api_data: {
              link: `https://www.facebook.com/games/?app_id=${context.config.appId}`,
              name: SIMULATOR_APP.name,
              id: context.config.appId,
            },
            ...(waba.overrideCallbackUri === null ? {} : { override_callback_uri: waba.overrideCallbackUri }),
          },
        ],
      };
    },
  );

  graph.post<{ Params: { version: string; wabaId: string } }>(
    '/:version/:wabaId/subscribed_apps',
    async (request) => {
      const waba = visibleWaba(context, request, request.params.wabaId);
      const body = isRecord(request.body) ? request.body : {};
      const uri = body.override_callback_uri;
      if (uri === undefined || uri === null || uri === '') {
        // Posting with no override removes one set before.
        waba.isSubscribed = true;
        waba.overrideCallbackUri = null;
        return { success: true };
      }
      // Meta: an https URL of at most 200 characters; the simulator also takes http for local receivers.
      if (typeof uri !== 'string' || uri.length > 200 || !/^https?:\/\//.test(uri) || !URL.canParse(uri)) {
        throw new SimulatedGraphError(
          100,
          'Param override_callback_uri must be a URL of at most 200 characters.',
        );
      }
      if (typeof body.verify_token !== 'string' || body.verify_token === '') {
        throw new SimulatedGraphError(
          100,
          'The parameter verify_token is required with override_callback_uri.',
        );
      }
      if (!(await verifyCallback(uri, body.verify_token, context.ids.numeric()))) {
        throw new SimulatedGraphError(
          2200,
          'The URL did not answer the verification GET with 200 and the challenge.',
        );
      }
      waba.isSubscribed = true;
      waba.overrideCallbackUri = uri;
      return { success: true };
    },
  );

  graph.delete<{ Params: { version: string; wabaId: string } }>(
    '/:version/:wabaId/subscribed_apps',
    async (request) => {
      const waba = visibleWaba(context, request, request.params.wabaId);
      waba.isSubscribed = false;
      waba.overrideCallbackUri = null;
      return { success: true };
    },
  );
}
