import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { controlRoutes } from './control-routes.ts';
import { SimulatedGraphError } from './graph-error.ts';
import { graphPlugin } from './graph-plugin.ts';
import { onboardingControlRoutes } from './onboarding-control-routes.ts';
import type { SimulatorContext } from './simulator-context.ts';

function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new SimulatedGraphError(100, 'The request body is not valid JSON.');
  }
}

/**
 * Graph also takes form-encoded parameters, with objects as JSON strings (`template={"name":…}`), as
 * the older SDKs send them.
 */
function parseFormBody(text: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const trimmed = value.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        body[key] = JSON.parse(trimmed);
        continue;
      } catch {
        // Not JSON after all: keep the string.
      }
    }
    body[key] = value;
  }
  return body;
}

/**
 * The simulator's Fastify app, built without listening. Bodies are read the way Graph reads them: JSON
 * with or without a charset and with or without Content-Length (chunked), form-encoded parameters, and
 * multipart uploads. Every failure leaves as Meta's error envelope.
 */
export function buildSimulatorApp(context: SimulatorContext): FastifyInstance {
  const app = Fastify({
    logger: context.config.logger,
    // Hung requests (timeout faults) must not keep close() waiting.
    forceCloseConnections: true,
    bodyLimit: 4 * 1024 * 1024, // 4 MiB: the largest JSON a send or a template can need
    return503OnClosing: false,
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, parseFormBody(body as string));
    },
  );
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  // No or another content type: Graph still reads JSON if that is what came.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.setErrorHandler((error: FastifyError | SimulatedGraphError, request, reply) => {
    let graphError: SimulatedGraphError;
    if (error instanceof SimulatedGraphError) {
      graphError = error;
    } else if (typeof error.statusCode === 'number' && error.statusCode < 500) {
      graphError = new SimulatedGraphError(100, error.message);
    } else {
      request.log.error({ err: error }, 'simulator route failed');
      graphError = new SimulatedGraphError(131000, 'The simulator failed; see its log.');
    }
    if (!request.url.startsWith('/_simulator/')) context.state.recordRejected(graphError.code);
    if (graphError.code === 190) {
      reply.header('www-authenticate', `OAuth "Facebook Platform" "invalid_token" "${graphError.message}"`);
    }
    return reply.code(graphError.httpStatus).send(graphError.toEnvelope(context.ids.fbtraceId()));
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new SimulatedGraphError(2500, undefined, {
      message: `Unknown path components: ${request.url.split('?')[0]}`,
    });
    context.state.recordRejected(error.code);
    return reply.code(error.httpStatus).send(error.toEnvelope(context.ids.fbtraceId()));
  });

  // Any call may change what the state file keeps (even a GET: the signup code exchange makes a token);
  // the state file writes at most every 200 ms, and only when its snapshot differs.
  app.addHook('onResponse', async () => context.changes.notify());
  app.register(async (graph) => graphPlugin(graph, context));
  app.register(async (control) => controlRoutes(control, context));
  app.register(async (control) => onboardingControlRoutes(control, context));
  return app;
}
