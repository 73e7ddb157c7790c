import { PlaybookModel } from '../playbook/playbook-model.ts';
import { loadScenarios } from './load-scenarios.ts';
import { runScenario } from './run-scenario.ts';
import { DEFAULT_SCENARIOS_DIRECTORY } from './eval-cli.ts';
import { matchIntent } from '../playbook/match-intent.ts';
const filter = process.argv[2] ?? '';
for (const scenario of (await loadScenarios(DEFAULT_SCENARIOS_DIRECTORY)).filter((s) => s.name.includes(filter))) {
  const result = await runScenario(new PlaybookModel(), scenario);
  console.log(`=== ${scenario.name} ${result.isPassed ? 'pass' : 'FAIL'}`);
  for (const turn of result.turns) {
    console.log(`  C: ${turn.customer.join(' | ')}`);
    for (const reply of turn.replies) console.log(`  A: ${reply}`);
    for (const call of turn.toolCalls) console.log(`  T: ${call.name} ${JSON.stringify(call.arguments).slice(0, 150)}${call.isError ? ' ERROR ' + JSON.stringify(call.result) : ''}`);
    if (turn.mutedBy) console.log(`  (muted by ${turn.mutedBy})`);
  }
}
console.log(matchIntent('Sorry, can we continue in English? We are 8 people'));
