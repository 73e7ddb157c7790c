import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAiServer, startFakeOpenAiServer } from '../models/fake-openai-server.ts';
import { runEvalCli } from './eval-cli.ts';

function io(env: Record<string, string> = {}) {
  const output = { stdout: '', stderr: '' };
  return {
    output,
    io: {
      env,
      stdout: { write: (text: string) => (output.stdout += text) },
      stderr: { write: (text: string) => (output.stderr += text) },
    },
  };
}

describe('runEvalCli', () => {
  it('runs the shipped scenarios on the playbook and prints a table', async () => {
    const { io: cli, output } = io();
    expect(await runEvalCli(['--filter', 'pt-'], cli)).toBe(0);
    expect(output.stdout).toMatch(/model: playbook/);
    expect(output.stdout).toMatch(/pt-parar\s+pt\s+pass/);
    expect(output.stdout).not.toMatch(/en-stop/);
    expect(output.stdout).toMatch(/(\d+)\/\1 scenarios passed/);
  });

  it('prints JSON with --json', async () => {
    const { io: cli, output } = io();
    expect(await runEvalCli(['--filter', 'es-baja', '--json'], cli)).toBe(0);
    const summary = JSON.parse(output.stdout) as {
      total: number;
      passed: number;
      results: Array<{ name: string; checks: unknown[] }>;
    };
    expect(summary).toMatchObject({ total: 1, passed: 1 });
    expect(summary.results[0]?.name).toBe('es-baja');
  });

  it.each([
    [['--provider', 'gemini'], /--provider must be one of/],
    [['--provider', 'anthropic', '--api-key-env', 'NOT_SET'], /NOT_SET .* is empty/],
    [['--provider', 'anthropic'], /apiKey is required for Anthropic/],
    [['--bogus'], /Unknown option/],
    [['--filter', 'no-such-scenario'], /no scenarios to run/],
    [['--scenarios', '/no/such/directory'], /ENOENT/],
  ])('exits 2 on %j', async (argv, message) => {
    const { io: cli, output } = io();
    expect(await runEvalCli(argv, cli)).toBe(2);
    expect(output.stderr).toMatch(message);
  });

  describe('with a directory of scenarios', () => {
    let directory: string;
    let server: FakeOpenAiServer;

    beforeEach(async () => {
      directory = await mkdtemp(join(tmpdir(), 'coxcox-eval-cli-'));
      await writeFile(
        join(directory, 'stop.json'),
        JSON.stringify({
          name: 'en-stop-only',
          language: 'en',
          profile: { companyName: 'Acme' },
          customer: ['STOP'],
          expect: { toolCalls: ['opt_out'], replyMustMatch: ['no more messages'] },
        }),
      );
      server = await startFakeOpenAiServer({ apiKey: 'sk-from-env' });
    });

    afterEach(async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    });

    it('exits 1 and shows the failed checks when a scenario fails', async () => {
      const { io: cli, output } = io();
      expect(await runEvalCli(['--scenarios', directory], cli)).toBe(1);
      expect(output.stdout).toMatch(/en-stop-only\s+en\s+FAIL/);
      expect(output.stdout).toMatch(/✗ a reply matches \/no more messages\/iu/);
    });

    it('talks to an OpenAI-compatible endpoint with the key from the named variable', async () => {
      server.respondWith((request) =>
        request.messages.at(-1)?.role === 'tool'
          ? { text: '' }
          : {
              text: 'You will get no more messages from us.',
              toolCalls: [{ name: 'opt_out', arguments: { scope: 'all' } }],
            },
      );
      const { io: cli, output } = io({ EVAL_KEY: 'sk-from-env' });
      const argv = [
        '--provider',
        'openai-compatible',
        '--base-url',
        server.baseUrl,
        '--model',
        'local-model',
        '--api-key-env',
        'EVAL_KEY',
        '--scenarios',
        directory,
      ];
      expect(await runEvalCli(argv, cli)).toBe(0);
      expect(output.stdout).toMatch(/model: openai-compatible:local-model/);
      expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-from-env');
    });
  });
});
