import type { RecordedToolCall } from '../run-model-loop.ts';
import type { EvalConversationState } from './eval-tool-environment.ts';
import type { Scenario } from './scenario.ts';

export interface ScenarioCheck {
  /** What was checked, e.g. "outcome", "field budget", "calls hand_off", "no reply matches /90\s?%/i". */
  name: string;
  isPassed: boolean;
  /** What was found, in words. */
  detail: string;
}

/** What a run produced, as the checks see it. */
export interface ScenarioRun {
  turns: Array<{ replies: string[]; toolCalls: RecordedToolCall[]; hitStepLimit: boolean }>;
  state: EvalConversationState;
  error: string | null;
}

/** "/source/flags" is a regular expression with its flags; anything else is `fallback` of the text. */
export function toPattern(text: string, fallback: 'exact' | 'regex'): RegExp {
  const literal = /^\/(.+)\/([dgimsuvy]*)$/s.exec(text);
  if (literal) return new RegExp(literal[1] ?? '', literal[2]);
  if (fallback === 'regex') return new RegExp(text, 'iu');
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'iu');
}

function valueAt(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (current, key) =>
        current && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined,
      value,
    );
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/** Every expectation of the scenario, checked against what the run produced; the run must also have completed. */
export function scoreScenario(scenario: Scenario, run: ScenarioRun): ScenarioCheck[] {
  const { expect } = scenario;
  const checks: ScenarioCheck[] = [];
  const check = (name: string, isPassed: boolean, detail: string) => checks.push({ name, isPassed, detail });
  const calls = run.turns.flatMap((turn) => turn.toolCalls);
  const replies = run.turns.flatMap((turn) => turn.replies);
  const stuckTurns = run.turns.filter((turn) => turn.hitStepLimit).length;

  check(
    'completes',
    run.error === null && stuckTurns === 0,
    run.error ?? (stuckTurns > 0 ? `${stuckTurns} turn(s) hit the step limit` : `${run.turns.length} turns`),
  );
  if (expect.outcome !== undefined) {
    check(
      'outcome',
      run.state.outcome === expect.outcome,
      `expected ${show(expect.outcome)}, got ${show(run.state.outcome)}`,
    );
  }
  for (const [name, expected] of Object.entries(expect.fields ?? {})) {
    const actual = run.state.leadFields[name];
    const isPassed = actual !== undefined && toPattern(expected, 'exact').test(actual);
    check(`field ${name}`, isPassed, `expected ${expected}, got ${show(actual)}`);
  }
  for (const tool of expect.toolCalls ?? []) {
    const made = calls.filter((call) => call.name === tool);
    const succeeded = made.filter((call) => !call.isError);
    check(
      `calls ${tool}`,
      succeeded.length > 0,
      made.length === 0
        ? 'never called'
        : `${succeeded.length} of ${made.length} call(s) succeeded${succeeded.length === 0 ? `: ${show(made[0]?.result)}` : ''}`,
    );
  }
  for (const tool of expect.forbiddenToolCalls ?? []) {
    const made = calls.filter((call) => call.name === tool);
    check(
      `never calls ${tool}`,
      made.length === 0,
      made.length === 0 ? 'not called' : `called with ${show(made[0]?.arguments)}`,
    );
  }
  for (const { tool, path, value } of expect.toolArguments ?? []) {
    const pattern = toPattern(value, 'exact');
    const found = calls
      .filter((call) => call.name === tool && !call.isError)
      .map((call) => valueAt(call.arguments, path));
    const isPassed = found.some((argument) => argument !== undefined && pattern.test(String(argument)));
    check(
      `argument ${tool}.${path}`,
      isPassed,
      `expected ${value}, got ${found.length === 0 ? 'no successful call' : found.map(show).join(', ')}`,
    );
  }
  for (const source of expect.replyMustMatch ?? []) {
    const pattern = toPattern(source, 'regex');
    const match = replies.find((reply) => pattern.test(reply));
    check(
      `a reply matches ${pattern}`,
      match !== undefined,
      match ? `"${match}"` : `none of ${replies.length} replies`,
    );
  }
  for (const source of expect.replyMustNotMatch ?? []) {
    const pattern = toPattern(source, 'regex');
    const match = replies.find((reply) => pattern.test(reply));
    check(
      `no reply matches ${pattern}`,
      match === undefined,
      match ? `"${match}"` : `${replies.length} replies checked`,
    );
  }
  return checks;
}
