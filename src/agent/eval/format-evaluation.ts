import type { EvaluationSummary, GroupResult } from './run-evaluation.ts';

const NAME_WIDTH = 34;
const DETAIL_WIDTH = 120;
const GROUP_WIDTH = 20;

/** The evaluation as a plain-text table: one line per scenario, and the failed checks under a failure. */
export function formatEvaluation(summary: EvaluationSummary): string {
  const lines = [
    `model: ${summary.model}`,
    '',
    `${'scenario'.padEnd(NAME_WIDTH)} lang  result  checks  category`,
  ];
  for (const result of summary.results) {
    const passedChecks = result.checks.filter((check) => check.isPassed).length;
    lines.push(
      `${result.name.padEnd(NAME_WIDTH)} ${result.language.padEnd(5)} ${(result.isPassed ? 'pass' : 'FAIL').padEnd(7)} ${`${passedChecks}/${result.checks.length}`.padEnd(7)} ${result.category ?? '-'}`,
    );
    for (const check of result.checks.filter((candidate) => !candidate.isPassed)) {
      lines.push(`    ✗ ${check.name}: ${check.detail}`.slice(0, DETAIL_WIDTH));
    }
  }
  lines.push(
    '',
    ...groupTable('category', summary.byCategory),
    '',
    ...groupTable('language', summary.byLanguage),
  );
  lines.push(
    '',
    `${summary.passed}/${summary.total} scenarios passed · ${summary.usage.inputTokens} tokens in, ${summary.usage.outputTokens} out · US$ ${summary.usage.costUsd.toFixed(4)} · ${(summary.elapsedMs / 1000).toFixed(1)} s`,
  );
  return lines.join('\n');
}

/** One line per group: its passes, total and pass rate. */
function groupTable(title: string, groups: readonly GroupResult[]): string[] {
  return [
    `${title.padEnd(GROUP_WIDTH)} passed  rate`,
    ...groups.map(
      (group) =>
        `${group.name.padEnd(GROUP_WIDTH)} ${`${group.passed}/${group.total}`.padEnd(7)} ${percent(group.passed, group.total)}`,
    ),
  ];
}

export function percent(passed: number, total: number): string {
  return total === 0 ? '-' : `${Math.round((100 * passed) / total)} %`;
}
