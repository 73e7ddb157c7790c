import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { AgentProfile, KnowledgePassage } from '../agent-model.ts';
import { agentProfileSchema } from '../agent-profile-schema.ts';
import { knowledgeFileSchema, type Scenario, scenarioFileSchema } from './scenario.ts';

/** A scenario file that cannot be used, with the file and what is wrong in it. */
export class ScenarioError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'ScenarioError';
  }
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ScenarioError(file, `cannot be read (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ScenarioError(file, `is not JSON (${(error as Error).message})`);
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ScenarioError(file, z.prettifyError(parsed.error));
  return parsed.data;
}

/** A file a scenario refers to; a problem with it names the scenario too. */
async function readReference(file: string, reference: string, what: string): Promise<unknown> {
  try {
    return await readJson(resolve(dirname(file), reference));
  } catch (error) {
    throw new ScenarioError(file, `its ${what} ${(error as Error).message}`);
  }
}

/**
 * A scenario from its file contents. `file` names it in errors, and references ("../profiles/acme.json")
 * are read relative to it.
 */
export async function parseScenario(value: unknown, file: string): Promise<Scenario> {
  const raw = parseWith(scenarioFileSchema, value, file);
  const profileSource =
    typeof raw.profile === 'string' ? await readReference(file, raw.profile, 'profile') : raw.profile;
  if (typeof profileSource !== 'object' || profileSource === null)
    throw new ScenarioError(file, 'profile is not an object');
  const profile: AgentProfile = parseWith(
    agentProfileSchema,
    { ...profileSource, ...raw.profileOverrides },
    file,
  );
  const knowledge: KnowledgePassage[] =
    typeof raw.knowledge === 'string'
      ? parseWith(
          knowledgeFileSchema,
          await readReference(file, raw.knowledge, 'knowledge'),
          `${file} (knowledge ${raw.knowledge})`,
        )
      : raw.knowledge;
  return {
    name: raw.name,
    description: raw.description ?? null,
    language: raw.language,
    category: raw.category ?? null,
    file,
    profile,
    knowledge,
    customerName: raw.customerName,
    customerTimeZone: raw.customerTimeZone,
    now: Date.parse(raw.now),
    leadFields: raw.leadFields,
    turns: raw.customer.map((turn) => (typeof turn === 'string' ? [turn] : turn)),
    expect: raw.expect,
  };
}

export async function loadScenario(file: string): Promise<Scenario> {
  return parseScenario(await readJson(file), file);
}

/** Every *.json scenario directly in `directory`, by file name; names must be unique. */
export async function loadScenarios(directory: string): Promise<Scenario[]> {
  const files = (await readdir(directory)).filter((name) => name.endsWith('.json')).sort();
  const scenarios = await Promise.all(files.map((name) => loadScenario(join(directory, name))));
  const seen = new Map<string, string>();
  for (const scenario of scenarios) {
    const other = seen.get(scenario.name);
    if (other)
      throw new ScenarioError(
        basename(scenario.file ?? ''),
        `the name "${scenario.name}" is also used by ${other}`,
      );
    seen.set(scenario.name, basename(scenario.file ?? ''));
  }
  return scenarios;
}
