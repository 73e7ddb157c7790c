import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadScenarios, ScenarioError } from './load-scenarios.ts';

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'coxcox-scenarios-'));
  await mkdir(join(directory, 'scenarios'));
  await writeFile(
    join(directory, 'profile.json'),
    JSON.stringify({
      companyName: 'Acme',
      languages: ['es', 'en'],
      fields: [{ name: 'name', question: '¿Nombre?' }],
    }),
  );
  await writeFile(
    join(directory, 'knowledge.json'),
    JSON.stringify([{ documentId: 'd', title: 'T', text: 'Cuesta $5.' }]),
  );
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const write = (name: string, value: unknown) =>
  writeFile(join(directory, 'scenarios', name), JSON.stringify(value));

const valid = {
  name: 'es-hola',
  language: 'es',
  profile: '../profile.json',
  profileOverrides: { allowedTools: ['opt_out'] },
  knowledge: '../knowledge.json',
  customer: ['Hola', ['a', 'b']],
  expect: { toolCalls: ['opt_out'] },
};

describe('loadScenarios', () => {
  it('resolves shared profiles and knowledge, applies overrides and the API defaults', async () => {
    await write('b.json', valid);
    await write('a.json', { ...valid, name: 'es-adios', profile: { companyName: 'Inline' }, knowledge: [] });
    await writeFile(join(directory, 'scenarios', 'notes.md'), 'not a scenario');
    const [first, second] = await loadScenarios(join(directory, 'scenarios'));
    expect(first?.name).toBe('es-adios');
    expect(first?.profile.companyName).toBe('Inline');
    expect(second?.profile).toMatchObject({
      companyName: 'Acme',
      languages: ['es', 'en'],
      allowedTools: ['opt_out'],
      maxTurns: 30,
    });
    expect(second?.knowledge).toEqual([{ documentId: 'd', title: 'T', text: 'Cuesta $5.', score: 1 }]);
    expect(second?.turns).toEqual([['Hola'], ['a', 'b']]);
    expect(second?.now).toBe(Date.parse('2025-06-02T15:00:00Z'));
  });

  it.each([
    [{ ...valid, expect: { toolCalls: ['give_discount'] } }, /toolCalls/],
    [{ ...valid, customer: [] }, /customer/],
    [{ ...valid, profile: '../missing.json' }, /cannot be read/],
    [{ ...valid, profileOverrides: { languages: ['english'] } }, /languages/],
    [{ ...valid, surprise: true }, /surprise/],
  ])('names the file and the problem in %j', async (scenario, problem) => {
    await write('broken.json', scenario);
    const error = await loadScenarios(join(directory, 'scenarios')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message).toContain('broken.json');
    expect((error as Error).message).toMatch(problem);
  });

  it('refuses two scenarios with the same name', async () => {
    await write('one.json', valid);
    await write('two.json', valid);
    await expect(loadScenarios(join(directory, 'scenarios'))).rejects.toThrow(/"es-hola" is also used/);
  });
});
