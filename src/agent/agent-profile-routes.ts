import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireCampaign } from '../campaigns/index.ts';
import { type Principal, requireTenant } from '../http/auth.ts';
import { agentProfileSchema, windowClosedTemplateSchema } from './agent-profile-schema.ts';
import type { AgentRouteDeps } from './agent-route-deps.ts';
import { setMonthlyLimit, spendStatus } from './agent-spend.ts';
import { MODEL_PROVIDERS } from './model-settings.ts';
import { testModelConnection } from './test-model-connection.ts';

const scopeQuery = z.object({
  tenantId: z.string().optional().describe('admin only: the tenant'),
  campaignId: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe("a campaign's own profile; the tenant's default without it"),
});

const modelSettingsBody = z.object({
  provider: z.enum(MODEL_PROVIDERS),
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .max(500)
    .nullable()
    .optional(),
  model: z.string().min(1).max(200).nullable().optional(),
  apiKey: z
    .string()
    .min(1)
    .max(500)
    .nullable()
    .optional()
    .describe('omit to keep the stored key; null removes it'),
});

/** The agent's profile, model settings (the api key is write-only) and the tenant's spend limit. */
export async function agentProfileRoutes(instance: FastifyInstance, deps: AgentRouteDeps): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const tags = ['agent'];
  /** The tenant, and the campaign only when it is that tenant's: another's is answered as a missing one. */
  const scopeOf = async (principal: Principal, query: z.infer<typeof scopeQuery>) => {
    const tenantId = requireTenant(principal, query.tenantId);
    const campaignId = query.campaignId ?? null;
    if (campaignId !== null) await requireCampaign(deps.db, tenantId, campaignId);
    return { tenantId, campaignId };
  };

  app.get(
    '/agent/profile',
    {
      schema: {
        tags,
        summary: 'The agent profile of the tenant, or of one of its campaigns.',
        querystring: scopeQuery,
      },
    },
    async (request) => {
      const { tenantId, campaignId } = await scopeOf(request.principal, request.query);
      return deps.profiles.view(tenantId, campaignId);
    },
  );

  app.put(
    '/agent/profile',
    {
      schema: {
        tags,
        summary:
          'Replace the agent profile: persona, company, goal, fields, languages, tools, limits, business hours.',
        querystring: scopeQuery,
        body: z.object({
          profile: agentProfileSchema,
          isEnabled: z.boolean().default(true),
          windowClosedTemplate: windowClosedTemplateSchema
            .nullable()
            .default(null)
            .describe(
              'the approved template to send when the 24-hour window has closed; nothing is sent without one',
            ),
        }),
      },
    },
    async (request) => {
      const { tenantId, campaignId } = await scopeOf(request.principal, request.query);
      return deps.profiles.put(tenantId, campaignId, request.body);
    },
  );

  app.get(
    '/agent/model-settings',
    {
      schema: {
        tags,
        summary: 'Which model the agent uses. The api key is never shown.',
        querystring: scopeQuery,
      },
    },
    async (request) => {
      const { tenantId, campaignId } = await scopeOf(request.principal, request.query);
      return (await deps.profiles.view(tenantId, campaignId)).model;
    },
  );

  app.put(
    '/agent/model-settings',
    {
      schema: {
        tags,
        summary:
          'Set the model: the offline playbook, an OpenAI-compatible endpoint, or Anthropic. The key is write-only.',
        querystring: scopeQuery,
        body: modelSettingsBody,
      },
    },
    async (request) => {
      const { tenantId, campaignId } = await scopeOf(request.principal, request.query);
      return deps.profiles.putModelSettings(tenantId, campaignId, request.body);
    },
  );

  app.post(
    '/agent/model-settings/test',
    {
      schema: {
        tags,
        summary:
          'Make one small call to a model and report whether it answered: the settings in the body, unsaved ' +
          '(an omitted key means the stored one), or the saved settings without a body. Nothing is stored.',
        querystring: scopeQuery,
        // An empty body (or none) tests the saved settings, as this route did before it took a body.
        body: modelSettingsBody.or(z.object({}).strict()).nullish(),
      },
    },
    async (request) => {
      const { tenantId, campaignId } = await scopeOf(request.principal, request.query);
      const form = request.body && 'provider' in request.body ? modelSettingsBody.parse(request.body) : null;
      const settings = form
        ? await deps.profiles.previewModelSettings(tenantId, campaignId, form)
        : (await deps.profiles.resolve(tenantId, campaignId)).modelSettings;
      let model: ReturnType<AgentRouteDeps['modelFor']>;
      try {
        model = deps.modelFor(settings);
      } catch (error) {
        return {
          isOk: false,
          model: settings.provider,
          latencyMs: 0,
          reply: null,
          error: (error as Error).message,
        };
      }
      return testModelConnection(model, settings.apiKey);
    },
  );

  app.get(
    '/agent/budget',
    {
      schema: {
        tags,
        summary: "This month's model spend and the tenant's monthly limit.",
        querystring: scopeQuery.pick({ tenantId: true }),
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      return spendStatus(deps.db, tenantId, deps.now());
    },
  );

  app.put(
    '/agent/budget',
    {
      schema: {
        tags,
        summary:
          'Set the monthly spend limit (USD, calendar month in UTC). Past it, conversations go to humans.',
        querystring: scopeQuery.pick({ tenantId: true }),
        body: z.object({ monthlyLimitUsd: z.number().min(0).max(1_000_000).nullable() }),
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      await setMonthlyLimit(deps.db, tenantId, request.body.monthlyLimitUsd, deps.now());
      return spendStatus(deps.db, tenantId, deps.now());
    },
  );
}
