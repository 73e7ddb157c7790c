import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AppError } from '../http/app-error.ts';
import { requireTenant, requireTenantAdmin } from '../http/auth.ts';
import type { Database } from '../store/schema.ts';
import type { TenantDirectory } from '../tenants/index.ts';
import { type GraphClient, isGraphError } from '../whatsapp/graph/index.ts';
import type { GraphTargetFor } from './graph-target-for.ts';

const tenantQuery = z.object({ tenantId: z.string().optional().describe('admin token only: the tenant') });
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const metaId = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'letters, digits and _ . : - only');

export interface WhatsAppRouteDeps {
  db: Kysely<Database>;
  directory: TenantDirectory;
  graph: GraphClient;
  graphTargetFor: GraphTargetFor;
  defaultGraphApiUrl: string;
  defaultGraphApiVersion: string;
  /** The app whose webhooks arrive at the bare /webhooks/whatsapp (the quick start's or the sandbox's). */
  defaultAppId: string | null;
  isSandbox: boolean;
  now: () => number;
}

/** In words an operator can act on: Meta's own title and details when Meta answered. */
export function describeGraphError(error: unknown): string {
  if (isGraphError(error)) {
    const parts = [error.title ?? error.metaMessage ?? error.message, error.details].filter(Boolean);
    return `${parts.join(': ')}${error.code !== null ? ` (Meta error ${error.code})` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The address Meta must call, as the browser reached us (a proxy's forwarded host and scheme first). */
function publicOrigin(request: FastifyRequest): string {
  const forwardedProto = request.headers['x-forwarded-proto'];
  const forwardedHost = request.headers['x-forwarded-host'];
  const protocol =
    typeof forwardedProto === 'string' ? forwardedProto.split(',')[0]!.trim() : request.protocol;
  const host = typeof forwardedHost === 'string' ? forwardedHost.split(',')[0]!.trim() : request.headers.host;
  return `${protocol}://${host ?? 'localhost'}`;
}

/**
 * The Connect WhatsApp screen: what to paste into Meta (webhook URL and verify token), a manual
 * connection checked against the Graph API before it is saved, and each number's health.
 */
export async function whatsappRoutes(instance: FastifyInstance, deps: WhatsAppRouteDeps): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const { db, directory } = deps;
  const tags = ['whatsapp'];

  app.get(
    '/whatsapp/overview',
    {
      schema: {
        tags,
        summary:
          "The tenant's apps with their webhook URL (and verify token, for admins), WABAs and numbers with their health.",
        querystring: tenantQuery,
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const principal = request.principal;
      const canSeeSecrets = principal.kind === 'admin' || !principal.user || principal.user.role === 'admin';
      const origin = publicOrigin(request);
      const [apps, wabas, numbers, tokens] = await Promise.all([
        directory.listMetaApps(tenantId),
        directory.listWabas(tenantId),
        directory.listPhoneNumbers(tenantId),
        directory.listAccessTokens(tenantId),
      ]);
      // Meta's last call for each number: its latest customer message or other event (newest first, one row,
      // so each lookup walks an index rather than the tenant's history).
      const lastSeenByNumber = new Map<string, number | null>();
      await Promise.all(
        numbers.map(async (number) => {
          const [message, event] = await Promise.all([
            db
              .selectFrom('messages')
              .select('created_at')
              .where('tenant_id', '=', tenantId)
              .where('phone_number_id', '=', number.phoneNumberId)
              .where('direction', '=', 'in')
              .orderBy('created_at', 'desc')
              .limit(1)
              .executeTakeFirst(),
            db
              .selectFrom('webhook_events')
              .select('created_at')
              .where('tenant_id', '=', tenantId)
              .where('phone_number_id', '=', number.phoneNumberId)
              .orderBy('id', 'desc')
              .limit(1)
              .executeTakeFirst(),
          ]);
          const times = [message?.created_at, event?.created_at].filter(
            (at): at is number => typeof at === 'number',
          );
          lastSeenByNumber.set(number.phoneNumberId, times.length > 0 ? Math.max(...times) : null);
        }),
      );
      const now = deps.now();
      // Numbers onboarded through a setup link receive their webhooks through the platform's own app (the
      // tech provider's, or the sandbox's), which the company neither owns nor configures.
      const platformAppId =
        wabas
          .map((waba) => waba.appId ?? deps.defaultAppId)
          .find((appId) => appId !== null && !apps.some((metaApp) => metaApp.appId === appId)) ?? null;
      return {
        isSandbox: deps.isSandbox,
        platformAppId,
        graphApiVersion: deps.defaultGraphApiVersion,
        apps: await Promise.all(
          apps.map(async (metaApp) => ({
            appId: metaApp.appId,
            webhookUrl:
              metaApp.appId === deps.defaultAppId
                ? `${origin}/webhooks/whatsapp`
                : `${origin}/webhooks/whatsapp/${metaApp.appId}`,
            verifyToken: canSeeSecrets
              ? ((await directory.webhookApp(metaApp.appId))?.verifyToken ?? null)
              : null,
            createdAt: metaApp.createdAt,
          })),
        ),
        wabas,
        numbers: numbers.map((number) => {
          const token =
            tokens.find((candidate) => candidate.wabaId === number.wabaId) ??
            tokens.find((candidate) => candidate.wabaId === null);
          const expiresAtMs = token?.expiresAt ? Date.parse(token.expiresAt) : null;
          const seenAt = lastSeenByNumber.get(number.phoneNumberId) ?? null;
          return {
            ...number,
            webhookLastSeenAt: iso(seenAt),
            token: token
              ? {
                  kind: token.kind,
                  hint: token.hint,
                  expiresAt: token.expiresAt,
                  isExpired: expiresAtMs !== null && expiresAtMs <= now,
                  // User tokens live about 60 days; warn a week ahead.
                  isExpiringSoon:
                    expiresAtMs !== null && expiresAtMs > now && expiresAtMs - now < 7 * 24 * 60 * 60_000,
                }
              : null,
          };
        }),
      };
    },
  );

  app.post(
    '/whatsapp/numbers/:phoneNumberId/check',
    {
      schema: {
        tags,
        summary:
          "Ask the Graph API about a number with its stored token: whether the token works, the number's quality and tier.",
        params: z.object({ phoneNumberId: metaId }),
        querystring: tenantQuery,
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const started = performance.now();
      try {
        const target = await deps.graphTargetFor(tenantId, request.params.phoneNumberId);
        const number = await deps.graph.getPhoneNumber(target, request.params.phoneNumberId);
        return {
          isTokenValid: true,
          latencyMs: Math.round(performance.now() - started),
          displayPhoneNumber: number.displayPhoneNumber,
          verifiedName: number.verifiedName,
          qualityRating: number.qualityRating,
          messagingTier: number.messagingLimitTier,
          throughputLevel: number.throughputLevel,
          error: null,
        };
      } catch (error) {
        if (error instanceof AppError && error.code === 'not_found') throw error;
        return {
          isTokenValid: false,
          latencyMs: Math.round(performance.now() - started),
          displayPhoneNumber: null,
          verifiedName: null,
          qualityRating: null,
          messagingTier: null,
          throughputLevel: null,
          error: describeGraphError(error),
        };
      }
    },
  );

  app.post(
    '/whatsapp/connect',
    {
      schema: {
        tags,
        summary:
          'Connect a number by hand: the WABA id, the phone number id and a system user token, checked against the Graph API before anything is saved. Optionally the Meta app (id, secret, verify token) whose webhooks it uses.',
        querystring: tenantQuery,
        body: z.object({
          wabaId: metaId,
          phoneNumberId: metaId,
          accessToken: z.string().min(16, 'accessToken looks too short: paste the whole token'),
          tokenKind: z
            .enum(['system_user', 'business_integration_system_user', 'user'])
            .default('system_user'),
          app: z
            .object({
              appId: metaId,
              appSecret: z.string().min(8, 'appSecret looks too short'),
              verifyToken: z.string().min(8, 'verifyToken: at least 8 characters'),
            })
            .optional(),
        }),
      },
    },
    async (request, reply) => {
      requireTenantAdmin(request.principal);
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      const body = request.body;
      let number: Awaited<ReturnType<GraphClient['getPhoneNumber']>>;
      try {
        number = await deps.graph.getPhoneNumber(
          {
            accessToken: body.accessToken,
            graphApiUrl: deps.defaultGraphApiUrl,
            graphApiVersion: deps.defaultGraphApiVersion,
          },
          body.phoneNumberId,
        );
      } catch (error) {
        throw new AppError(
          'validation_failed',
          `Meta did not accept this token for the number: ${describeGraphError(error)}`,
        );
      }
      if (body.app) await directory.upsertMetaApp(tenantId, body.app);
      await directory.upsertWaba(tenantId, {
        wabaId: body.wabaId,
        ...(body.app ? { appId: body.app.appId } : {}),
      });
      await directory.upsertPhoneNumber(tenantId, {
        wabaId: body.wabaId,
        phoneNumberId: body.phoneNumberId,
        displayPhoneNumber: number.displayPhoneNumber,
        verifiedName: number.verifiedName,
        messagingTier: number.messagingLimitTier,
        qualityRating: number.qualityRating,
      });
      await directory.addAccessToken(tenantId, {
        token: body.accessToken,
        kind: body.tokenKind,
        wabaId: body.wabaId,
      });
      return reply.code(201).send({
        phoneNumberId: body.phoneNumberId,
        displayPhoneNumber: number.displayPhoneNumber,
        verifiedName: number.verifiedName,
        qualityRating: number.qualityRating,
        messagingTier: number.messagingLimitTier,
      });
    },
  );
}
