import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../http/app-error.ts';
import { requireTenant, requireTenantAdmin } from '../http/auth.ts';
import { MAX_PASSWORD_LENGTH } from './password-hash.ts';
import type { Sessions } from './sessions.ts';
import { USER_ROLES, type Users } from './users.ts';

const tenantQuery = z.object({ tenantId: z.string().optional().describe('admin token only: the tenant') });
const idParams = z.object({ id: z.string().min(1).max(128) });

/** A tenant's people: admins manage them (and the ADMIN_TOKEN or a tenant API key can too). */
export async function userRoutes(
  instance: FastifyInstance,
  deps: { users: Users; sessions: Sessions },
): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const tags = ['users'];

  app.get(
    '/users',
    { schema: { tags, summary: "The tenant's dashboard users.", querystring: tenantQuery } },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      return { data: await deps.users.list(tenantId) };
    },
  );

  app.post(
    '/users',
    {
      schema: {
        tags,
        summary: 'Add a dashboard user (admin or agent) with a first password.',
        querystring: tenantQuery,
        body: z.object({
          email: z.string().min(3).max(320),
          name: z.string().max(200).optional(),
          role: z.enum(USER_ROLES),
          password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
        }),
      },
    },
    async (request, reply) => {
      requireTenantAdmin(request.principal);
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      return reply.code(201).send(await deps.users.create({ tenantId, ...request.body }));
    },
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        tags,
        summary: "Change a user's name, role or password, or disable them (their sessions end).",
        params: idParams,
        querystring: tenantQuery,
        body: z.object({
          name: z.string().max(200).optional(),
          role: z.enum(USER_ROLES).optional(),
          password: z.string().min(1).max(MAX_PASSWORD_LENGTH).optional(),
          isDisabled: z.boolean().optional(),
        }),
      },
    },
    async (request) => {
      requireTenantAdmin(request.principal);
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const user = await deps.users.update(tenantId, request.params.id, request.body);
      if (request.body.isDisabled || request.body.password !== undefined)
        await deps.sessions.revokeAllOf(user.id);
      return user;
    },
  );

  app.delete(
    '/users/:id',
    {
      schema: {
        tags,
        summary: 'Remove a user and end their sessions.',
        params: idParams,
        querystring: tenantQuery,
      },
    },
    async (request, reply) => {
      requireTenantAdmin(request.principal);
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      if (request.principal.kind === 'tenant' && request.principal.user?.id === request.params.id) {
        throw new AppError('conflict', 'you cannot remove yourself: ask another admin');
      }
      await deps.users.remove(tenantId, request.params.id);
      return reply.code(204).send();
    },
  );

  app.put(
    '/session/password',
    {
      schema: {
        tags,
        summary: "Change the signed-in user's own password; their other sessions end.",
        body: z.object({
          currentPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
          newPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
        }),
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (principal.kind !== 'tenant' || !principal.user)
        throw new AppError('forbidden', 'sign in to change your password');
      const user = await deps.users.get(principal.tenantId, principal.user.id);
      if (!(await deps.users.checkCredentials(user.email, request.body.currentPassword))) {
        throw new AppError('validation_failed', 'currentPassword: that is not your password');
      }
      await deps.users.update(principal.tenantId, user.id, { password: request.body.newPassword });
      await deps.sessions.revokeAllOf(user.id, principal.user.sessionId);
      return reply.code(204).send();
    },
  );
}
