import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { notFound } from '../http/app-error.ts';
import { tenantScope } from '../http/auth.ts';
import type { Database } from '../store/schema.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

type MessageRow = Database['messages'];

/** Meta's error on a message (a failed send, an unsupported inbound message): code, title and details. */
export function messageError(
  row: Pick<MessageRow, 'error_code' | 'error_title' | 'error_details'>,
): { code: number | null; title: string | null; details: string | null } | null {
  if (row.error_code === null && row.error_title === null) return null;
  return { code: row.error_code, title: row.error_title, details: row.error_details };
}

export function toMessageView(row: MessageRow) {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    conversationId: row.conversation_id,
    contactId: row.contact_id,
    phoneNumberId: row.phone_number_id,
    wamid: row.wamid,
    direction: row.direction,
    type: row.type,
    content: JSON.parse(row.content) as unknown,
    contextWamid: row.context_wamid,
    sentAt: iso(row.sent_at),
    status: row.status,
    statusAt: iso(row.status_at),
    error: messageError(row),
    bizOpaqueCallbackData: row.biz_opaque_callback_data,
    isRevoked: row.is_revoked === 1,
    editedContent: row.edited_content === null ? null : (JSON.parse(row.edited_content) as unknown),
    /** An edit's or a revoke's original message. */
    targetWamid: row.target_wamid,
    /** 'business_app' for a message sent from the WhatsApp Business app (coexistence). */
    origin: row.origin,
    createdAt: iso(row.created_at),
  };
}

/** Normalized messages with their current status, and each message's status history. */
export async function messageReadRoutes(instance: FastifyInstance, db: Kysely<Database>): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const tags = ['messages'];

  app.get(
    '/messages',
    {
      schema: {
        tags,
        summary: 'Messages in and out, newest first, with their current status.',
        querystring: z.object({
          tenantId: z.string().optional().describe('admin only: one tenant'),
          conversationId: z.string().optional(),
          direction: z.enum(['in', 'out']).optional(),
          wamid: z.string().optional(),
          before: z.string().optional().describe('cursor: the nextCursor of the previous page'),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
      },
    },
    async (request) => {
      const query = request.query;
      const tenantId = tenantScope(request.principal, query.tenantId);
      let select = db
        .selectFrom('messages')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(query.limit);
      if (tenantId !== undefined) select = select.where('tenant_id', '=', tenantId);
      if (query.conversationId) select = select.where('conversation_id', '=', query.conversationId);
      if (query.direction) select = select.where('direction', '=', query.direction);
      if (query.wamid) select = select.where('wamid', '=', query.wamid);
      if (query.before) {
        const [createdAt, id] = query.before.split('_');
        const createdAtMs = Number(createdAt);
        if (Number.isFinite(createdAtMs) && id) {
          select = select.where((eb) =>
            eb.or([
              eb('created_at', '<', createdAtMs),
              eb.and([eb('created_at', '=', createdAtMs), eb('id', '<', id)]),
            ]),
          );
        }
      }
      const rows = await select.execute();
      const last = rows[rows.length - 1];
      return {
        data: rows.map(toMessageView),
        nextCursor: rows.length === query.limit && last ? `${last.created_at}_${last.id}` : null,
      };
    },
  );

  app.get(
    '/messages/:id/statuses',
    {
      schema: {
        tags,
        summary: 'Every status webhook recorded for a message, in arrival order.',
        params: z.object({ id: z.string() }),
      },
    },
    async (request) => {
      const tenantId = tenantScope(request.principal, undefined);
      let select = db
        .selectFrom('messages')
        .select(['tenant_id', 'wamid'])
        .where('id', '=', request.params.id);
      if (tenantId !== undefined) select = select.where('tenant_id', '=', tenantId);
      const message = await select.executeTakeFirst();
      if (!message) throw notFound(`message ${request.params.id}`);
      const rows = await db
        .selectFrom('message_statuses')
        .selectAll()
        .where('tenant_id', '=', message.tenant_id)
        .where('wamid', '=', message.wamid)
        .orderBy('id')
        .execute();
      return {
        data: rows.map((row) => ({
          status: row.status,
          occurredAt: iso(row.occurred_at),
          recipientId: row.recipient_id,
          deliveryId: row.delivery_id,
          payload: JSON.parse(row.payload) as unknown,
        })),
      };
    },
  );
}
