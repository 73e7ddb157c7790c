import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { messageError, toMessageView } from '../conversations/index.ts';
import { AppError, notFound } from '../http/app-error.ts';
import { requireTenant, tenantScope } from '../http/auth.ts';
import type { Database } from '../store/schema.ts';
import type { OutboundMessage } from '../whatsapp/graph/index.ts';
import { enqueueMessage } from './enqueue-message.ts';

const messageTypes = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'template',
  'interactive',
  'reaction',
  'location',
  'contacts',
] as const;

const sendBody = z.object({
  phoneNumberId: z
    .string()
    .optional()
    .describe("the sending number's Meta id; defaults to the tenant's only (or first) number"),
  idempotencyKey: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe(
      'the same key returns the first request’s message instead of sending twice (or send an Idempotency-Key header)',
    ),
  replyToWamid: z.string().optional().describe('quote this message'),
  category: z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION', 'SERVICE']).optional(),
  message: z
    .looseObject({
      to: z.string().min(1).describe('the customer’s number with country code, e.g. +5511987654321'),
      type: z.enum(messageTypes),
    })
    .describe(
      'Our camelCase message: {to, type:"text", text:{body, previewUrl?}}, {to, type:"image", image:{id|link, caption?}}, {to, type:"template", template:{name, languageCode, components?}}, {to, type:"interactive", interactive:{type:"button", body, buttons:[{id,title}]}}, reaction, location, contacts …',
    ),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface SendRouteDeps {
  db: Kysely<Database>;
  /** Called after a message is queued, so the dispatcher looks at once. */
  onQueued: () => void;
}

/** Sending any message type through the outbox, and seeing its state, attempts and errors. */
export async function sendRoutes(instance: FastifyInstance, deps: SendRouteDeps): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const tags = ['messages'];

  app.post(
    '/messages',
    {
      schema: {
        tags,
        summary: 'Send a message of any type. It is queued in the outbox and paced; answers 202 with its id.',
        querystring: z.object({ tenantId: z.string().optional().describe('admin only') }),
        body: sendBody,
      },
    },
    async (request, reply) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const body = request.body;
      const headerKey = request.headers['idempotency-key'];
      const idempotencyKey = body.idempotencyKey ?? (typeof headerKey === 'string' ? headerKey : undefined);
      let phoneNumberId = body.phoneNumberId;
      if (!phoneNumberId) {
        const number = await db
          .selectFrom('phone_numbers')
          .select('phone_number_id')
          .where('tenant_id', '=', tenantId)
          .orderBy('created_at')
          .executeTakeFirst();
        if (!number)
          throw new AppError('validation_failed', 'this tenant has no phone number: connect one first');
        phoneNumberId = number.phone_number_id;
      }
      const enqueued = await db.transaction().execute((trx) =>
        enqueueMessage(trx, {
          tenantId,
          phoneNumberId,
          message: body.message as unknown as OutboundMessage,
          source: 'api',
          idempotencyKey: idempotencyKey ?? null,
          replyToWamid: body.replyToWamid ?? null,
          category: body.category ?? null,
        }),
      );
      deps.onQueued();
      return reply.code(enqueued.isNew ? 202 : 200).send({ id: enqueued.id, isNew: enqueued.isNew });
    },
  );

  app.get(
    '/messages/:id',
    {
      schema: {
        tags,
        summary:
          'One message: an outbox id (out_…) shows its send state, attempts and errors; other ids show a recorded message.',
        params: z.object({ id: z.string() }),
      },
    },
    async (request) => {
      const tenantId = tenantScope(request.principal, undefined);
      const id = request.params.id;
      let outboxQuery = db.selectFrom('outbox').selectAll().where('id', '=', id);
      if (tenantId !== undefined) outboxQuery = outboxQuery.where('tenant_id', '=', tenantId);
      const row = await outboxQuery.executeTakeFirst();
      if (!row) {
        let messageQuery = db.selectFrom('messages').selectAll().where('id', '=', id);
        if (tenantId !== undefined) messageQuery = messageQuery.where('tenant_id', '=', tenantId);
        const message = await messageQuery.executeTakeFirst();
        if (!message) throw notFound(`message ${id}`);
        return toMessageView(message);
      }
      const attempts = await db
        .selectFrom('outbox_attempts')
        .selectAll()
        .where('outbox_id', '=', id)
        .orderBy('id')
        .execute();
      const delivered = row.wamid
        ? await db
            .selectFrom('messages')
            .select(['status', 'status_at', 'error_code', 'error_title', 'error_details'])
            .where('tenant_id', '=', row.tenant_id)
            .where('wamid', '=', row.wamid)
            .executeTakeFirst()
        : undefined;
      return {
        id: row.id,
        tenantId: row.tenant_id,
        phoneNumberId: row.phone_number_id,
        to: row.recipient,
        conversationId: row.conversation_id,
        type: row.message_type,
        message: JSON.parse(row.message) as unknown,
        source: row.source,
        campaignId: row.campaign_id,
        state: row.state,
        holdReason: row.hold_reason,
        wamid: row.wamid,
        deliveryStatus: delivered?.status ?? null,
        deliveryStatusAt: iso(delivered?.status_at ?? null),
        // The send's own error, else the one Meta reported later in a failed status webhook.
        error:
          row.error_code === null && row.error_title === null
            ? delivered && messageError(delivered)
              ? { ...messageError(delivered)!, category: null }
              : null
            : { code: row.error_code, title: row.error_title, details: null, category: row.error_category },
        attempts: attempts.map((attempt) => ({
          attempt: attempt.attempt,
          startedAt: iso(attempt.started_at),
          finishedAt: iso(attempt.finished_at),
          outcome: attempt.outcome,
          httpStatus: attempt.http_status,
          errorCode: attempt.error_code,
          errorMessage: attempt.error_message,
        })),
        nextAttemptAt: row.state === 'queued' || row.state === 'unknown' ? iso(row.next_attempt_at) : null,
        createdAt: iso(row.created_at),
        sentAt: iso(row.sent_at),
      };
    },
  );
}
