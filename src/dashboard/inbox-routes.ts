import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import '../campaigns/campaign-schema.ts';
import { phoneSearchDigits, usernameSearchText } from '../conversations/index.ts';
import { CUSTOMER_SERVICE_WINDOW_MS } from '../dispatch/index.ts';
import { AppError, notFound } from '../http/app-error.ts';
import { requireTenant } from '../http/auth.ts';
import { escapeLike, likePattern } from '../store/like-pattern.ts';
import type { Database } from '../store/schema.ts';
import type { GraphClient } from '../whatsapp/graph/index.ts';
import type { GraphTargetFor } from './graph-target-for.ts';
import { messagePreview } from './message-preview.ts';
import { renderTemplateText, type TemplateText, templateText } from './render-template-text.ts';
import { describeGraphError } from './whatsapp-routes.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const tenantQuery = z.object({ tenantId: z.string().optional().describe('admin token only: the tenant') });
const idParams = z.object({ id: z.string().min(1).max(128) });
/** Outbox states of a message that has no wamid yet, or never will: shown in the thread as pending or failed. */
const UNSENT_STATES = ['queued', 'sending', 'unknown', 'held', 'failed'];

export interface InboxRouteDeps {
  db: Kysely<Database>;
  graph: GraphClient;
  graphTargetFor: GraphTargetFor;
  now: () => number;
}

/**
 * What the inbox screen needs beyond the conversation routes: the list by latest activity with a preview
 * line and every filter, a thread with its unsent messages, and the media customers sent.
 */
