import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAiServer, startFakeOpenAiServer } from './fake-openai-server.ts';
import { testConnection } from './test-connection.ts';

let server: FakeOpenAiServer;

beforeEach(async () => {
  server = await startFakeOpenAiServer({ apiKey: 'sk-right' });
});

afterEach(async () => {
  await server.close();
});

describe('testConnection', () => {
  it('reports a working endpoint with the model and what it said', async () => {
    server.enqueue({ text: 'OK' });
    const result = await testConnection({
      provider: 'openai-compatible',
      baseUrl: server.baseUrl,
      apiKey: 'sk-right',
      model: 'gpt-4o-mini',
    });
    expect(result).toMatchObject({ isOk: true, model: 'openai-compatible:gpt-4o-mini' });
    expect(result.message).toContain('answered with gpt-4o-mini');
    expect(result.message).toContain('"OK"');
    expect(server.requests).toHaveLength(1);
  });

  it('explains a refused key in words, after one call and no retries', async () => {
    const result = await testConnection({
      provider: 'openai-compatible',
      baseUrl: server.baseUrl,
      apiKey: 'sk-wrong',
      model: 'gpt-4o-mini',
    });
    expect(result).toMatchObject({ isOk: false, code: 'unauthorized' });
    expect(result.message).toMatch(/HTTP 401: Incorrect API key provided/);
  });

  it('explains a server error without retrying it', async () => {
    server.enqueue({ error: { status: 503, message: 'The engine is currently overloaded' } }, { text: 'OK' });
    const result = await testConnection({
      provider: 'openai-compatible',
      baseUrl: server.baseUrl,
      apiKey: 'sk-right',
      model: 'gpt-4o-mini',
    });
    expect(result).toMatchObject({ isOk: false, code: 'unavailable' });
    expect(result.message).toContain('overloaded');
    expect(server.requests).toHaveLength(1);
  });

  it('reports settings that cannot work before calling anything', async () => {
    const result = await testConnection({ provider: 'anthropic', apiKey: '', model: 'claude-haiku-4-5' });
    expect(result).toMatchObject({ isOk: false, code: 'invalid_settings', model: null });
    expect(result.message).toContain('apiKey is required');
  });

  it('needs no connection for the playbook', async () => {
    expect(await testConnection({ provider: 'playbook' })).toMatchObject({ isOk: true, model: 'playbook' });
  });
});
