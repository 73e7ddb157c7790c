import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { requireTenant } from '../http/auth.ts';
import type { DialectFlags } from '../store/dialect-flags.ts';
import type { Database } from '../store/schema.ts';
import './campaign-schema.ts';
import { csvField } from '../contacts/index.ts';
import { parameterMapping } from '../templates/index.ts';
import { funnelCsv } from './campaign-funnel.ts';
import type { CampaignInput, Campaigns } from './campaigns.ts';
import { CAMPAIGN_CONTACT_STATES } from './contact-states.ts';
import { countAudience } from './count-audience.ts';

const tenantQuery = z.object({
  tenantId: z.string().optional().describe('admin only: the tenant to act for'),
});
const idParams = z.object({ id: z.string() });
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const audience = z
  .object({
    tags: z.array(z.string()).optional().describe('contacts with any of these tags'),
    allTags: z.array(z.string()).optional().describe('contacts with all of these tags'),
    excludeTags: z.array(z.string()).optional(),
    fields: z
      .array(
        z.object({
          field: z.string().min(1),
          equals: z.string().optional(),
          in: z.array(z.string()).optional(),
          exists: z.boolean().optional(),
        }),
      )
      .optional()
      .describe('custom field filters, all of which must hold'),
    countries: z.array(z.string().length(2)).optional(),
  })
  .describe('who to reach; opted-out contacts and do-not-contact numbers are always left out');

const campaignInput = z.object({
  name: z.string().min(1).max(200),
  phoneNumberId: z
    .string()
    .optional()
    .describe("the sending number's Meta id; the tenant's first number by default"),
  templateId: z.string().optional().describe('one template for everyone (or give variants)'),
  parameters: parameterMapping.optional(),
  variants: z
    .array(
      z.object({
        name: z.string().min(1).max(20),
        templateId: z.string(),
        parameters: parameterMapping.optional(),
        weight: z
          .number()
          .int()
          .min(1)
          .max(100)
          .optional()
          .describe('share of contacts, relative (1 by default)'),
      }),
    )
    .min(2)
    .max(5)
    .optional()
    .describe('A/B variants; each contact gets one, by a stable hash of its id'),
  followUps: z
    .array(
      z.object({
        afterHours: z
          .number()
          .min(0.01)
          .max(24 * 30)
          .describe('no reply this long after the previous message was sent'),
        templateId: z.string(),
        parameters: parameterMapping.optional(),
      }),
    )
    .max(5)
    .optional()
    .describe('sent in order to contacts who have not replied; a reply stops them'),
  audience: audience.optional(),
  startAt: z.iso.datetime({ offset: true }).optional(),
  sendingHours: z
    .object({ from: z.string(), until: z.string() })
    .optional()
    .describe("each contact's local time; quiet outside it; 09:00–20:00 by default"),
  timeZone: z
    .string()
    .optional()
    .describe('for contacts without a zone, and the daily cap’s day; UTC by default'),
  dailyCap: z.number().int().min(1).nullable().optional().describe('most campaign messages released a day'),
  agentProfileId: z.string().nullable().optional().describe('the agent profile that answers replies'),
});

const funnelRow = z.object({
  variant: z.string(),
  targeted: z.number(),
  sent: z.number(),
  delivered: z.number(),
  read: z.number(),
  replied: z.number(),
  qualified: z.number(),
  converted: z.number(),
  optedOut: z.number(),
  suppressed: z.number(),
  failed: z.number(),
  waiting: z.number(),
  failedByReason: z.array(
    z.object({ code: z.number().nullable(), reason: z.string().nullable(), count: z.number() }),
  ),
  messagesSent: z.number(),
  billableMessages: z.number(),
  costUsd: z.number(),
});

