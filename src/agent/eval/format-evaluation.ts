import type { EvaluationSummary } from './run-evaluation.ts';

const NAME_WIDTH = 34;
const DETAIL_WIDTH = 120;

/** The evaluation as a plain-text table: one line per scenario, and the failed checks under a failure. */
export function formatEvaluation(summary: EvaluationSummary): string {
  const lines = [`model: ${summary.model}`, '', `${'scenario'.padEnd(NAME_WIDTH)} lang  result  checks`];
  for (const result of summary.results) {
    const passedChecks = result.checks.filter((check) => check.isPassed).length;
    lines.push(
      `${result.name.padEnd(NAME_WIDTH)} ${result.language.padEnd(5)} ${(result.isPassed ? 'pass' : 'FAIL').padEnd(7)} ${passedChecks}/${result.checks.length}`,
    );
    for (const check of result.checks.filter((candidate) => !candidate.isPassed)) {
      lines.push(`    ✗ ${check.name}: ${check.detail}`.slice(0, DETAIL_WIDTH));
    }
  }
  lines.push(
    '',
    `${summary.passed}/${summary.total} scenarios passed · ${summary.usage.inputTokens} tokens in, ${summary.usage.outputTokens} out · US$ ${summary.usage.costUsd.toFixed(4)} · ${(summary.elapsedMs / 1000).toFixed(1)} s`,
  );
  return lines.join('\n');
}