export async function inboxRoutes(instance: FastifyInstance, deps: InboxRouteDeps): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const tags = ['inbox'];

  app.get(
    '/inbox/conversations',
    {
      schema: {
        tags,
        summary: 'Conversations by latest activity, with a preview of the last message, for the inbox list.',
        querystring: tenantQuery.extend({
          owner: z.enum(['agent', 'human']).optional(),
          needsAttention: z.enum(['true', 'false']).optional(),
          campaignId: z.string().max(128).optional(),
          outcome: z.string().max(50).optional(),
          q: z
            .string()
            .max(100)
            .optional()
            .describe(
              "part of the contact's name or @username, any part of the number as typed (0001, (11) 98765-0001), or the exact user id",
            ),
          before: z.string().max(200).optional().describe('cursor: the nextCursor of the previous page'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
    },
    async (request) => {
      const query = request.query;
      const tenantId = requireTenant(request.principal, query.tenantId);
      let select = db
        .selectFrom('conversations')
        .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
        .select([
          'conversations.id',
          'conversations.owner',
          'conversations.needs_attention',
          'conversations.outcome',
          'conversations.campaign_id',
          'conversations.is_closed',
          'conversations.last_message_at',
          'conversations.last_inbound_at',
          'conversations.lead_fields',
          'contacts.id as contact_id',
          'contacts.name as contact_name',
          'contacts.wa_id',
          'contacts.user_id',
          'contacts.parent_user_id',
          'contacts.username',
          'contacts.opted_out_at',
        ])
        .select((eb) =>
          eb
            .selectFrom('messages')
            .select('messages.id')
            .whereRef('messages.conversation_id', '=', 'conversations.id')
            .orderBy('messages.created_at', 'desc')
            .limit(1)
            .as('last_message_id'),
        )
        .where('conversations.tenant_id', '=', tenantId)
        // A conversation appears once something was said in it (a planned campaign message has not been yet).
        .where('conversations.last_message_at', 'is not', null)
        .orderBy('conversations.last_message_at', 'desc')
        .orderBy('conversations.id', 'desc')
        .limit(query.limit);
      if (query.owner) select = select.where('conversations.owner', '=', query.owner);
      if (query.needsAttention)
        select = select.where('conversations.needs_attention', '=', query.needsAttention === 'true' ? 1 : 0);
      if (query.campaignId) select = select.where('conversations.campaign_id', '=', query.campaignId);
      if (query.outcome) {
        select =
          query.outcome === 'none'
            ? select.where('conversations.outcome', 'is', null)
            : select.where('conversations.outcome', '=', query.outcome);
      }
      const search = query.q?.trim();
      if (search) {
        const pattern = `%${escapeLike(search.toLowerCase())}%`;
        const digitStrings = phoneSearchDigits(search);
        // A username-only sender has no number: their @username, or their exact user id, finds them.
        const username = usernameSearchText(search);
        select = select.where((eb) =>
          eb.or([
            likePattern(eb.fn('lower', ['contacts.name']), pattern),
            ...digitStrings.map((digits) => eb('contacts.wa_id', 'like', `%${digits}%`)),
            ...(username
              ? [likePattern(eb.fn('lower', ['contacts.username']), `%${escapeLike(username)}%`)]
              : []),
            eb('contacts.user_id', '=', search),
          ]),
        );
      }
      if (query.before) {
        const separator = query.before.indexOf('_');
        const at = Number(query.before.slice(0, separator));
        const id = query.before.slice(separator + 1);
        if (separator > 0 && Number.isFinite(at) && id) {
          select = select.where((eb) =>
            eb.or([
              eb('conversations.last_message_at', '<', at),
              eb.and([eb('conversations.last_message_at', '=', at), eb('conversations.id', '<', id)]),
            ]),
          );
        }
      }
      const rows = await select.execute();
      const lastIds = rows.flatMap((row) => (row.last_message_id ? [row.last_message_id] : []));
      const lastMessages = lastIds.length
        ? await db
            .selectFrom('messages')
            .select(['id', 'direction', 'type', 'content', 'status', 'error_title'])
            .where('id', 'in', lastIds)
            .execute()
        : [];
      const byId = new Map(lastMessages.map((message) => [message.id, message]));
      // A conversation whose only message was never sent (held, failed, queued) previews that message.
      const silentIds = rows.flatMap((row) => (row.last_message_id ? [] : [row.id]));
      const unsentRows = silentIds.length
        ? await db
            .selectFrom('outbox')
            .select(['conversation_id', 'message', 'message_type', 'state', 'hold_reason', 'error_title'])
            .where('tenant_id', '=', tenantId)
            .where('conversation_id', 'in', silentIds)
            .where('wamid', 'is', null)
            .where('state', 'in', UNSENT_STATES)
            .orderBy('created_at', 'desc')
            .execute()
        : [];
      const unsentByConversation = new Map<string, (typeof unsentRows)[number]>();
      for (const unsent of unsentRows) {
        if (unsent.conversation_id && !unsentByConversation.has(unsent.conversation_id))
          unsentByConversation.set(unsent.conversation_id, unsent);
      }
      const windowStart = deps.now() - CUSTOMER_SERVICE_WINDOW_MS;
      const last = rows[rows.length - 1];
      return {
        data: rows.map((row) => {
          const message = row.last_message_id ? byId.get(row.last_message_id) : undefined;
          const unsent = message ? undefined : unsentByConversation.get(row.id);
          return {
            id: row.id,
            contact: {
              id: row.contact_id,
              name: row.contact_name,
              waId: row.wa_id,
              userId: row.user_id,
              parentUserId: row.parent_user_id,
              username: row.username,
              isOptedOut: row.opted_out_at !== null,
            },
            owner: row.owner,
            needsAttention: row.needs_attention === 1,
            outcome: row.outcome,
            campaignId: row.campaign_id,
            isClosed: row.is_closed === 1,
            isWindowOpen: row.last_inbound_at !== null && row.last_inbound_at > windowStart,
            lastMessageAt: iso(row.last_message_at),
            lastInboundAt: iso(row.last_inbound_at),
            preview: message
              ? {
                  direction: message.direction,
                  text: messagePreview(message.type, safeParse(message.content)),
                  status: message.status,
                  hasError: message.error_title !== null,
                  reason: null,
                }
              : unsent
                ? {
                    direction: 'out',
                    text: messagePreview(unsent.message_type, safeParse(unsent.message)),
                    status: unsent.state,
                    hasError: unsent.state === 'held' || unsent.state === 'failed',
                    reason:
                      unsent.state === 'held' || unsent.state === 'failed'
                        ? (unsent.error_title ?? unsent.hold_reason)
                        : null,
                  }
                : null,
          };
        }),
        nextCursor: rows.length === query.limit && last ? `${last.last_message_at}_${last.id}` : null,
      };
    },
  );

  app.get(
    '/inbox/facets',
    {
      schema: {
        tags,
        summary: 'The values the inbox filters offer: campaigns and outcomes.',
        querystring: tenantQuery,
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const [campaigns, outcomes] = await Promise.all([
        db
          .selectFrom('campaigns')
          .select(['id', 'name', 'state'])
          .where('tenant_id', '=', tenantId)
          .orderBy('created_at', 'desc')
          .limit(200)
          .execute(),
        db
          .selectFrom('conversations')
          .select('outcome')
          .distinct()
          .where('tenant_id', '=', tenantId)
          .where('outcome', 'is not', null)
          .execute(),
      ]);
      return {
        campaigns,
        outcomes: outcomes.map((row) => row.outcome!).sort(),
      };
    },
  );

  app.get(
    '/inbox/conversations/:id/thread',
    {
      schema: {
        tags,
        summary:
          'The messages of a conversation, oldest first, with who sent each and the unsent ones (queued or failed).',
        params: idParams,
        querystring: tenantQuery.extend({ limit: z.coerce.number().int().min(1).max(500).default(200) }),
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const conversation = await db
        .selectFrom('conversations')
        .select(['id'])
        .where('id', '=', request.params.id)
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      if (!conversation) throw notFound(`conversation ${request.params.id}`);
      const [messages, unsent] = await Promise.all([
        db
          .selectFrom('messages')
          .leftJoin('outbox', 'outbox.id', 'messages.biz_opaque_callback_data')
          // The colleague who wrote a hand-sent reply, if they are this tenant's (a user id comes from an API
          // caller too: another tenant's user must never be named here).
          .leftJoin('users', (join) =>
            join
              .onRef('users.id', '=', 'outbox.sent_by_user_id')
              .onRef('users.tenant_id', '=', 'messages.tenant_id'),
          )
          .select([
            'messages.id',
            'messages.direction',
            'messages.type',
            'messages.content',
            'messages.edited_content',
            'messages.is_revoked',
            'messages.status',
            'messages.status_at',
            'messages.error_code',
            'messages.error_title',
            'messages.error_details',
            'messages.sent_at',
            'messages.created_at',
            'messages.origin',
            'outbox.source',
            'users.name as sender_name',
          ])
          .where('messages.tenant_id', '=', tenantId)
          .where('messages.conversation_id', '=', conversation.id)
          .orderBy('messages.created_at', 'desc')
          .orderBy('messages.id', 'desc')
          .limit(request.query.limit)
          .execute(),
        db
          .selectFrom('outbox')
          .leftJoin('users', (join) =>
            join
              .onRef('users.id', '=', 'outbox.sent_by_user_id')
              .onRef('users.tenant_id', '=', 'outbox.tenant_id'),
          )
          .select([
            'outbox.id',
            'outbox.message',
            'outbox.message_type',
            'outbox.source',
            'outbox.state',
            'outbox.hold_reason',
            'outbox.error_code',
            'outbox.error_title',
            'outbox.created_at',
            'users.name as sender_name',
          ])
          .where('outbox.tenant_id', '=', tenantId)
          .where('outbox.conversation_id', '=', conversation.id)
          .where('outbox.wamid', 'is', null)
          .where('outbox.state', 'in', UNSENT_STATES)
          .orderBy('outbox.created_at')
          .limit(100)
          .execute(),
      ]);
      const templateTexts = await templateTextsFor(db, tenantId, [
        ...messages.map((row) => ({ type: row.type, content: row.content })),
        ...unsent.map((row) => ({ type: row.message_type, content: row.message })),
      ]);
      // A template message reads as the customer saw it: the template's words with our parameters in place.
      const textOf = (type: string, content: unknown) => {
        const template = type === 'template' ? templateTexts.get(templateKey(content)) : undefined;
        return template ? renderTemplateText(template, content) : messagePreview(type, content);
      };
      return {
        messages: messages.reverse().map((row) => {
          const content = safeParse(row.edited_content ?? row.content);
          return {
            id: row.id,
            direction: row.direction,
            type: row.type,
            content,
            text: textOf(row.type, content),
            isEdited: row.edited_content !== null,
            isRevoked: row.is_revoked === 1,
            source: row.direction === 'in' ? 'customer' : (row.source ?? row.origin ?? 'api'),
            senderName: row.sender_name ?? null,
            status: row.status,
            statusAt: iso(row.status_at),
            error:
              row.error_code === null && row.error_title === null
                ? null
                : { code: row.error_code, title: row.error_title, details: row.error_details },
            at: iso(row.sent_at ?? row.created_at),
          };
        }),
        unsent: unsent.map((row) => {
          const content = safeParse(row.message);
          return {
            id: row.id,
            direction: 'out',
            type: row.message_type,
            content,
            text: textOf(row.message_type, content),
            source: row.source,
            senderName: row.sender_name ?? null,
            state: row.state,
            reason:
              row.state === 'failed' || row.state === 'held' ? (row.error_title ?? row.hold_reason) : null,
            error: row.error_code === null ? null : { code: row.error_code, title: row.error_title },
            at: iso(row.created_at),
          };
        }),
      };
    },
  );

  app.get(
    '/inbox/messages/:id/media',
    {
      schema: {
        tags,
        summary:
          'The media a customer sent (image, video, audio, document, sticker), fetched from the Graph API.',
        params: idParams,
        querystring: tenantQuery,
      },
    },
    async (request, reply) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const message = await db
        .selectFrom('messages')
        .select(['type', 'content', 'phone_number_id'])
        .where('id', '=', request.params.id)
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      if (!message) throw notFound(`message ${request.params.id}`);
      const content = safeParse(message.content) as Record<string, { id?: unknown } | undefined> | null;
      const mediaId = content?.[message.type]?.id;
      if (typeof mediaId !== 'string' || !message.phone_number_id) {
        throw new AppError('not_found', 'this message has no media to fetch');
      }
      const target = await deps.graphTargetFor(tenantId, message.phone_number_id);
      let media: Awaited<ReturnType<GraphClient['downloadMedia']>>;
      try {
        media = await deps.graph.downloadMedia(target, mediaId);
      } catch (error) {
        // Meta keeps media for 30 days; after that, or with a bad token, there is nothing to show.
        throw new AppError('unavailable', `the media could not be fetched: ${describeGraphError(error)}`);
      }
      // Customers' files are shown, never run: a sandboxed type and no sniffing.
      return reply
        .header('content-type', media.mimeType)
        .header('cache-control', 'private, max-age=3600')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "sandbox; default-src 'none'")
        .send(Buffer.from(media.bytes));
    },
  );
}

/** `name|language` of a template message (ours: languageCode; Meta's: language.code). */
function templateKey(content: unknown): string {
  const template = (
    content as { template?: { name?: unknown; languageCode?: unknown; language?: { code?: unknown } } } | null
  )?.template;
  return `${String(template?.name ?? '')}|${String(template?.languageCode ?? template?.language?.code ?? '')}`;
}

/** The synced templates a thread's template messages used, by `name|language`. */
async function templateTextsFor(
  db: Kysely<Database>,
  tenantId: string,
  rows: Array<{ type: string; content: string }>,
) {
  const names = new Set<string>();
  for (const row of rows) {
    if (row.type !== 'template') continue;
    const name = templateKey(safeParse(row.content)).split('|')[0];
    if (name) names.add(name);
  }
  const texts = new Map<string, TemplateText>();
  if (names.size === 0) return texts;
  const templates = await db
    .selectFrom('message_templates')
    .select(['name', 'language', 'components'])
    .where('tenant_id', '=', tenantId)
    .where('name', 'in', [...names])
    .execute();
  for (const template of templates)
    texts.set(`${template.name}|${template.language}`, templateText(template.components));
  return texts;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