/** Campaigns: create (checked against the templates), list, show with progress, control, funnel and exports. */
export async function campaignRoutes(
  instance: FastifyInstance,
  deps: { db: Kysely<Database>; flags: DialectFlags; campaigns: Campaigns },
): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { campaigns, db } = deps;
  const tags = ['campaigns'];

  app.post(
    '/campaigns',
    {
      schema: {
        tags,
        summary:
          'Create a draft campaign. Templates and parameter mappings are checked now: a mismatch is a 400 naming each problem, not error 132000 at send time.',
        querystring: tenantQuery,
        body: campaignInput,
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await campaigns.create(
            requireTenant(request.principal, request.query.tenantId),
            request.body as CampaignInput,
          ),
        ),
  );

  app.post(
    '/campaigns/audience-count',
    {
      schema: {
        tags,
        summary:
          "How many contacts an audience reaches before launch: those its filters match, and those a campaign may write to (opted-out and do-not-contact left out; for marketing, Meta's marketing stops too).",
        querystring: tenantQuery,
        body: z.object({
          audience,
          category: z
            .enum(['MARKETING', 'UTILITY', 'AUTHENTICATION'])
            .default('MARKETING')
            .describe("the template's category: marketing also leaves out marketing opt-outs"),
        }),
        response: { 200: z.object({ matched: z.number(), reachable: z.number() }) },
      },
    },
    async (request) =>
      countAudience(deps.db, deps.flags, {
        tenantId: requireTenant(request.principal, request.query.tenantId),
        audience: request.body.audience,
        isMarketing: request.body.category === 'MARKETING',
      }),
  );

  app.get(
    '/campaigns/:id/audience-count',
    {
      schema: {
        tags,
        summary: "How many contacts a campaign's audience reaches now (a draft's, before it is planned).",
        params: idParams,
        querystring: tenantQuery,
        response: { 200: z.object({ matched: z.number(), reachable: z.number() }) },
      },
    },
    async (request) => {
      const campaign = await campaigns.show(
        requireTenant(request.principal, request.query.tenantId),
        request.params.id,
      );
      return countAudience(deps.db, deps.flags, {
        tenantId: requireTenant(request.principal, request.query.tenantId),
        audience: campaign.audience,
        isMarketing: campaign.category === 'MARKETING',
      });
    },
  );

  app.get(
    '/campaigns',
    {
      schema: {
        tags,
        summary: 'Campaigns, newest first, with their progress.',
        querystring: tenantQuery.extend({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      },
    },
    async (request) => ({
      data: await campaigns.list(
        requireTenant(request.principal, request.query.tenantId),
        request.query.limit,
      ),
    }),
  );

  app.get(
    '/campaigns/:id',
    {
      schema: {
        tags,
        summary: 'A campaign with its live progress (and why it is paused, if it is).',
        params: idParams,
        querystring: tenantQuery,
      },
    },
    async (request) =>
      campaigns.show(requireTenant(request.principal, request.query.tenantId), request.params.id),
  );

  for (const action of ['launch', 'pause', 'resume', 'cancel'] as const) {
    const summaries = {
      launch:
        'Launch a draft: the audience is planned, then sent within sending hours, the daily cap and the number’s limits.',
      pause:
        'Pause: nothing more is sent; messages waiting in the outbox are taken back and go out on resume.',
      resume: 'Resume a paused campaign.',
      cancel: 'Cancel for good: nothing more is sent.',
    };
    app.post(
      `/campaigns/:id/${action}`,
      { schema: { tags, summary: summaries[action], params: idParams, querystring: tenantQuery } },
      async (request) =>
        campaigns[action](requireTenant(request.principal, request.query.tenantId), request.params.id),
    );
  }

  app.get(
    '/campaigns/:id/funnel',
    {
      schema: {
        tags,
        summary:
          'The funnel per variant and in total: targeted, sent, delivered, read, replied, qualified, converted, opted out, failed by reason, and the estimated cost.',
        params: idParams,
        querystring: tenantQuery,
        response: { 200: z.object({ variants: z.array(funnelRow), total: funnelRow }) },
      },
    },
    async (request) =>
      campaigns.funnel(requireTenant(request.principal, request.query.tenantId), request.params.id),
  );

  app.get(
    '/campaigns/:id/funnel.csv',
    { schema: { tags, summary: 'The funnel as CSV.', params: idParams, querystring: tenantQuery } },
    async (request, reply) => {
      const funnel = await campaigns.funnel(
        requireTenant(request.principal, request.query.tenantId),
        request.params.id,
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${request.params.id}-funnel.csv"`)
        .send(funnelCsv(funnel));
    },
  );

  const contactRow = (row: Database['campaign_contacts'] & { name: string | null }) => ({
    contactId: row.contact_id,
    waId: row.wa_id,
    name: row.name,
    variant: row.variant,
    state: row.state,
    timeZone: row.time_zone,
    nextStep: row.next_step,
    dueAt: iso(row.due_at),
    sentAt: iso(row.sent_at),
    deliveredAt: iso(row.delivered_at),
    readAt: iso(row.read_at),
    repliedAt: iso(row.replied_at),
    qualifiedAt: iso(row.qualified_at),
    convertedAt: iso(row.converted_at),
    optedOutAt: iso(row.opted_out_at),
    failedAt: iso(row.failed_at),
    errorCode: row.error_code,
    errorTitle: row.error_title,
  });
  const contactPage = (
    campaignId: string,
    filter: { state?: string | undefined; after?: string | undefined; limit: number },
  ) => {
    let select = db
      .selectFrom('campaign_contacts')
      .innerJoin('contacts', 'contacts.id', 'campaign_contacts.contact_id')
      .selectAll('campaign_contacts')
      .select('contacts.name')
      .where('campaign_contacts.campaign_id', '=', campaignId)
      .orderBy('campaign_contacts.contact_id')
      .limit(filter.limit);
    if (filter.state) select = select.where('campaign_contacts.state', '=', filter.state);
    if (filter.after) select = select.where('campaign_contacts.contact_id', '>', filter.after);
    return select.execute();
  };

  app.get(
    '/campaigns/:id/contacts',
    {
      schema: {
        tags,
        summary:
          "Each contact's state in the campaign (queued … converted, opted_out, failed with Meta's code).",
        params: idParams,
        querystring: tenantQuery.extend({
          state: z.enum(CAMPAIGN_CONTACT_STATES as [string, ...string[]]).optional(),
          after: z.string().optional().describe('cursor: the nextCursor of the previous page'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const row = await campaigns.row(tenantId, request.params.id);
      const rows = await contactPage(row.id, request.query);
      return {
        data: rows.map(contactRow),
        nextCursor: rows.length === request.query.limit ? rows[rows.length - 1]!.contact_id : null,
      };
    },
  );

  app.get(
    '/campaigns/:id/contacts.csv',
    {
      schema: {
        tags,
        summary: 'Every contact of the campaign and its state, as CSV.',
        params: idParams,
        querystring: tenantQuery,
      },
    },
    async (request, reply) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const row = await campaigns.row(tenantId, request.params.id);
      const columns = [
        'contactId',
        'waId',
        'name',
        'variant',
        'state',
        'sentAt',
        'deliveredAt',
        'readAt',
        'repliedAt',
        'qualifiedAt',
        'convertedAt',
        'optedOutAt',
        'failedAt',
        'errorCode',
        'errorTitle',
      ] as const;
      async function* lines() {
        yield `${columns.join(',')}\r\n`;
        let after: string | undefined;
        for (;;) {
          const page = await contactPage(row.id, { after, limit: 1000 });
          if (page.length === 0) return;
          after = page[page.length - 1]!.contact_id;
          yield page
            .map((item) => {
              const view = contactRow(item);
              return `${columns.map((column) => csvField(view[column])).join(',')}\r\n`;
            })
            .join('');
          if (page.length < 1000) return;
        }
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${row.id}-contacts.csv"`)
        .send(Readable.from(lines()));
    },
  );
}
