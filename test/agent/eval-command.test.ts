import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `npx coxcox eval`, as an operator runs it: the package's bin in a child process. */
async function coxcox(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/coxcox.js', ...args], {
      timeout: 60_000,
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('the coxcox eval command', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'coxcox-eval-command-'));
    const scenario = (name: string, replyMustMatch: string) => ({
      name,
      language: 'en',
      category: 'opt-out',
      profile: { companyName: 'Acme' },
      customer: ['STOP'],
      expect: { toolCalls: ['opt_out'], replyMustMatch: [replyMustMatch] },
    });
    await writeFile(
      join(directory, 'a.json'),
      JSON.stringify(scenario('en-stop-passes', 'any more messages')),
    );
    await writeFile(
      join(directory, 'b.json'),
      JSON.stringify(scenario('en-stop-fails', 'a reply nobody writes')),
    );
  });
  afterAll(async () => rm(directory, { recursive: true, force: true }));

  it('runs the shipped scenarios on the offline playbook, per scenario, category and language', async () => {
    const { code, stdout } = await coxcox(['eval', '--filter', 'es-']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/model: playbook/);
    expect(stdout).toMatch(/es-baja\s+es\s+pass\s+\d+\/\d+\s+opt-out/);
    expect(stdout).toMatch(/^category\s+passed\s+rate$/m);
    expect(stdout).toMatch(/^opt-out\s+(\d+)\/\1\s+100 %$/m);
    expect(stdout).toMatch(/^es\s+(\d+)\/\1\s+100 %$/m);
    expect(stdout).not.toMatch(/^pt\s/m);
    expect(stdout).toMatch(/(\d+)\/\1 scenarios passed/);
  });

  it('exits 1 below the pass rate (every scenario by default) and 0 at or above it', async () => {
    const strict = await coxcox(['eval', '--scenarios', directory]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/en-stop-fails\s+en\s+FAIL/);
    expect(strict.stdout).toMatch(/^opt-out\s+1\/2\s+50 %$/m);
    expect(strict.stdout).toMatch(/1\/2 scenarios passed/);
    expect((await coxcox(['eval', '--scenarios', directory, '--min-pass-rate', '50'])).code).toBe(0);
    expect((await coxcox(['eval', '--scenarios', directory, '--min-pass-rate', '51'])).code).toBe(1);
  });

  it('explains its options, and refuses a bad one with exit code 2', async () => {
    const help = await coxcox(['eval', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--min-pass-rate P/);
    const bad = await coxcox(['eval', '--min-pass-rate', 'most']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--min-pass-rate takes a percentage/);
  });
});
