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
      const { simulator, number } = await requireSandbox(tenantId);
      const sent = simulator.customerSays({
        from: request.body.from,
        to: number.phoneNumberId,
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
}
