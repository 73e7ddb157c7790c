import { describe, expect, it } from 'vitest';
import { PlaybookModel } from '../playbook/playbook-model.ts';
import { DEFAULT_SCENARIOS_DIRECTORY } from './eval-cli.ts';
import { loadScenarios } from './load-scenarios.ts';
import { runScenario } from './run-scenario.ts';

const scenarios = await loadScenarios(DEFAULT_SCENARIOS_DIRECTORY);

describe('the shipped scenarios', () => {
  it('cover English, Spanish and Portuguese with at least seven each', () => {
    for (const language of ['en', 'es', 'pt']) {
      expect(scenarios.filter((scenario) => scenario.language === language).length).toBeGreaterThanOrEqual(7);
    }
  });

  it.each(scenarios.map((scenario) => [scenario.name, scenario] as const))(
    '%s passes on the offline playbook',
    async (_, scenario) => {
      const result = await runScenario(new PlaybookModel(), scenario);
      const failed = result.checks.filter((check) => !check.isPassed);
      expect(failed, JSON.stringify(result.turns, null, 2)).toEqual([]);
      expect(result.isPassed).toBe(true);
    },
  );
});
