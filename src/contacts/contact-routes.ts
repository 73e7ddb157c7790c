import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { phoneSearchDigits, usernameSearchText } from '../conversations/index.ts';
import { AppError, notFound } from '../http/app-error.ts';
import { requireTenant } from '../http/auth.ts';
import { escapeLike, likePattern } from '../store/like-pattern.ts';
import type { Database } from '../store/schema.ts';
import '../campaigns/campaign-schema.ts';
import { isValidTimeZone } from './country-time-zone.ts';
import { recordOptIn } from './record-opt-in.ts';
import { recordOptOut } from './record-opt-out.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const tenantQuery = z.object({
  tenantId: z.string().optional().describe('admin only: the tenant to act for'),
});
const idParams = z.object({ id: z.string().min(1) });

const contactView = z.object({
  id: z.string(),
  waId: z.string().nullable(),
  phone: z.string().nullable().describe('E.164'),
  name: z.string().nullable(),
  userId: z
    .string()
    .nullable()
    .describe("Meta's business-scoped user id (BSUID), e.g. US.13491208655302741918"),
  parentUserId: z.string().nullable().describe('the BSUID at the parent business portfolio level'),
  username: z.string().nullable().describe('WhatsApp username, without the @; a user may hide the number'),
  fields: z.record(z.string(), z.string()),
  tags: z.array(z.string()),
  timeZone: z.string().nullable(),
  country: z.string().nullable(),
  optedOutAt: z.string().nullable().describe('stopped all messages'),
  marketingOptedOutAt: z.string().nullable().describe("stopped marketing (Meta's stop, or error 131050)"),
  isDoNotContact: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

type ContactRow = Selectable<Database['contacts']>;
type ContactColumns = Pick<
  ContactRow,
  | 'id'
  | 'wa_id'
  | 'name'
  | 'user_id'
  | 'parent_user_id'
  | 'username'
  | 'fields'
  | 'time_zone'
  | 'country'
  | 'opted_out_at'
  | 'marketing_opted_out_at'
  | 'created_at'
  | 'updated_at'
>;

async function viewsOf(db: Kysely<Database>, tenantId: string, rows: ContactColumns[]) {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const tags = await db
    .selectFrom('contact_tags')
    .select(['contact_id', 'tag'])
    .where('contact_id', 'in', ids)
    .orderBy('tag')
    .execute();
  const waIds = rows.flatMap((row) => (row.wa_id ? [row.wa_id] : []));
  const blocked = new Set(
    waIds.length === 0
      ? []
      : (
          await db
            .selectFrom('do_not_contact')
            .select('wa_id')
            .where('tenant_id', '=', tenantId)
            .where('wa_id', 'in', waIds)
            .execute()
        ).map((row) => row.wa_id),
  );
  return rows.map((row) => ({
    id: row.id,
    waId: row.wa_id,
    phone: row.wa_id ? `+${row.wa_id}` : null,
    name: row.name,
    userId: row.user_id,
    parentUserId: row.parent_user_id,
    username: row.username,
    fields: JSON.parse(row.fields) as Record<string, string>,
    tags: tags.filter((tag) => tag.contact_id === row.id).map((tag) => tag.tag),
    timeZone: row.time_zone,
    country: row.country,
    optedOutAt: iso(row.opted_out_at),
    marketingOptedOutAt: iso(row.marketing_opted_out_at),
    isDoNotContact: row.wa_id !== null && blocked.has(row.wa_id),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  }));
}

const COLUMNS = [
  'id',
  'wa_id',
  'name',
  'user_id',
  'parent_user_id',
  'username',
  'fields',
  'time_zone',
  'country',
  'opted_out_at',
  'marketing_opted_out_at',
  'created_at',
  'updated_at',
] as const;

/** Contacts: list and search, show, update fields and tags, and opt out or in with the consent history. */
export async function contactRoutes(
  instance: FastifyInstance,
  deps: { db: Kysely<Database>; now: () => number },
): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const tags = ['contacts'];

  const load = async (tenantId: string, id: string) => {
    const row = await db
      .selectFrom('contacts')
      .select(COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound(`contact ${id}`);
    return row;
  };
  const show = async (tenantId: string, id: string) =>
    (await viewsOf(db, tenantId, [await load(tenantId, id)]))[0]!;

  app.get(
    '/contacts',
    {
      schema: {
        tags,
        summary: 'Contacts, in pages: search by name or number, filter by tag or consent.',
        querystring: tenantQuery.extend({
          search: z
            .string()
            .max(100)
            .optional()
            .describe(
              'part of the name, or any part of the number, as typed: 0001, +55 11 98765, (11) 98765-0001',
            ),
          tag: z.string().optional(),
          consent: z.enum(['subscribed', 'opted_out', 'marketing_opted_out']).optional(),
          after: z.string().optional().describe('cursor: the nextCursor of the previous page'),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
        response: { 200: z.object({ data: z.array(contactView), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const query = request.query;
      const tenantId = requireTenant(request.principal, query.tenantId);
      let select = db
        .selectFrom('contacts')
        .select(COLUMNS)
        .where('tenant_id', '=', tenantId)
        .orderBy('id')
        .limit(query.limit);
      if (query.after) select = select.where('id', '>', query.after);
      const search = query.search;
      if (search) {
        const pattern = `%${escapeLike(search)}%`;
        // Part of a number anywhere in it: the last digits, the start, or as typed locally.
        const digitStrings = phoneSearchDigits(search);
        // A username-only sender has no number: their @username, or their exact user id, finds them.
        const username = usernameSearchText(search);
        select = select.where((eb) =>
          eb.or([
            likePattern(eb.ref('name'), pattern),
            ...digitStrings.map((digits) => eb('wa_id', 'like', `%${digits}%`)),
            ...(username ? [likePattern(eb.fn('lower', ['username']), `%${escapeLike(username)}%`)] : []),
            eb('user_id', '=', search.trim()),
          ]),
        );
      }
      if (query.tag) {
        select = select.where('id', 'in', (eb) =>
          eb
            .selectFrom('contact_tags')
            .select('contact_id')
            .where('tenant_id', '=', tenantId)
            .where('tag', '=', query.tag!),
        );
      }
      if (query.consent === 'subscribed') select = select.where('opted_out_at', 'is', null);
      if (query.consent === 'opted_out') select = select.where('opted_out_at', 'is not', null);
      if (query.consent === 'marketing_opted_out')
        select = select.where('marketing_opted_out_at', 'is not', null);
      const rows = await select.execute();
      return {
        data: await viewsOf(db, tenantId, rows),
        nextCursor: rows.length === query.limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  app.get(
    '/contacts/:id',
    {
      schema: {
        tags,
        summary: 'One contact.',
        params: idParams,
        querystring: tenantQuery,
        response: { 200: contactView },
      },
    },
    async (request) => show(requireTenant(request.principal, request.query.tenantId), request.params.id),
  );

  app.patch(
    '/contacts/:id',
    {
      schema: {
        tags,
        summary:
          'Update a contact: name, custom fields (null removes one), tags to add and remove, time zone.',
        params: idParams,
        querystring: tenantQuery,
        body: z.object({
          name: z.string().max(200).nullable().optional(),
          fields: z.record(z.string().max(100), z.string().max(1000).nullable()).optional(),
          tags: z
            .object({
              add: z.array(z.string().min(1).max(50)).max(20).optional(),
              remove: z.array(z.string()).optional(),
            })
            .optional(),
          timeZone: z.string().nullable().optional().describe('IANA zone, e.g. America/Sao_Paulo'),
        }),
        response: { 200: contactView },
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const body = request.body;
      const row = await load(tenantId, request.params.id);
      if (body.timeZone && !isValidTimeZone(body.timeZone)) {
        throw new AppError('validation_failed', `timeZone: "${body.timeZone}" is not an IANA zone`);
      }
      const now = deps.now();
      await db.transaction().execute(async (trx) => {
        const fields = JSON.parse(row.fields) as Record<string, string>;
        for (const [key, value] of Object.entries(body.fields ?? {})) {
          if (value === null) delete fields[key];
          else fields[key] = value;
        }
        await trx
          .updateTable('contacts')
          .set({
            fields: JSON.stringify(fields),
            ...(body.name !== undefined ? { name: body.name } : {}),
            ...(body.timeZone !== undefined ? { time_zone: body.timeZone } : {}),
            updated_at: now,
          })
          .where('id', '=', row.id)
          .execute();
        if (body.tags?.add && body.tags.add.length > 0) {
          await trx
            .insertInto('contact_tags')
            .values(body.tags.add.map((tag) => ({ tenant_id: tenantId, contact_id: row.id, tag })))
            .onConflict((oc) => oc.columns(['contact_id', 'tag']).doNothing())
            .execute();
        }
        if (body.tags?.remove && body.tags.remove.length > 0) {
          await trx
            .deleteFrom('contact_tags')
            .where('contact_id', '=', row.id)
            .where('tag', 'in', body.tags.remove)
            .execute();
        }
      });
      return show(tenantId, row.id);
    },
  );

  app.post(
    '/contacts/:id/opt-out',
    {
      schema: {
        tags,
        summary:
          'Opt a contact out (scope all: every message; marketing: marketing only). Suppressed at once in every campaign; recorded in the consent ledger.',
        params: idParams,
        querystring: tenantQuery,
        body: z.object({
          scope: z.enum(['all', 'marketing']).default('all'),
          reason: z.string().max(500).optional(),
        }),
        response: { 200: contactView.extend({ isNew: z.boolean(), withdrawnMessages: z.number() }) },
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const row = await load(tenantId, request.params.id);
      const result = await db.transaction().execute((trx) =>
        recordOptOut(
          trx,
          {
            tenantId,
            contact: { contactId: row.id },
            scope: request.body.scope,
            source: 'api',
            proof: request.body.reason ?? null,
          },
          deps.now(),
        ),
      );
      return {
        ...(await show(tenantId, row.id)),
        isNew: result.isNew,
        withdrawnMessages: result.withdrawnCount,
      };
    },
  );

  app.post(
    '/contacts/:id/opt-in',
    {
      schema: {
        tags,
        summary: 'Record a consent given (source and proof) and lift the matching opt-out.',
        params: idParams,
        querystring: tenantQuery,
        body: z.object({
          scope: z.enum(['all', 'marketing']).default('all'),
          source: z.string().min(1).max(100).describe('web_form, checkout, in_store …'),
          proof: z
            .string()
            .max(2000)
            .optional()
            .describe('what shows the consent: a form id, a URL, a recording'),
          occurredAt: z.iso.datetime({ offset: true }).optional(),
        }),
        response: { 200: contactView },
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const row = await load(tenantId, request.params.id);
      const body = request.body;
      await db.transaction().execute((trx) =>
        recordOptIn(
          trx,
          {
            tenantId,
            contact: { contactId: row.id },
            scope: body.scope,
            source: body.source,
            proof: body.proof ?? null,
            ...(body.occurredAt ? { occurredAt: Date.parse(body.occurredAt) } : {}),
          },
          deps.now(),
        ),
      );
      return show(tenantId, row.id);
    },
  );

  app.get(
    '/contacts/:id/consent',
    {
      schema: {
        tags,
        summary: 'The consent ledger of a contact: every opt-in and opt-out, with source, time and proof.',
        params: idParams,
        querystring: tenantQuery,
        response: {
          200: z.object({
            data: z.array(
              z.object({
                kind: z.string(),
                scope: z.string(),
                source: z.string(),
                proof: z.string().nullable(),
                occurredAt: z.string(),
                recordedAt: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const row = await load(tenantId, request.params.id);
      const events = await db
        .selectFrom('consent_events')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('contact_id', '=', row.id)
        .orderBy('id')
        .execute();
      return {
        data: events.map((event) => ({
          kind: event.kind,
          scope: event.scope,
          source: event.source,
          proof: event.proof,
          occurredAt: iso(event.occurred_at)!,
          recordedAt: iso(event.created_at)!,
        })),
      };
    },
  );
}
