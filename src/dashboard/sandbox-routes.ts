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
  /** The tenant whose number the simulator hosts. */
  sandboxTenantId: string;
  sandboxPhoneNumberId: string;
  sandboxDisplayNumber: string;
}

/**
 * The Sandbox screen's simulated phone: you write as a customer, the simulator sends Meta's signed
 * webhook to Coxcox, and the agent answers as it would on WhatsApp. Only in sandbox mode, and only for
 * the tenant whose number the simulator hosts.
 */
export async function sandboxRoutes(instance: FastifyInstance, deps: SandboxRouteDeps): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const tags = ['sandbox'];
  const tenantQuery = z.object({ tenantId: z.string().optional().describe('admin token only: the tenant') });

  const requireSandbox = (tenantId: string): Simulator => {
    const simulator = deps.simulator();
    if (!simulator)
      throw new AppError(
        'unavailable',
        'the sandbox runs only in sandbox mode (no WhatsApp credentials configured)',
      );
    if (tenantId !== deps.sandboxTenantId)
      throw new AppError('forbidden', 'the simulated number belongs to the sandbox company');
    return simulator;
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
      const isAvailable = simulator !== null && tenantId === deps.sandboxTenantId;
      return {
        isAvailable,
        reason: simulator === null ? 'not-sandbox-mode' : isAvailable ? null : 'other-tenant',
        businessNumber: isAvailable
          ? { phoneNumberId: deps.sandboxPhoneNumberId, displayPhoneNumber: deps.sandboxDisplayNumber }
          : null,
        personas: isAvailable
          ? simulator
              .personas()
              .map(({ waId, name, profile, language }) => ({ waId, name, profile, language }))
          : [],
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
        body: z.object({
          from: z.string().regex(/^\d{8,15}$/, 'the customer’s number: 8 to 15 digits with the country code'),
          name: z.string().min(1).max(100).optional(),
          text: z.string().min(1).max(4096),
        }),
      },
    },
    async (request, reply) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const simulator = requireSandbox(tenantId);
      const sent = simulator.customerSays({
        from: request.body.from,
        to: deps.sandboxPhoneNumberId,
        text: request.body.text,
        ...(request.body.name ? { name: request.body.name } : {}),
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
      requireSandbox(tenantId);
      const row = await deps.db
        .selectFrom('conversations')
        .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
        .select('conversations.id')
        .where('conversations.tenant_id', '=', tenantId)
        .where('conversations.phone_number_id', '=', deps.sandboxPhoneNumberId)
        .where('contacts.wa_id', '=', request.query.from)
        .executeTakeFirst();
      return { conversationId: row?.id ?? null };
    },
  );
}
