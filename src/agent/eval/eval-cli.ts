import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createModel, type ModelConnectionSettings } from '../models/create-model.ts';
import { formatEvaluation } from './format-evaluation.ts';
import { loadScenarios } from './load-scenarios.ts';
import { runEvaluation } from './run-evaluation.ts';

/** The scenarios that ship with Coxcox: evals/scenarios at the repository root. */
export const DEFAULT_SCENARIOS_DIRECTORY = fileURLToPath(
  new URL('../../../evals/scenarios/', import.meta.url),
);

export const EVAL_HELP = `coxcox eval [options]

Runs the evaluation scenarios against a model and prints a table per scenario, then the pass rate per
category and per language. Exit code 1 when the pass rate is below --min-pass-rate (by default, when
any scenario fails).

Options:
  --provider P        playbook (default), openai-compatible or anthropic
  --base-url URL      the API root, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1
  --model M           the model id, e.g. gpt-4o-mini or claude-haiku-4-5
  --api-key-env NAME  the environment variable that holds the API key (the key itself is never a flag)
  --scenarios DIR     a directory of scenario files (default: evals/scenarios)
  --filter TEXT       only scenarios whose name contains TEXT
  --min-pass-rate P   the percentage of scenarios that must pass (default 100)
  --json              print the full results as JSON instead of the table
  --help              this text`;

export interface EvalCliIo {
  /** Where --api-key-env reads from. */
  env: Readonly<Record<string, string | undefined>>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const PROVIDERS = ['playbook', 'openai-compatible', 'anthropic'] as const;

/**
 * `coxcox eval`: argv without the command name. Answers the exit code: 0 when every scenario passed, 1 when
 * one failed, 2 for a usage or setup error (bad flags, missing key, unreadable scenarios).
 */
export async function runEvalCli(
  argv: string[],
  io: EvalCliIo = { env: process.env, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const usage = (message: string) => {
    io.stderr.write(`eval: ${message}\n\n${EVAL_HELP}\n`);
    return 2;
  };
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    return usage((error as Error).message);
  }
  if (values.help) {
    io.stdout.write(`${EVAL_HELP}\n`);
    return 0;
  }
  const provider = values.provider ?? 'playbook';
  if (!(PROVIDERS as readonly string[]).includes(provider))
    return usage(`--provider must be one of ${PROVIDERS.join(', ')}`);
  let apiKey: string | null = null;
  if (values['api-key-env']) {
    apiKey = io.env[values['api-key-env']] ?? null;
    if (!apiKey)
      return usage(`the environment variable ${values['api-key-env']} (from --api-key-env) is empty`);
  }
  const settings: ModelConnectionSettings = {
    provider: provider as ModelConnectionSettings['provider'],
    baseUrl: values['base-url'] ?? null,
    model: values.model ?? null,
    apiKey,
  };

  let model: ReturnType<typeof createModel>;
  let scenarios: Awaited<ReturnType<typeof loadScenarios>>;
  try {
    model = createModel(settings);
    scenarios = await loadScenarios(values.scenarios ?? DEFAULT_SCENARIOS_DIRECTORY);
  } catch (error) {
    io.stderr.write(`eval: ${(error as Error).message}\n`);
    return 2;
  }
  const minPassRate = values['min-pass-rate'] === undefined ? 100 : Number(values['min-pass-rate']);
  if (!Number.isFinite(minPassRate) || minPassRate < 0 || minPassRate > 100)
    return usage('--min-pass-rate takes a percentage from 0 to 100');
  const filter = values.filter;
  if (filter) scenarios = scenarios.filter((scenario) => scenario.name.includes(filter));
  if (scenarios.length === 0) {
    io.stderr.write('eval: no scenarios to run\n');
    return 2;
  }

  const summary = await runEvaluation(model, scenarios);
  io.stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatEvaluation(summary)}\n`);
  // Compared in whole scenarios: 90 % of 32 needs 29 passes (28.8 rounded up).
  return summary.passed >= Math.ceil((minPassRate / 100) * summary.total - 1e-9) ? 0 : 1;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      provider: { type: 'string' },
      'base-url': { type: 'string' },
      model: { type: 'string' },
      'api-key-env': { type: 'string' },
      scenarios: { type: 'string' },
      filter: { type: 'string' },
      'min-pass-rate': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
}
