import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AppError } from '../http/app-error.ts';
import { requireTenant } from '../http/auth.ts';
import type { Simulator } from '../simulator/index.ts';
import type { Database } from '../store/schema.ts';

export interface SandboxRouteDeps {
  db: Kysely<Database>;
  /** The built-in simulator, in sandbox mode; null otherwise. */
  simulator: () => Simulator | null;
  /** The built-in sandbox company: it (or the operator) may switch the personas, which every company shares. */
  sandboxTenantId: string;
}

interface SimulatedNumber {
  phoneNumberId: string;
  displayPhoneNumber: string | null;
}

/**
 * The Sandbox screen's simulated phone: you write as a customer, the simulator sends Meta's signed
 * webhook to Coxcox, and the agent answers as it would on WhatsApp. Only in sandbox mode, and for any
 * company with a number the simulator hosts: the built-in sandbox company, and every company onboarded
 * through the sandbox signup (issue 11: a second company could not use the phone).
 */
export async function sandboxRoutes(instance: FastifyInstance, deps: SandboxRouteDeps): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const tags = ['sandbox'];
  const tenantQuery = z.object({ tenantId: z.string().optional().describe('admin token only: the tenant') });

  /** The tenant's first number that lives in the simulator (oldest first), or null. */
  const simulatedNumberOf = async (
    simulator: Simulator,
    tenantId: string,
  ): Promise<SimulatedNumber | null> => {
    const numbers = await deps.db
      .selectFrom('phone_numbers')
      .select(['phone_number_id', 'display_phone_number'])
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .orderBy('phone_number_id')
      .execute();
    const hosted = numbers.find((number) => simulator.hostsPhoneNumber(number.phone_number_id));
    return hosted
      ? { phoneNumberId: hosted.phone_number_id, displayPhoneNumber: hosted.display_phone_number }
      : null;
  };

  const requireSandbox = async (
    tenantId: string,
  ): Promise<{ simulator: Simulator; number: SimulatedNumber }> => {
    const simulator = deps.simulator();
    if (!simulator)
      throw new AppError(
        'unavailable',
        'the sandbox runs only in sandbox mode (no WhatsApp credentials configured)',
      );
    const number = await simulatedNumberOf(simulator, tenantId);
    if (!number)
      throw new AppError(
        'forbidden',
        'this company has no number in the simulator: connect one through a setup link’s sandbox signup',
      );
    return { simulator, number };
  };

  app.get(
    '/sandbox',
    {
      schema: {
        tags,
        summary: 'Whether the simulated phone is available, and its personas.',
        querystring: tenantQuery,
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const simulator = deps.simulator();
      const number = simulator ? await simulatedNumberOf(simulator, tenantId) : null;
      const isAvailable = simulator !== null && number !== null;
      return {
        isAvailable,
        reason: simulator === null ? 'not-sandbox-mode' : isAvailable ? null : 'other-tenant',
        businessNumber: number,
        personas: isAvailable
          ? simulator
              .personas()
              .map(({ waId, name, profile, language }) => ({ waId, name, profile, language }))
          : [],
        canPersonasReply: isAvailable ? simulator.canPersonasReply() : false,
      };
    },
  );

  app.post(
    '/sandbox/messages',
    {
      schema: {
        tags,
        summary: 'Write to the business as a simulated customer: the simulator sends the signed webhook.',
        querystring: tenantQuery,
        body: z
          .object({
            from: z
              .string()
              .regex(/^\d{8,15}$/, 'the customer’s number: 8 to 15 digits with the country code'),
            name: z.string().min(1).max(100).optional(),
            text: z.string().min(1).max(4096).optional(),
            // A tap on a template's quick-reply button: Meta sends its payload and text, quoting the template.
            button: z
              .object({ payload: z.string().min(1).max(256), text: z.string().min(1).max(256) })
              .optional(),
            replyTo: z.string().min(1).max(200).optional(),
          })
          .refine((body) => (body.text === undefined) !== (body.button === undefined), {
            message: 'give either text or a button',
          }),
      },
    },
    async (request, reply) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const { simulator, number } = await requireSandbox(tenantId);
      const { from, name, text, button, replyTo } = request.body;
      const sent = simulator.customerSays({
        from,
        to: number.phoneNumberId,
        ...(text !== undefined ? { text } : {}),
        ...(button ? { button } : {}),
        ...(replyTo ? { replyTo } : {}),
        ...(name ? { name } : {}),
      });
      return reply.code(202).send({ wamid: sent.id });
    },
  );

  app.get(
    '/sandbox/conversation',
    {
      schema: {
        tags,
        summary: "The conversation of a simulated customer's number, once there is one.",
        querystring: tenantQuery.extend({ from: z.string().regex(/^\d{8,15}$/) }),
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const { number } = await requireSandbox(tenantId);
      const row = await deps.db
        .selectFrom('conversations')
        .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
        .select('conversations.id')
        .where('conversations.tenant_id', '=', tenantId)
        .where('conversations.phone_number_id', '=', number.phoneNumberId)
        .where('contacts.wa_id', '=', request.query.from)
        .executeTakeFirst();
      return { conversationId: row?.id ?? null };
    },
  );

  app.put(
    '/sandbox/settings',
    {
      schema: {
        tags,
        summary: 'Whether the simulated customers (personas) answer by themselves.',
        querystring: tenantQuery,
        body: z.object({ canPersonasReply: z.boolean() }),
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const { simulator } = await requireSandbox(tenantId);
      // The simulator's personas serve every company of the install: one company may not switch them off
      // for the others (a blind try did).
      if (request.principal.kind !== 'admin' && tenantId !== deps.sandboxTenantId) {
        throw new AppError(
          'forbidden',
          "the simulated customers are shared by every company: the sandbox company's admins or the operator switch them",
        );
      }
      simulator.configure({ canPersonasReply: request.body.canPersonasReply });
      return { canPersonasReply: simulator.canPersonasReply() };
    },
  );

  app.get(
    '/sandbox/phone',
    {
      schema: {
        tags,
        summary:
          "What the simulated customer's phone shows beyond the thread: the business typing, which messages a scripted persona wrote, and the quick-reply buttons to tap.",
        querystring: tenantQuery.extend({ from: z.string().regex(/^\d{8,15}$/) }),
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const { simulator, number } = await requireSandbox(tenantId);
      const from = request.query.from;
      const typingUntil = simulator.typingUntil({ from, to: number.phoneNumberId });
      // The simulator knows messages by wamid; the phone shows the thread's, by message id.
      const rows = await deps.db
        .selectFrom('messages')
        .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
        .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
        .select(['messages.id', 'messages.wamid', 'messages.direction', 'messages.type'])
        .where('messages.tenant_id', '=', tenantId)
        .where('conversations.phone_number_id', '=', number.phoneNumberId)
        .where('contacts.wa_id', '=', from)
        .where('messages.wamid', 'is not', null)
        .orderBy('messages.created_at', 'desc')
        .limit(200)
        .execute();
      const scripted: Array<{ messageId: string; persona: string }> = [];
      const quickReplies: Array<{
        messageId: string;
        wamid: string;
        buttons: Array<{ text: string; payload: string }>;
      }> = [];
      for (const row of rows) {
        if (!row.wamid) continue;
        if (row.direction === 'in') {
          const persona = simulator.scriptedBy(row.wamid);
          if (persona) scripted.push({ messageId: row.id, persona });
        } else if (row.type === 'template') {
          const buttons = simulator.quickReplies(row.wamid);
          if (buttons.length > 0) quickReplies.push({ messageId: row.id, wamid: row.wamid, buttons });
        }
      }
      const persona = simulator.personas().find((entry) => entry.waId === from) ?? null;
      return {
        typingUntil: typingUntil === null ? null : new Date(typingUntil).toISOString(),
        persona: persona ? { name: persona.name, profile: persona.profile } : null,
        canPersonasReply: simulator.canPersonasReply(),
        scripted,
        quickReplies,
      };
    },
  );
}
