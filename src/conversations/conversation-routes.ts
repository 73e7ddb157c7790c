import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AgentRouteDeps } from '../agent/agent-route-deps.ts';
import { listTurns } from '../agent/agent-turns.ts';
import { listCallbacks } from '../agent/callbacks.ts';
import { handBack, takeOver } from '../agent/conversation-control.ts';
import { parseLeadFields } from '../agent/lead-state.ts';
import { CUSTOMER_SERVICE_WINDOW_MS, enqueueMessage } from '../dispatch/index.ts';
import { AppError, notFound } from '../http/app-error.ts';
import { tenantScope } from '../http/auth.ts';
import type { OutboundMessage } from '../whatsapp/graph/index.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const idParams = z.object({ id: z.string().min(1).max(128) });

/**
 * Conversations as the agent and the people behind it see them: lead fields, outcome, owner and turns;
 * a takeover that mutes the agent and a handback that gives it the word again; and a human's reply.
 * Every route with an id answers 404 for another tenant's conversation.
 */
export async function conversationRoutes(instance: FastifyInstance, deps: AgentRouteDeps): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const tags = ['conversations'];

  const conversationQuery = () =>
    db
      .selectFrom('conversations')
      .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
      .leftJoin('agent_conversation_state', 'agent_conversation_state.conversation_id', 'conversations.id')
      .selectAll('conversations')
      .select([
        'contacts.wa_id',
        'contacts.user_id',
        'contacts.parent_user_id',
        'contacts.username',
        'contacts.name as contact_name',
        'contacts.opted_out_at',
        'contacts.marketing_opted_out_at',
        'agent_conversation_state.handoff_reason',
        'agent_conversation_state.handoff_summary',
        'agent_conversation_state.handed_off_at',
      ]);
  type Row = NonNullable<Awaited<ReturnType<ReturnType<typeof conversationQuery>['executeTakeFirst']>>>;

  const toView = (row: Row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    phoneNumberId: row.phone_number_id,
    contact: {
      id: row.contact_id,
      waId: row.wa_id,
      userId: row.user_id,
      parentUserId: row.parent_user_id,
      username: row.username,
      name: row.contact_name,
      optedOutAt: iso(row.opted_out_at),
      marketingOptedOutAt: iso(row.marketing_opted_out_at),
    },
    owner: row.owner,
    assignedUserId: row.assigned_user_id,
    leadFields: parseLeadFields(row.lead_fields),
    outcome: row.outcome,
    summary: row.summary,
    needsAttention: row.needs_attention === 1,
    isClosed: row.is_closed === 1,
    campaignId: row.campaign_id,
    agentTurnCount: row.agent_turn_count,
    agentCostUsd: row.agent_cost_usd,
    handoff:
      row.handed_off_at === null
        ? null
        : { reason: row.handoff_reason, summary: row.handoff_summary, at: iso(row.handed_off_at) },
    isWindowOpen:
      row.last_inbound_at !== null && row.last_inbound_at > deps.now() - CUSTOMER_SERVICE_WINDOW_MS,
    lastInboundAt: iso(row.last_inbound_at),
    lastMessageAt: iso(row.last_message_at),
    lastAgentTurnAt: iso(row.last_agent_turn_at),
    createdAt: iso(row.created_at),
  });

  /** The conversation, if the caller may see it: a tenant key finds only its own. */
  const findConversation = async (principal: Parameters<typeof tenantScope>[0], id: string): Promise<Row> => {
    const tenantId = tenantScope(principal, undefined);
    let query = conversationQuery().where('conversations.id', '=', id);
    if (tenantId !== undefined) query = query.where('conversations.tenant_id', '=', tenantId);
    const row = await query.executeTakeFirst();
    if (!row) throw notFound(`conversation ${id}`);
    return row;
  };

  app.get(
    '/conversations',
    {
      schema: {
        tags,
        summary: 'Conversations, newest first, with lead fields, outcome and owner.',
        querystring: z.object({
          tenantId: z.string().optional().describe('admin only: one tenant'),
          owner: z.enum(['agent', 'human']).optional(),
          outcome: z.string().max(50).optional(),
          needsAttention: z.enum(['true', 'false']).optional(),
          before: z.string().optional().describe('cursor: the nextCursor of the previous page'),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
      },
    },
    async (request) => {
      const query = request.query;
      const tenantId = tenantScope(request.principal, query.tenantId);
      let select = conversationQuery()
        .orderBy('conversations.created_at', 'desc')
        .orderBy('conversations.id', 'desc')
        .limit(query.limit);
      if (tenantId !== undefined) select = select.where('conversations.tenant_id', '=', tenantId);
      if (query.owner) select = select.where('conversations.owner', '=', query.owner);
      if (query.outcome) select = select.where('conversations.outcome', '=', query.outcome);
      if (query.needsAttention)
        select = select.where('conversations.needs_attention', '=', query.needsAttention === 'true' ? 1 : 0);
      if (query.before) {
        const [createdAt, id] = query.before.split('_');
        const createdAtMs = Number(createdAt);
        if (Number.isFinite(createdAtMs) && id) {
          select = select.where((eb) =>
            eb.or([
              eb('conversations.created_at', '<', createdAtMs),
              eb.and([eb('conversations.created_at', '=', createdAtMs), eb('conversations.id', '<', id)]),
            ]),
          );
        }
      }
      const rows = await select.execute();
      const last = rows[rows.length - 1];
      return {
        data: rows.map(toView),
        nextCursor: rows.length === query.limit && last ? `${last.created_at}_${last.id}` : null,
      };
    },
  );

  app.get(
    '/conversations/:id',
    {
      schema: {
        tags,
        summary: 'One conversation, with its recent agent turns and callbacks.',
        params: idParams,
      },
    },
    async (request) => {
      const row = await findConversation(request.principal, request.params.id);
      const [turns, callbacks] = await Promise.all([listTurns(db, row.id, 20), listCallbacks(db, row.id)]);
      return { ...toView(row), turns, callbacks };
    },
  );

  app.get(
    '/conversations/:id/turns',
    {
      schema: {
        tags,
        summary:
          'The agent turns of a conversation, newest first: prompt size, tool calls, latency, tokens, cost.',
        params: idParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
      },
    },
    async (request) => {
      const row = await findConversation(request.principal, request.params.id);
      return { data: await listTurns(db, row.id, request.query.limit) };
    },
  );

  app.post(
    '/conversations/:id/takeover',
    {
      schema: {
        tags,
        summary: 'A human takes the conversation over: the agent stays silent until it is handed back.',
        params: idParams,
        body: z.object({ userId: z.string().min(1).max(128).optional() }).optional(),
      },
    },
    async (request) => {
      const row = await findConversation(request.principal, request.params.id);
      await takeOver(db, row.id, request.body?.userId ?? null, deps.now());
      return toView(await findConversation(request.principal, row.id));
    },
  );

  app.post(
    '/conversations/:id/handback',
    {
      schema: {
        tags,
        summary:
          "Give the conversation back to the agent. It answers the customer's next message, not those the human saw.",
        params: idParams,
      },
    },
    async (request) => {
      const row = await findConversation(request.principal, request.params.id);
      await handBack(db, { id: row.id, tenantId: row.tenant_id }, deps.now());
      return toView(await findConversation(request.principal, row.id));
    },
  );

  app.post(
    '/conversations/:id/messages',
    {
      schema: {
        tags,
        summary:
          'A human replies: free-form text inside the 24-hour window, an approved template outside it (422 window_closed otherwise). Replying takes the conversation over.',
        params: idParams,
        body: z
          .object({
            text: z.string().min(1).max(4096).optional(),
            template: z
              .object({
                name: z.string().min(1).max(512),
                languageCode: z.string().min(2).max(15),
                components: z.array(z.looseObject({ type: z.string() })).optional(),
              })
              .optional(),
            category: z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION']).optional(),
            idempotencyKey: z.string().min(1).max(200).optional(),
            userId: z.string().min(1).max(128).optional(),
          })
          .refine(
            (body) => Boolean(body.text) !== Boolean(body.template),
            'give exactly one of text or template',
          ),
      },
    },
    async (request, reply) => {
      const row = await findConversation(request.principal, request.params.id);
      const body = request.body;
      if (!row.wa_id) throw new AppError('validation_failed', 'this contact has no phone number to write to');
      const to = `+${row.wa_id}`;
      const message = (
        body.text
          ? { to, type: 'text', text: { body: body.text } }
          : { to, type: 'template', template: body.template }
      ) as OutboundMessage;
      const enqueued = await db.transaction().execute(async (trx) => {
        // A person answering means a person is in charge: the agent must not talk over them.
        if (row.owner !== 'human') await takeOver(trx, row.id, body.userId ?? null, deps.now());
        return enqueueMessage(
          trx,
          {
            tenantId: row.tenant_id,
            phoneNumberId: row.phone_number_id,
            conversationId: row.id,
            message,
            source: 'human',
            sentByUserId:
              (request.principal.kind === 'tenant' ? request.principal.user?.id : undefined) ??
              body.userId ??
              null,
            category: body.category ?? null,
            idempotencyKey: body.idempotencyKey ?? null,
          },
          deps.now(),
        );
      });
      deps.onQueued();
      return reply.code(enqueued.isNew ? 202 : 200).send({ id: enqueued.id, isNew: enqueued.isNew });
    },
  );
}
