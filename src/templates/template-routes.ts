import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AppError, notFound } from '../http/app-error.ts';
import { requireTenant } from '../http/auth.ts';
import type { Database } from '../store/schema.ts';
import '../campaigns/campaign-schema.ts';
import { type MessageTemplates, shapeOf } from './message-templates.ts';
import {
  buildComponents,
  checkMapping,
  type ParameterMapping,
  renderPreview,
} from './template-parameters.ts';

const tenantQuery = z.object({
  tenantId: z.string().optional().describe('admin only: the tenant to act for'),
});

export const parameterSource = z.union([
  z.string().min(1).describe('a contact field: name, firstName, phone, waId, or a custom field key'),
  z.object({ field: z.string().min(1), fallback: z.string().optional() }),
  z.object({ text: z.string() }),
  z.object({ image: z.object({ link: z.url() }) }),
  z.object({ video: z.object({ link: z.url() }) }),
  z.object({ document: z.object({ link: z.url(), filename: z.string().optional() }) }),
]);

export const parameterMapping = z
  .object({
    header: z.array(parameterSource).optional(),
    body: z.union([z.array(parameterSource), z.record(z.string(), parameterSource)]).optional(),
    buttons: z.record(z.string(), z.array(parameterSource)).optional(),
  })
  .describe(
    'Where each template parameter comes from: body ["firstName", {"field":"plan","fallback":"our plan"}, {"text":"fixed"}] for {{1}} {{2}} {{3}}, or by name for named templates; header and buttons (by index) likewise',
  );

const templateView = z.object({
  id: z.string(),
  wabaId: z.string(),
  metaTemplateId: z.string().nullable(),
  name: z.string(),
  language: z.string(),
  category: z.string(),
  status: z.string(),
  statusReason: z.string().nullable(),
  qualityScore: z.string().nullable(),
  previousCategory: z.string().nullable(),
  categoryChangedAt: z.string().nullable(),
  disableAt: z.string().nullable(),
  parameterFormat: z.string(),
  components: z.array(z.unknown()),
  parameters: z.object({
    header: z.array(z.string()),
    body: z.array(z.string()),
    buttons: z.array(z.object({ index: z.number(), type: z.string(), parameters: z.array(z.string()) })),
  }),
  updatedAt: z.string(),
});

/** Message templates: sync from the WABA, create (submitted to Meta for review), list, and preview. */
export async function templateRoutes(
  instance: FastifyInstance,
  deps: { db: Kysely<Database>; templates: MessageTemplates },
): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { templates, db } = deps;
  const tags = ['templates'];

  app.post(
    '/templates/sync',
    {
      schema: {
        tags,
        summary: "Read the templates of the tenant's WABAs (or one) from Meta.",
        querystring: tenantQuery,
        body: z.object({ wabaId: z.string().optional() }).nullish(),
        response: { 200: z.object({ data: z.array(templateView) }) },
      },
    },
    async (request) => ({
      data: await templates.sync(
        requireTenant(request.principal, request.query.tenantId),
        request.body?.wabaId,
      ),
    }),
  );

  app.get(
    '/templates',
    {
      schema: {
        tags,
        summary: 'The tenant’s templates as last synced.',
        querystring: tenantQuery,
        response: { 200: z.object({ data: z.array(templateView) }) },
      },
    },
    async (request) => ({
      data: await templates.list(requireTenant(request.principal, request.query.tenantId)),
    }),
  );

  app.get(
    '/templates/:id',
    {
      schema: {
        tags,
        summary: 'One template.',
        params: z.object({ id: z.string() }),
        querystring: tenantQuery,
        response: { 200: templateView },
      },
    },
    async (request) =>
      templates.show(requireTenant(request.principal, request.query.tenantId), request.params.id),
  );

  app.post(
    '/templates',
    {
      schema: {
        tags,
        summary:
          'Create a template in the WABA (Meta reviews it; it is PENDING until a status webhook says otherwise).',
        querystring: tenantQuery,
        body: z.object({
          wabaId: z.string().optional().describe("the tenant's first WABA by default"),
          name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'name: lowercase letters, digits and _ (Meta’s rule)'),
          category: z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION']),
          language: z.string().min(2).max(15).describe('en_US, pt_BR, es …'),
          parameterFormat: z.enum(['positional', 'named']).optional(),
          components: z
            .array(z.looseObject({ type: z.string() }))
            .min(1)
            .describe("Meta's component JSON: HEADER, BODY, FOOTER, BUTTONS"),
        }),
        response: { 201: templateView },
      },
    },
    async (request, reply) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const { wabaId, ...draft } = request.body;
      return reply.code(201).send(await templates.create(tenantId, wabaId, draft));
    },
  );

  app.post(
    '/templates/:id/preview',
    {
      schema: {
        tags,
        summary:
          'The message as a customer would read it: with the given values, with a contact and a parameter mapping, or with Meta’s sample values.',
        params: z.object({ id: z.string() }),
        querystring: tenantQuery,
        body: z
          .object({
            values: z
              .object({
                header: z.array(z.string()).optional(),
                body: z.union([z.array(z.string()), z.record(z.string(), z.string())]).optional(),
                buttons: z.record(z.string(), z.array(z.string())).optional(),
              })
              .optional(),
            contactId: z.string().optional(),
            parameters: parameterMapping.optional(),
          })
          .nullish(),
        response: {
          200: z.object({
            header: z.string().nullable(),
            body: z.string(),
            footer: z.string().nullable(),
            buttons: z.array(z.object({ type: z.string(), text: z.string(), url: z.string().nullable() })),
            problems: z
              .array(z.string())
              .describe('how the mapping does not fit the template, if it does not'),
          }),
        },
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const row = await templates.row(tenantId, request.params.id);
      const shape = shapeOf(row);
      const body = request.body ?? {};
      let values = body.values ?? {};
      let problems: string[] = [];
      if (body.parameters) {
        const mapping = body.parameters as ParameterMapping;
        problems = checkMapping(shape, mapping, 'parameters');
        if (problems.length === 0 && body.contactId) {
          const contact = await db
            .selectFrom('contacts')
            .select(['wa_id', 'name', 'fields'])
            .where('tenant_id', '=', tenantId)
            .where('id', '=', body.contactId)
            .executeTakeFirst();
          if (!contact?.wa_id) throw notFound(`contact ${body.contactId}`);
          const built = buildComponents(shape, mapping, {
            waId: contact.wa_id,
            name: contact.name,
            fields: JSON.parse(contact.fields) as Record<string, string>,
          });
          if ('missing' in built) throw new AppError('validation_failed', built.missing);
          const texts = (type: string) =>
            built.components
              .filter((component) => component.type === type)
              .flatMap((component) =>
                component.parameters.map((parameter) =>
                  'text' in parameter ? parameter.text : `[${parameter.type}]`,
                ),
              );
          values = { header: texts('header'), body: texts('body') };
        }
      }
      return { ...renderPreview(shape, values), problems };
    },
  );
}
