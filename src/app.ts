import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { messageReadRoutes } from './conversations/index.ts';
import { AppError } from './http/app-error.ts';
import { type AuthOptions, createAuthenticate, isSameSecret } from './http/auth.ts';
import { errorHandler } from './http/error-handler.ts';
import type { Store } from './store/open-store.ts';
import { type TenantDirectory, tenantRoutes } from './tenants/index.ts';
import type { DeliveryWriter, Metrics } from './whatsapp/index.ts';
import { deliveryRoutes, webhookRoutes } from './whatsapp/index.ts';

export interface AppDeps {
  store: Store;
  logger: Logger;
  adminToken: string;
  directory: TenantDirectory;
  writer: DeliveryWriter;
  metrics: Metrics;
  /** When set, GET /metrics needs it as a bearer token: the metrics name tenants' apps. */
  metricsToken?: string | undefined;
  /** Fastify's `trustProxy`: whose X-Forwarded-For sets `request.ip` (false: the socket's peer). */
  trustProxy?: boolean | number | string[];
  defaultAppId: string | null;
  /** Extra route plugins under /api/v1 (added by later domains through main.ts). */
  apiPlugins?: Array<(app: FastifyInstance) => Promise<void>>;
  /** Route plugins under /api/v1 that need no credentials (sign-in, first-run setup). */
  publicApiPlugins?: Array<(app: FastifyInstance) => Promise<void>>;
  /** Route plugins at the root, outside the API (the dashboard's pages and assets). */
  rootPlugins?: Array<(app: FastifyInstance) => Promise<void>>;
  /** Told of every webhook POST of a known app, stored or refused for its signature (the health domain). */
  onWebhookDelivery?: (appId: string, isSignatureValid: boolean) => void;
  /** Dashboard sessions in the API's authentication (the users domain). */
  sessionFromCookie?: AuthOptions['sessionFromCookie'];
  canAgentChange?: AuthOptions['canAgentChange'];
}

function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}

/** Builds the HTTP app without listening, so tests drive it through `inject()`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Per-request lines for the API; none for webhooks and probes, which arrive thousands a second.
    logController: new LogController({
      // Nor for setup links, whose URL carries the link's token (a credential for 72 hours).
      disableRequestLogging: (request) =>
        request.url.startsWith('/webhooks/') ||
        request.url === '/healthz' ||
        request.url.startsWith('/setup/'),
    }),
    // Webhooks are answered in well under Meta's 250 ms; slow clients must not hold sockets forever.
    requestTimeout: 30_000,
    bodyLimit: 1024 * 1024, // 1 MiB for the API; the webhook route allows 3 MiB
    // A hop count as proxy-addr reads it (trust the nearest n hops); Fastify's types take it as a function.
    trustProxy: typeof deps.trustProxy === 'number' ? trustHops(deps.trustProxy) : (deps.trustProxy ?? false),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  // Every answer, errors included: a browser must not guess HTML or script out of a JSON body that
  // echoes a tenant's text (OWASP Secure Headers: X-Content-Type-Options).
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    // API answers carry a company's data: no shared cache or browser history may keep them (a blind try
    // found none said so). A route that sets its own Cache-Control keeps it.
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Coxcox API',
        description:
          'AI-driven sales conversations on WhatsApp. Authenticate with `Authorization: Bearer <ADMIN_TOKEN or tenant API key>`.',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await deps.store.ping();
      return { status: 'ok', database: deps.store.flags.name };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: deps.store.flags.name });
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const { metricsToken } = deps;
    if (metricsToken !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      if (!match || !isSameSecret(match[1]!, metricsToken)) {
        reply.header('www-authenticate', 'Bearer');
        throw new AppError('unauthorized', 'send Authorization: Bearer <METRICS_TOKEN>');
      }
    }
    return reply.type(deps.metrics.contentType).send(await deps.metrics.render());
  });

  await app.register(async (scope) => webhookRoutes(scope, deps));

  const authenticate = createAuthenticate({
    adminToken: deps.adminToken,
    tenantIdForApiKey: (key) => deps.directory.tenantIdForApiKey(key),
    ...(deps.sessionFromCookie ? { sessionFromCookie: deps.sessionFromCookie } : {}),
    ...(deps.canAgentChange ? { canAgentChange: deps.canAgentChange } : {}),
  });
  await app.register(
    async (open) => {
      for (const plugin of deps.publicApiPlugins ?? []) await plugin(open);
    },
    { prefix: '/api/v1' },
  );
  await app.register(
    async (api) => {
      api.addHook('onRequest', authenticate);
      await tenantRoutes(api, deps.directory);
      await deliveryRoutes(api, deps.store.db);
      await messageReadRoutes(api, deps.store.db);
      for (const plugin of deps.apiPlugins ?? []) await plugin(api);
    },
    { prefix: '/api/v1' },
  );
  for (const plugin of deps.rootPlugins ?? []) await app.register(async (scope) => plugin(scope));
  return app;
}
