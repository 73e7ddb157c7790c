import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireTenant } from '../http/auth.ts';
import type { LiveEvent, LiveEvents } from './live-events.ts';

/** A comment line every 15 s keeps proxies (and their 30–60 s idle timeouts) from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/** A client this far behind is dropped; it reconnects and refetches, which is cheaper than buffering. */
const MAX_BUFFERED_BYTES = 1024 * 1024; // 1 MiB

/**
 * `GET /api/v1/events`: the tenant's live events as Server-Sent Events. The principal decides the tenant
 * (a session or key sees only its own; the admin token names one), so a stream never carries another
 * tenant's events.
 */
export async function eventStreamRoutes(instance: FastifyInstance, hub: LiveEvents): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const streams = new Set<() => void>();

  // Open streams would hold the server's close forever: end them first.
  instance.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  app.get(
    '/events',
    {
      schema: {
        tags: ['live'],
        summary:
          'Server-Sent Events of the tenant: message-received, message-status, message-sent, message-failed, conversation-changed, campaign-progress, whatsapp-changed. Each names what changed; fetch the new state.',
        querystring: z.object({ tenantId: z.string().optional().describe('admin token only: the tenant') }),
      },
    },
    async (request, reply) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // nginx buffers responses by default, which would hold events back.
        'x-accel-buffering': 'no',
      });
      // The browser waits 3 s before reconnecting after a drop.
      response.write(`retry: 3000\n: connected\n\n`);
      let isOpen = true;
      const end = () => {
        if (!isOpen) return;
        isOpen = false;
        unsubscribe();
        clearInterval(heartbeat);
        streams.delete(end);
        response.end();
      };
      const send = (event: LiveEvent) => {
        if (!isOpen) return;
        if (response.writableLength > MAX_BUFFERED_BYTES) {
          end();
          return;
        }
        response.write(`data: ${JSON.stringify(event)}\n\n`);
      };
      const unsubscribe = hub.subscribe(tenantId, send);
      const heartbeat = setInterval(() => {
        if (isOpen) response.write(': heartbeat\n\n');
      }, HEARTBEAT_MS);
      heartbeat.unref();
      streams.add(end);
      request.raw.on('close', end);
      response.on('error', end);
    },
  );
}
