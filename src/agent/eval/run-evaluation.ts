import type { AgentModel } from '../agent-model.ts';
import { type RunScenarioOptions, runScenario, type ScenarioResult } from './run-scenario.ts';
import type { Scenario } from './scenario.ts';

export interface GroupResult {
  name: string;
  passed: number;
  total: number;
}

/** Scenarios without a category are counted under this one. */
export const UNCATEGORISED = 'uncategorised';

function groupBy(results: readonly ScenarioResult[], key: (result: ScenarioResult) => string): GroupResult[] {
  const groups = new Map<string, GroupResult>();
  for (const result of results) {
    const name = key(result);
    const group = groups.get(name) ?? { name, passed: 0, total: 0 };
    group.total += 1;
    if (result.isPassed) group.passed += 1;
    groups.set(name, group);
  }
  return [...groups.values()];
}

export interface EvaluationSummary {
  model: string;
  total: number;
  passed: number;
  failed: number;
  /** Passes by scenario category, then by language, in the order first met. */
  byCategory: GroupResult[];
  byLanguage: GroupResult[];
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
    byCategory: groupBy(results, (result) => result.category ?? UNCATEGORISED),
    byLanguage: groupBy(results, (result) => result.language),
    results,
    usage: {
      inputTokens: results.reduce((sum, result) => sum + result.usage.inputTokens, 0),
      outputTokens: results.reduce((sum, result) => sum + result.usage.outputTokens, 0),
      costUsd: results.reduce((sum, result) => sum + result.usage.costUsd, 0),
    },
    elapsedMs: Math.round(performance.now() - startedAt),
  };
}
