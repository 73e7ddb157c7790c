import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AppError, notFound } from '../http/app-error.ts';
import { requireTenant } from '../http/auth.ts';
import type { Database } from '../store/schema.ts';
import '../campaigns/campaign-schema.ts';
import { addDoNotContact } from './add-do-not-contact.ts';
import { consentSettingsFor, saveConsentSettings } from './consent-settings.ts';
import { isCountryCode, normalizePhone } from './normalize-phone.ts';

const tenantQuery = z.object({
  tenantId: z.string().optional().describe('admin only: the tenant to act for'),
});
const iso = (ms: number) => new Date(ms).toISOString();

const settingsSchema = z.object({
  optOutKeywords: z
    .record(z.string().min(2).max(10), z.array(z.string().min(1).max(40)).max(50))
    .describe(
      'by language: a customer message that is exactly one of these opts them out, e.g. { "pt": ["PARAR", "SAIR"] }',
    ),
  confirmationTexts: z
    .record(z.string().min(2).max(10), z.string().min(1).max(1000))
    .describe('by language: what the customer is told, once, after a keyword opt-out'),
  pricesUsd: z
    .record(z.string(), z.number().min(0).max(10))
    .describe(
      'USD per billable message by Meta pricing category (marketing, utility, authentication, service)',
    ),
});

/** The do-not-contact list and the tenant's consent settings (opt-out keywords, confirmations, prices). */
export async function consentRoutes(
  instance: FastifyInstance,
  deps: { db: Kysely<Database>; now: () => number },
): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const tags = ['consent'];

  app.get(
    '/do-not-contact',
    {
      schema: {
        tags,
        summary: 'The do-not-contact list: numbers never messaged, whether or not they are contacts.',
        querystring: tenantQuery.extend({
          after: z.string().optional().describe('cursor: the nextCursor of the previous page'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: {
          200: z.object({
            data: z.array(
              z.object({
                waId: z.string(),
                reason: z.string().nullable(),
                source: z.string(),
                createdAt: z.string(),
              }),
            ),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      let select = db
        .selectFrom('do_not_contact')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('wa_id')
        .limit(request.query.limit);
      if (request.query.after) select = select.where('wa_id', '>', request.query.after);
      const rows = await select.execute();
      return {
        data: rows.map((row) => ({
          waId: row.wa_id,
          reason: row.reason,
          source: row.source,
          createdAt: iso(row.created_at),
        })),
        nextCursor: rows.length === request.query.limit ? rows[rows.length - 1]!.wa_id : null,
      };
    },
  );

  app.post(
    '/do-not-contact',
    {
      schema: {
        tags,
        summary:
          'Add numbers to the do-not-contact list; their queued campaign messages are withdrawn at once.',
        querystring: tenantQuery,
        body: z.object({
          phones: z.array(z.string().min(1).max(40)).min(1).max(10_000),
          country: z.string().length(2).optional().describe('default country for numbers without +'),
          reason: z.string().max(500).optional(),
        }),
        response: {
          200: z.object({
            added: z.number(),
            invalid: z.array(z.object({ phone: z.string(), reason: z.string() })),
          }),
        },
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const country = request.body.country?.toUpperCase() ?? null;
      if (country !== null && !isCountryCode(country))
        throw new AppError('validation_failed', `country: "${country}" is not a country code`);
      const valid: Array<{ waId: string; reason: string | null }> = [];
      const invalid: Array<{ phone: string; reason: string }> = [];
      for (const phone of request.body.phones) {
        const normalized = normalizePhone(phone, country && isCountryCode(country) ? country : null);
        if (normalized.ok) valid.push({ waId: normalized.waId, reason: request.body.reason ?? null });
        else invalid.push({ phone, reason: normalized.reason });
      }
      let added = 0;
      for (let index = 0; index < valid.length; index += 500) {
        const batch = valid.slice(index, index + 500);
        added += await db
          .transaction()
          .execute((trx) =>
            addDoNotContact(trx, tenantId, batch, { source: 'api', importId: null }, deps.now()),
          );
      }
      return { added, invalid };
    },
  );

  app.delete(
    '/do-not-contact/:waId',
    {
      schema: {
        tags,
        summary: 'Remove a number from the do-not-contact list (its opt-outs, if any, stay).',
        params: z.object({ waId: z.string() }),
        querystring: tenantQuery,
      },
    },
    async (request, reply) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const removed = await db
        .deleteFrom('do_not_contact')
        .where('tenant_id', '=', tenantId)
        .where('wa_id', '=', request.params.waId.replace(/\D/g, ''))
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) throw notFound(`do-not-contact entry ${request.params.waId}`);
      return reply.code(204).send();
    },
  );

  app.get(
    '/consent-settings',
    {
      schema: {
        tags,
        summary: 'Opt-out keywords, confirmation texts and the price table for cost estimates.',
        querystring: tenantQuery,
        response: { 200: settingsSchema },
      },
    },
    async (request) => consentSettingsFor(db, requireTenant(request.principal, request.query.tenantId)),
  );

  app.put(
    '/consent-settings',
    {
      schema: {
        tags,
        summary: 'Change opt-out keywords, confirmation texts or prices (omitted parts stay as they are).',
        querystring: tenantQuery,
        body: settingsSchema.partial(),
        response: { 200: settingsSchema },
      },
    },
    async (request) =>
      saveConsentSettings(
        db,
        requireTenant(request.principal, request.query.tenantId),
        request.body,
        deps.now(),
      ),
  );
}
