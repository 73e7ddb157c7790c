import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TenantDirectory, WebhookApp } from '../tenants/index.ts';
import type { DeliveryWriter } from './delivery-writer.ts';
import type { Metrics } from './metrics.ts';
import { verifySignature } from './verify-signature.ts';

export interface WebhookRouteDeps {
  directory: TenantDirectory;
  writer: DeliveryWriter;
  metrics: Metrics;
  /** The app served at the bare `/webhooks/whatsapp` path (the quick-start or sandbox app). */
  defaultAppId: string | null;
  /** Told of every POST of a known app, stored or refused for its signature (health keeps durable counts). */
  onWebhookDelivery?: (appId: string, isSignatureValid: boolean) => void;
}

/** Meta sends bodies of up to about 3 MB (our reference, "Delivery"). */
export const WEBHOOK_BODY_LIMIT_BYTES = 3 * 1024 * 1024;

interface VerifyQuery {
  'hub.mode'?: string;
  'hub.verify_token'?: string;
  'hub.challenge'?: string;
}

/** The webhook routes: Meta's verification GET, and signed event POSTs stored durably before the 200. */
export async function webhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): Promise<void> {
  // The signature covers the raw bytes, so this route keeps them as they came, whatever the content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT_BYTES },
    (_request, body, done) => done(null, body),
  );
  // Fastify answers 415 to a malformed Content-Type (`invalid`, `;;;`, empty) before any parser runs. The
  // signature, not that header, says whether a body is Meta's, so the header is not allowed to refuse one.
  app.addHook('onRequest', async (request) => {
    if (request.method === 'POST') request.headers['content-type'] = 'application/octet-stream';
  });

  const findApp = async (
    request: FastifyRequest<{ Params: { appId?: string } }>,
  ): Promise<WebhookApp | null> => {
    const appId = request.params.appId ?? deps.defaultAppId;
    return appId ? deps.directory.webhookApp(appId) : null;
  };

  const verify = async (
    request: FastifyRequest<{ Params: { appId?: string }; Querystring: VerifyQuery }>,
    reply: FastifyReply,
  ) => {
    const query = request.query;
    const webhookApp = await findApp(request);
    const isMatch =
      webhookApp !== null &&
      query['hub.mode'] === 'subscribe' &&
      typeof query['hub.challenge'] === 'string' &&
      query['hub.verify_token'] === webhookApp.verifyToken;
    if (!isMatch) {
      request.log.warn({ appId: request.params.appId ?? deps.defaultAppId }, 'webhook verification refused');
      return reply.code(403).type('text/plain').send('verification failed: hub.verify_token does not match');
    }
    return reply.code(200).type('text/plain').send(query['hub.challenge']);
  };

  const receive = async (request: FastifyRequest<{ Params: { appId?: string } }>, reply: FastifyReply) => {
    const webhookApp = await findApp(request);
    const appLabel = request.params.appId ?? deps.defaultAppId ?? 'none';
    if (!webhookApp) {
      // Anyone can post to any id: one label value for all of them keeps the series bounded.
      deps.metrics.increment('coxcox_webhook_unknown_app_total', 'Webhook POSTs for an app no tenant owns', {
        app: 'unknown',
      });
      return reply
        .code(404)
        .send({ error: { code: 'not_found', message: `no Meta app "${appLabel}" is connected` } });
    }
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (
      !verifySignature(
        body,
        request.headers['x-hub-signature-256'] as string | undefined,
        webhookApp.appSecret,
      )
    ) {
      deps.onWebhookDelivery?.(webhookApp.appId, false);
      deps.metrics.increment(
        'coxcox_webhook_signature_failures_total',
        'Webhook POSTs refused for their signature',
        {
          app: webhookApp.appId,
        },
      );
      return reply.code(401).send({
        error: { code: 'invalid_signature', message: 'X-Hub-Signature-256 is missing or does not match' },
      });
    }
    const startedAt = performance.now();
    try {
      await deps.writer.write({ appId: webhookApp.appId, body, receivedAt: Date.now() });
    } catch (error) {
      // Not stored, so not acknowledged: Meta retries for up to 7 days.
      request.log.error({ err: error }, 'could not store a webhook delivery');
      return reply
        .code(503)
        .send({ error: { code: 'unavailable', message: 'the store is unavailable; retry' } });
    }
    deps.onWebhookDelivery?.(webhookApp.appId, true);
    deps.metrics.observe(
      'coxcox_webhook_store_seconds',
      'Time to commit a webhook delivery before its 200',
      {},
      (performance.now() - startedAt) / 1000,
    );
    deps.metrics.increment('coxcox_webhook_deliveries_total', 'Signed webhook deliveries stored', {
      app: webhookApp.appId,
    });
    return reply.code(200).type('text/plain').send('EVENT_RECEIVED');
  };

  const routeOptions = { bodyLimit: WEBHOOK_BODY_LIMIT_BYTES, schema: { hide: true } };
  app.get('/webhooks/whatsapp', routeOptions, verify);
  app.get('/webhooks/whatsapp/:appId', routeOptions, verify);
  app.post('/webhooks/whatsapp', routeOptions, receive);
  app.post('/webhooks/whatsapp/:appId', routeOptions, receive);
}
