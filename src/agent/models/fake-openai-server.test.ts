import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { jsonSchema, streamText, tool } from 'ai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAiServer, startFakeOpenAiServer } from './fake-openai-server.ts';

let server: FakeOpenAiServer;

beforeEach(async () => {
  server = await startFakeOpenAiServer();
});

afterEach(async () => {
  await server.close();
});

describe('the fake OpenAI-compatible server', () => {
  it('streams text and tool calls as server-sent chunks that the AI SDK reassembles', async () => {
    server.enqueue({
      text: 'Hello there!',
      toolCalls: [{ id: 'call_s', name: 'set_outcome', arguments: { outcome: 'interested' } }],
      usage: { promptTokens: 42, completionTokens: 7 },
    });
    const provider = createOpenAICompatible({ name: 'fake', baseURL: server.baseUrl, includeUsage: true });
    const result = streamText({
      model: provider.chatModel('gpt-4o-mini'),
      prompt: 'hi',
      tools: {
        set_outcome: tool({
          description: 'Set',
          inputSchema: jsonSchema({ type: 'object', properties: { outcome: { type: 'string' } } }),
        }),
      },
      maxRetries: 0,
    });
    expect(await result.text).toBe('Hello there!');
    expect((await result.toolCalls).map((call) => [call.toolCallId, call.toolName, call.input])).toEqual([
      ['call_s', 'set_outcome', { outcome: 'interested' }],
    ]);
    expect((await result.usage).inputTokens).toBe(42);
    expect(server.requests[0]?.isStream).toBe(true);
  });

  it('answers with a function of the request once the queue is empty, and records every request', async () => {
    server.enqueue({ text: 'first' });
    server.respondWith((request, index) => ({ text: `#${index} for ${request.model}` }));
    const send = (model: string) =>
      fetch(`${server.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model,
          messages: [
            { role: 'system', content: 'rules' },
            { role: 'user', content: 'hi' },
          ],
        }),
      }).then((response) => response.json() as Promise<{ choices: Array<{ message: { content: string } }> }>);
    expect((await send('a')).choices[0]?.message.content).toBe('first');
    expect((await send('b')).choices[0]?.message.content).toBe('#2 for b');
    expect(server.requests.map((request) => request.systemPrompt)).toEqual(['rules', 'rules']);
  });

  it('fails loudly when a test did not script an answer, and 404s other paths', async () => {
    const unscripted = await fetch(`${server.baseUrl}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'x', messages: [] }),
    });
    expect(unscripted.status).toBe(500);
    expect(((await unscripted.json()) as { error: { message: string } }).error.message).toContain(
      'no scripted reply',
    );
    const elsewhere = await fetch(`${server.baseUrl}/embeddings`, { method: 'POST', body: '{}' });
    expect(elsewhere.status).toBe(404);
  });
});
