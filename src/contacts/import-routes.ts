import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../http/app-error.ts';
import { requireTenant } from '../http/auth.ts';
import type { ContactImports } from './contact-imports.ts';

const tenantQuery = z.object({
  tenantId: z.string().optional().describe('admin only: the tenant to act for'),
});

const importView = z.object({
  id: z.string(),
  kind: z.string(),
  format: z.string(),
  state: z.string().describe('receiving, queued, running, completed or failed'),
  defaultCountry: z.string().nullable(),
  bytes: z.number(),
  rowsRead: z.number(),
  imported: z.number().describe('new contacts (or new do-not-contact numbers)'),
  merged: z.number().describe('rows that matched an existing contact, or an earlier row of the file'),
  mergeConflicts: z
    .number()
    .describe(
      'merges that replaced a different value: each value, kept and replaced, is in the merge report',
    ),
  mergeRule: z
    .literal('later_row_wins')
    .describe(
      "which value a merge keeps: the later row's non-empty name, explicit time zone and custom fields " +
        "replace an earlier row's and the saved contact's; tags and opt-ins add up",
    ),
  invalid: z.number().describe('rows rejected, each with its line and reason in the error report'),
  problem: z.string().nullable().describe('why a failed import stopped'),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

/** Contact and do-not-contact imports: upload (streamed, answered at once), progress, and the error report. */
export async function importRoutes(
  instance: FastifyInstance,
  deps: { imports: ContactImports },
): Promise<void> {
  const tags = ['contacts'];
  await instance.register(async (scope) => {
    // The upload is read as a stream (a million rows are tens of MB): no body parser may buffer it.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/imports',
      {
        schema: {
          tags,
          summary:
            'Import contacts (or a do-not-contact list) from CSV, a JSON array or NDJSON; answers 202 with the import id.',
          description: [
            'Send the file as the body: `text/csv` (a header row with a phone column: phone, number, whatsapp or wa_id;',
            'name, tags (separated by ; or |), timeZone, country, optInSource, optInAt, optInProof; any other column is a',
            'custom field), or `application/json` / `application/x-ndjson` (objects with the same keys, plus `fields` and',
            '`optIn: {source, at, proof}`). Numbers are normalized to E.164 with `country` as the default country.',
            'Duplicates merge into one contact per number: the later row wins, and every value it replaced is in the',
            'merge report (`merges.csv`). Invalid rows are reported with their line and reason.',
          ].join(' '),
          querystring: tenantQuery.extend({
            kind: z.enum(['contacts', 'do_not_contact']).default('contacts'),
            format: z.enum(['csv', 'json']).optional().describe('by default from the Content-Type'),
            country: z
              .string()
              .length(2)
              .optional()
              .describe('ISO 3166 country for numbers without +, e.g. BR'),
            optInSource: z
              .string()
              .max(100)
              .optional()
              .describe('recorded in the consent ledger for rows that name none'),
            tags: z.string().max(500).optional().describe('comma-separated tags added to every row'),
          }),
          response: { 202: importView },
        },
      },
      async (request, reply) => {
        const query = request.query;
        const tenantId = requireTenant(request.principal, query.tenantId);
        const body = request.body as unknown;
        if (!body || typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') {
          throw new AppError('validation_failed', 'send the file as the request body');
        }
        const contentType = String(request.headers['content-type'] ?? '');
        const format = query.format ?? (/json/i.test(contentType) ? 'json' : 'csv');
        const view = await deps.imports.upload(
          {
            tenantId,
            kind: query.kind,
            format,
            defaultCountry: query.country?.toUpperCase() ?? null,
            optInSource: query.optInSource ?? null,
            tags: (query.tags ?? '')
              .split(',')
              .map((tag) => tag.trim())
              .filter((tag) => tag !== ''),
          },
          body as AsyncIterable<Uint8Array>,
        );
        return reply.code(202).send(view);
      },
    );
  });

  const app = instance.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/imports',
    {
      schema: {
        tags,
        summary: 'Recent imports, newest first.',
        querystring: tenantQuery.extend({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ data: z.array(importView) }) },
      },
    },
    async (request) => ({
      data: await deps.imports.list(
        requireTenant(request.principal, request.query.tenantId),
        request.query.limit,
      ),
    }),
  );

  app.get(
    '/imports/:id',
    {
      schema: {
        tags,
        summary: 'An import and its progress (rows read, imported, merged, invalid), live while it runs.',
        params: z.object({ id: z.string() }),
        querystring: tenantQuery,
        response: { 200: importView },
      },
    },
    async (request) =>
      deps.imports.show(requireTenant(request.principal, request.query.tenantId), request.params.id),
  );

  app.get(
    '/imports/:id/errors.csv',
    {
      schema: {
        tags,
        summary: 'The rejected rows as CSV: line, reason, and the row as it was.',
        params: z.object({ id: z.string() }),
        querystring: tenantQuery,
      },
    },
    async (request, reply) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      await deps.imports.show(tenantId, request.params.id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${request.params.id}-errors.csv"`)
        .send(Readable.from(deps.imports.errorReport(tenantId, request.params.id)));
    },
  );

  app.get(
    '/imports/:id/merges.csv',
    {
      schema: {
        tags,
        summary:
          'The values merges replaced, as CSV: phone, field, the value kept and its line, the value replaced and ' +
          'its line (empty when it was the saved contact’s).',
        params: z.object({ id: z.string() }),
        querystring: tenantQuery,
      },
    },
    async (request, reply) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      await deps.imports.show(tenantId, request.params.id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${request.params.id}-merges.csv"`)
        .send(Readable.from(deps.imports.mergeReport(tenantId, request.params.id)));
    },
  );
}
