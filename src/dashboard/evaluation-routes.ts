import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AgentModel } from '../agent/agent-model.ts';
import { DEFAULT_SCENARIOS_DIRECTORY } from '../agent/eval/eval-cli.ts';
import { loadScenarios } from '../agent/eval/load-scenarios.ts';
import { type EvaluationSummary, runEvaluation } from '../agent/eval/run-evaluation.ts';
import { AppError } from '../http/app-error.ts';
import { requireTenant, requireTenantAdmin } from '../http/auth.ts';

export interface EvaluationRouteDeps {
  /** The offline playbook, or the model the tenant configured (which may cost money per call). */
  modelFor(tenantId: string, which: 'playbook' | 'configured'): Promise<AgentModel>;
  now: () => number;
}

/**
 * The Agent screen's evaluation results: the shipped scenarios (evals/scenarios) run against the playbook
 * or the tenant's model, and the latest run kept per tenant (in memory: a run is cheap to repeat with the
 * playbook, and a paid model's run is a deliberate act).
 */
export async function evaluationRoutes(instance: FastifyInstance, deps: EvaluationRouteDeps): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const tags = ['agent'];
  const latest = new Map<string, EvaluationSummary & { ranAt: string; which: string }>();
  const running = new Set<string>();
  const tenantQuery = z.object({ tenantId: z.string().optional().describe('admin token only: the tenant') });

  app.get(
    '/evaluations/latest',
    {
      schema: {
        tags,
        summary: 'The latest evaluation run of the tenant, or null.',
        querystring: tenantQuery,
      },
    },
    async (request) => {
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      return { run: latest.get(tenantId) ?? null, isRunning: running.has(tenantId) };
    },
  );

  app.post(
    '/evaluations/run',
    {
      schema: {
        tags,
        summary:
          "Run the evaluation scenarios against the offline playbook or the tenant's configured model, and keep the result.",
        querystring: tenantQuery,
        body: z.object({
          model: z.enum(['playbook', 'configured']).default('playbook'),
          filter: z.string().max(100).optional(),
        }),
      },
    },
    async (request) => {
      requireTenantAdmin(request.principal);
      const tenantId = requireTenant(request.principal, request.query.tenantId);
      if (running.has(tenantId))
        throw new AppError('conflict', 'an evaluation is already running for this company');
      running.add(tenantId);
      try {
        const scenarios = (await loadScenarios(DEFAULT_SCENARIOS_DIRECTORY)).filter(
          (scenario) => !request.body.filter || scenario.name.includes(request.body.filter),
        );
        const model = await deps.modelFor(tenantId, request.body.model);
        const summary = await runEvaluation(model, scenarios);
        const run = { ...summary, ranAt: new Date(deps.now()).toISOString(), which: request.body.model };
        latest.set(tenantId, run);
        return run;
      } finally {
        running.delete(tenantId);
      }
    },
  );
}
