import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../http/app-error.ts';
import { requireTenant } from '../http/auth.ts';
import type { AgentRouteDeps } from './agent-route-deps.ts';
import { MEDIA_KINDS } from './knowledge-base.ts';

const tenantQuery = z.object({ tenantId: z.string().optional().describe('admin only: the tenant') });
const idParams = z.object({ id: z.string().min(1).max(128) });

/** Documents up to 5 MiB of text (the API's default body limit is 1 MiB). */
const DOCUMENT_BODY_LIMIT = 5 * 1024 * 1024;

const jsonDocument = z.object({
  title: z.string().min(1).max(300),
  content: z
    .string()
    .max(DOCUMENT_BODY_LIMIT)
    .default('')
    .describe('the text; for a media asset, a description of it'),
  contentType: z.enum(['text/plain', 'text/markdown']).default('text/markdown'),
  mediaUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional()
    .describe('a media asset the agent may send: a public link'),
  mediaKind: z.enum(MEDIA_KINDS).optional(),
});

/** The knowledge base: the agent answers prices and facts only from these documents. */
export async function knowledgeRoutes(instance: FastifyInstance, deps: AgentRouteDeps): Promise<void> {
  // Markdown and plain text arrive as they are, as well as JSON.
  instance.addContentTypeParser(
    ['text/markdown', 'text/x-markdown'],
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );
  // PDF needs a parser, and none is installed: say so instead of storing bytes the agent cannot read.
  instance.addContentTypeParser('application/pdf', (_request, _payload, done) =>
    done(
      new AppError(
        'validation_failed',
        'PDF documents are not supported yet: send the text as text/markdown or text/plain',
      ),
      undefined,
    ),
  );
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const tags = ['agent knowledge'];

  app.post(
    '/agent/knowledge',
    {
      bodyLimit: DOCUMENT_BODY_LIMIT,
      schema: {
        tags,
        summary:
          'Add a document: a text/markdown or text/plain body (title in ?title= or the first heading), or JSON { title, content, mediaUrl?, mediaKind? }.',
        querystring: tenantQuery.extend({ title: z.string().min(1).max(300).optional() }),
        body: z.union([z.string().min(1).max(DOCUMENT_BODY_LIMIT), jsonDocument]),
      },
    },
    async (request, reply) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const body = request.body;
      let document: Parameters<typeof deps.knowledge.add>[1];
      if (typeof body === 'string') {
        const contentType = String(request.headers['content-type'] ?? 'text/plain').startsWith('text/plain')
          ? 'text/plain'
          : 'text/markdown';
        const heading = /^#{1,6}\s+(.+)$/m.exec(body)?.[1]?.trim();
        document = { title: request.query.title ?? heading?.slice(0, 300) ?? 'Untitled', contentType, body };
      } else {
        document = {
          title: body.title,
          contentType: body.mediaUrl ? `media/${body.mediaKind ?? 'document'}` : body.contentType,
          body: body.content,
          mediaUrl: body.mediaUrl ?? null,
          mediaKind: body.mediaKind ?? null,
        };
      }
      return reply.code(201).send(await deps.knowledge.add(tenantId, document));
    },
  );

  app.get(
    '/agent/knowledge',
    {
      schema: { tags, summary: "The tenant's knowledge documents, newest first.", querystring: tenantQuery },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      return { data: await deps.knowledge.list(tenantId) };
    },
  );

  app.get(
    '/agent/knowledge/search',
    {
      schema: {
        tags,
        summary: 'Search the knowledge base as the agent does: full-text ranking, best passage first.',
        querystring: tenantQuery.extend({
          q: z.string().min(1).max(2000),
          limit: z.coerce.number().int().min(1).max(20).default(5),
        }),
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      return { data: await deps.knowledge.search(tenantId, request.query.q, request.query.limit) };
    },
  );

  app.get(
    '/agent/knowledge/:id',
    { schema: { tags, summary: 'One document, with its text.', params: idParams, querystring: tenantQuery } },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      return deps.knowledge.get(tenantId, request.params.id);
    },
  );

  app.delete(
    '/agent/knowledge/:id',
    {
      schema: {
        tags,
        summary: 'Delete a document and its passages.',
        params: idParams,
        querystring: tenantQuery,
      },
    },
    async (request, reply) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      await deps.knowledge.remove(tenantId, request.params.id);
      return reply.code(204).send();
    },
  );
}
