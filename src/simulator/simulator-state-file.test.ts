import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runSimulatorCli, type Simulator } from './index.ts';

const APP_ID = '900000000000001'; // the simulator's default app: client_id of the code exchange
const directories: string[] = [];
let simulator: Simulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

const start = (stateFile: string) =>
  runSimulatorCli(
    [
      '--port',
      '0',
      '--webhook-url',
      'http://127.0.0.1:9/webhooks/whatsapp',
      '--app-secret',
      'cli-secret',
      '--state',
      stateFile,
    ],
    { log: () => {} },
  );

async function call(url: string, method: 'GET' | 'POST', path: string, token?: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json() };
}

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('coxcox simulator --state FILE', () => {
  it('keeps signups, tokens, templates and registration across a restart', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'simulator-state-'));
    directories.push(directory);
    const stateFile = join(directory, 'state.json');

    simulator = await start(stateFile);
    let url = simulator.url as string;
    const signup = await call(url, 'POST', '/_simulator/embedded-signup', undefined, {});
    const wabaId: string = signup.json.session.data.waba_id;
    const phoneNumberId: string = signup.json.session.data.phone_number_id;
    const exchanged = await call(
      url,
      'GET',
      `/v23.0/oauth/access_token?client_id=${APP_ID}&client_secret=cli-secret&code=${signup.json.code}`,
    );
    const token: string = exchanged.json.access_token;
    expect(token).toMatch(/^EAAG/);
    // Saved soon after the change, before any stop: a crash later keeps it.
    await until('the state file to hold the new token', () => {
      return existsSync(stateFile) && readFileSync(stateFile, 'utf8').includes(token);
    });

    const registered = await call(url, 'POST', `/v23.0/${phoneNumberId}/register`, token, {
      messaging_product: 'whatsapp',
      pin: '123456',
    });
    expect(registered.status).toBe(200);
    const template = await call(url, 'POST', `/v23.0/${wabaId}/message_templates`, token, {
      name: 'spring_sale',
      language: 'en_US',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Hi {{1}}, 20% off this week.' }],
    });
    expect(template.status).toBe(200);
    await call(url, 'POST', '/_simulator/access-tokens/revoke', undefined, {
      token: 'simulator-access-token',
    });
    await simulator.close();

    // Owner-only (it holds tokens), and written by rename: no temporary file is left behind.
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(directory)).toEqual(['state.json']);

    simulator = await start(stateFile);
    url = simulator.url as string;
    const number = await call(url, 'GET', `/v23.0/${phoneNumberId}`, token);
    expect(number.json).toMatchObject({ id: phoneNumberId, status: 'CONNECTED' });
    const templates = await call(url, 'GET', `/v23.0/${wabaId}/message_templates`, token);
    expect(templates.json.data.map((each: { name: string }) => each.name)).toEqual(
      expect.arrayContaining(['hello_world', 'spring_sale']),
    );
    const sent = await call(url, 'POST', `/v23.0/${phoneNumberId}/messages`, token, {
      messaging_product: 'whatsapp',
      to: '15550001234',
      type: 'template',
      template: {
        name: 'spring_sale',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }],
      },
    });
    expect(sent.status, JSON.stringify(sent.json)).toBe(200);
    // A revoked token stays revoked.
    const revoked = await call(url, 'GET', `/v23.0/${phoneNumberId}`, 'simulator-access-token');
    expect(revoked.json.error.code).toBe(190);
    // Ids keep counting: the next signup gets new ones, not the restored WABA's.
    const next = await call(url, 'POST', '/_simulator/embedded-signup', undefined, {});
    expect(next.status).toBe(200);
    expect(next.json.session.data.waba_id).not.toBe(wabaId);
    expect(next.json.display_phone_number).not.toBe(signup.json.display_phone_number);
  });

  it('refuses to start on a damaged state file, naming it', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'simulator-state-'));
    directories.push(directory);
    const stateFile = join(directory, 'state.json');
    writeFileSync(stateFile, '{"version":1,');
    await expect(start(stateFile)).rejects.toThrow(stateFile);
  });
});
