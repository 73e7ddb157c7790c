import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isExpired } from './access-tokens.ts';
import { bearerToken } from './graph-access.ts';
import { SimulatedGraphError } from './graph-error.ts';
import type { AccessGrant } from './simulator-config.ts';
import type { SimulatorContext } from './simulator-context.ts';

/** Routes that authenticate as the app (client secret, or the `{app-id}|{app-secret}` app token), not with a bearer grant. */
export const APP_AUTHENTICATED_ROUTES = new Set(['/:version/oauth/access_token', '/:version/debug_token']);

const seconds = (ms: number) => Math.floor(ms / 1000);

/** `debug_token`'s `data`: what Graph says about a token, asked as its app. */
function debugData(context: SimulatorContext, inputToken: string): Record<string, unknown> {
  const { config, clock } = context;
  const now = clock.now();
  const grant = context.tokens.grantFor(inputToken);
  const base = { app_id: config.appId, application: 'Coxcox Simulator App' };
  if (!grant) {
    const isRevoked = context.tokens.wasRevoked(inputToken);
    return {
      ...base,
      is_valid: false,
      scopes: [],
      error: isRevoked
        ? {
            code: 190,
            subcode: 467,
            message: 'Error validating access token: The session has been invalidated.',
          }
        : { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' },
    };
  }
  const expiresAt = grant.expiresAt === null ? 0 : seconds(grant.expiresAt);
  const common = {
    ...base,
    type: grant.type,
    // 0 means never, as Graph says it for system user tokens.
    expires_at: expiresAt,
    data_access_expires_at: 0,
    issued_at: seconds(now),
    user_id: '10000000000000',
  };
  if (isExpired(grant, now)) {
    return {
      ...common,
      is_valid: false,
      scopes: grant.scopes,
      error: {
        code: 190,
        subcode: 463,
        message: `Error validating access token: Session has expired on ${new Date(grant.expiresAt!).toUTCString()}.`,
      },
    };
  }
  return { ...common, is_valid: true, scopes: grant.scopes, granular_scopes: granularScopes(grant) };
}

/** WhatsApp permissions name the WABAs they were granted for; `business_management` names none here. */
function granularScopes(grant: AccessGrant): Array<{ scope: string; target_ids?: string[] }> {
  return grant.scopes.map((scope) =>
    scope !== 'business_management' && grant.wabaIds !== null
      ? { scope, target_ids: [...grant.wabaIds] }
      : { scope },
  );
}

/** The caller is the app itself (its app token) or any valid token of the app, as Graph allows. */
function checkAppCaller(context: SimulatorContext, request: FastifyRequest): void {
  const token = bearerToken(request);
  const appToken = `${context.config.appId}|${context.config.appSecret}`;
  if (token === appToken) return;
  const grant = token === null ? undefined : context.tokens.grantFor(token);
  if (!grant || isExpired(grant, context.clock.now())) {
    throw new SimulatedGraphError(190, undefined, {
      message:
        'Invalid OAuth access token - debug_token needs the app token ({app-id}|{app-secret}) or a valid token.',
    });
  }
}

/**
 * `GET /oauth/access_token` (the Embedded Signup code exchange) and `GET /debug_token` (validity,
 * expiry, permissions and the WABAs a token was granted). Shapes: cloud-api-details.md §3.7 and Meta's
 * debug_token reference.
 */
export async function oauthRoutes(graph: FastifyInstance, context: SimulatorContext): Promise<void> {
  graph.get<{
    Params: { version: string };
    Querystring: { client_id?: string; client_secret?: string; code?: string };
  }>('/:version/oauth/access_token', async (request) => {
    const { client_id: clientId, client_secret: clientSecret, code } = request.query;
    if (clientId !== context.config.appId) throw new SimulatedGraphError(101);
    if (clientSecret !== context.config.appSecret) throw new SimulatedGraphError(1);
    if (typeof code !== 'string' || code === '') {
      throw new SimulatedGraphError(100, undefined, { message: 'Missing authorization code' });
    }
    const exchanged = context.signup.exchange(code);
    return {
      access_token: exchanged.accessToken,
      token_type: 'bearer',
      ...(exchanged.expiresInSeconds === null ? {} : { expires_in: exchanged.expiresInSeconds }),
    };
  });

  graph.get<{ Params: { version: string }; Querystring: { input_token?: string } }>(
    '/:version/debug_token',
    async (request) => {
      checkAppCaller(context, request);
      const inputToken = request.query.input_token;
      if (typeof inputToken !== 'string' || inputToken === '') {
        throw new SimulatedGraphError(100, undefined, { message: 'The parameter input_token is required' });
      }
      return { data: debugData(context, inputToken) };
    },
  );
}
