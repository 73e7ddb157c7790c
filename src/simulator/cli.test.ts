import { afterEach, describe, expect, it } from 'vitest';
import { runSimulatorCli, type Simulator, SimulatorCliError } from './index.ts';

let simulator: Simulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

describe('runSimulatorCli', () => {
  it('starts with a default WABA, number, templates and token, and prints its URL', async () => {
    const lines: string[] = [];
    simulator = await runSimulatorCli(
      ['--port', '0', '--webhook-url', 'http://127.0.0.1:9/webhooks/whatsapp', '--app-secret', 'cli-secret'],
      { log: (line) => lines.push(line) },
    );
    expect(simulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[0]).toContain(simulator.url);
    expect(lines.join('\n')).toContain('simulator-access-token');
    const headers = { authorization: 'Bearer simulator-access-token', 'content-type': 'application/json' };
    const templates = await (
      await fetch(`${simulator.url}/v23.0/100000000000001/message_templates`, { headers })
    ).json();
    expect(templates.data.map((template: { name: string }) => template.name)).toEqual(
      expect.arrayContaining(['hello_world', 'coxcox_offer']),
    );
    const sent = await fetch(`${simulator.url}/v23.0/100000000000002/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        to: '15550001234',
        type: 'template',
        template: { name: 'hello_world', language: { code: 'en_US' } },
      }),
    });
    expect(sent.status).toBe(200);
  });

  it('takes a token, number, WABA and personas from the flags', async () => {
    simulator = await runSimulatorCli(
      [
        '--port',
        '0',
        '--webhook-url',
        'http://127.0.0.1:9/hooks',
        '--app-secret',
        'cli-secret',
        '--access-token',
        'my-token',
        '--phone-number-id',
        '123456789',
        '--waba-id',
        '987654321',
        '--persona',
        '15550009999:interested:pt',
      ],
      { log: () => {} },
    );
    const mine = await fetch(`${simulator.url}/v23.0/123456789`, {
      headers: { authorization: 'Bearer my-token' },
    });
    expect((await mine.json()).id).toBe('123456789');
    const defaultToken = await fetch(`${simulator.url}/v23.0/123456789`, {
      headers: { authorization: 'Bearer simulator-access-token' },
    });
    expect((await defaultToken.json()).error.code).toBe(190);
    expect(simulator.personas()).toEqual([
      expect.objectContaining({ waId: '15550009999', profile: 'interested', language: 'pt' }),
    ]);
  });

  it.each([
    [['--port', '0', '--webhook-url', 'http://x/y'], 'app-secret'],
    [['--port', '0', '--app-secret', 's'], 'webhook-url'],
    [['--port', 'eighty', '--webhook-url', 'http://x/y', '--app-secret', 's'], 'port'],
    [
      ['--port', '0', '--webhook-url', 'http://x/y', '--app-secret', 's', '--persona', '123:bored'],
      'persona',
    ],
    [['--colour', 'blue'], 'help'],
  ])('names the flag to fix: %j', async (argv, flag) => {
    const failure = await runSimulatorCli(argv, { log: () => {} }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SimulatorCliError);
    expect((failure as SimulatorCliError).flag).toBe(flag);
  });
});
