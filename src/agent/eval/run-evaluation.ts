import type { AgentModel } from '../agent-model.ts';
import { type RunScenarioOptions, runScenario, type ScenarioResult } from './run-scenario.ts';
import type { Scenario } from './scenario.ts';

export interface EvaluationSummary {
  model: string;
  total: number;
  passed: number;
  failed: number;
  results: ScenarioResult[];
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  elapsedMs: number;
}

/**
 * Runs every scenario against one model, one after the other: a paid endpoint's rate limit is per key, and
 * the order of the report is the order given.
 */
export async function runEvaluation(
  model: AgentModel,
  scenarios: readonly Scenario[],
  options: RunScenarioOptions & { onResult?: (result: ScenarioResult) => void } = {},
): Promise<EvaluationSummary> {
  const startedAt = performance.now();
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    const result = await runScenario(model, scenario, options);
    results.push(result);
    options.onResult?.(result);
  }
  const passed = results.filter((result) => result.isPassed).length;
  return {
    model: results[0]?.model ?? model.name,
    total: results.length,
    passed,
    failed: results.length - passed,
    results,
    usage: {
      inputTokens: results.reduce((sum, result) => sum + result.usage.inputTokens, 0),
      outputTokens: results.reduce((sum, result) => sum + result.usage.outputTokens, 0),
      costUsd: results.reduce((sum, result) => sum + result.usage.costUsd, 0),
    },
    elapsedMs: Math.round(performance.now() - startedAt),
  };
}
