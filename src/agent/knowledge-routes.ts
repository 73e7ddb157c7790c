import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireTenant } from '../http/auth.ts';
import type { AgentRouteDeps } from './agent-route-deps.ts';
import { extractPdfText } from './extract-pdf-text.ts';
import { MEDIA_KINDS } from './knowledge-base.ts';

const tenantQuery = z.object({ tenantId: z.string().optional().describe('admin only: the tenant') });
const idParams = z.object({ id: z.string().min(1).max(128) });

/** PDFs' own titles, from the body parser to the route. */
const pdfTitles = new WeakMap<FastifyRequest, string | null>();

/** Documents up to 5 MiB of text or PDF (the API's default body limit is 1 MiB). */
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
  // A PDF arrives as bytes and goes on as its text (its own title kept for the document's name).
  instance.addContentTypeParser(
    'application/pdf',
    { parseAs: 'buffer', bodyLimit: DOCUMENT_BODY_LIMIT },
    async (request: FastifyRequest, body: Buffer) => {
      const pdf = await extractPdfText(body);
      pdfTitles.set(request, pdf.title);
      return pdf.text;
    },
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
          'Add a document: a text/markdown, text/plain or application/pdf body (title in ?title=, else the first heading or the PDF’s title), or JSON { title, content, mediaUrl?, mediaKind? }.',
        querystring: tenantQuery.extend({ title: z.string().min(1).max(300).optional() }),
        body: z.union([z.string().min(1).max(DOCUMENT_BODY_LIMIT), jsonDocument]),
      },
    },
    async (request, reply) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const body = request.body;
      let document: Parameters<typeof deps.knowledge.add>[1];
      if (typeof body === 'string') {
        const header = String(request.headers['content-type'] ?? 'text/plain');
        const isPdf = header.startsWith('application/pdf');
        const contentType = isPdf || header.startsWith('text/plain') ? 'text/plain' : 'text/markdown';
        const heading = isPdf
          ? (pdfTitles.get(request) ?? body.split('\n', 1)[0]?.trim())
          : /^#{1,6}\s+(.+)$/m.exec(body)?.[1]?.trim();
        document = {
          title: request.query.title ?? (heading ? heading.slice(0, 300) : 'Untitled'),
          contentType,
          body,
        };
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
