import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TurnInput } from '../agent-model.ts';
import { createModel } from './create-model.ts';
import { ModelError } from './model-error.ts';

/**
 * A few Anthropic Messages API answers on loopback (POST /v1/messages, Anthropic's "Messages" reference):
 * enough to check that the same adapter speaks the second protocol.
 */
let server: Server;
let baseUrl: string;
let requests: Array<{ headers: Record<string, unknown>; body: Record<string, unknown> }>;
let answer: { status: number; body: unknown };

beforeEach(async () => {
  requests = [];
  server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    requests.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    response.writeHead(answer.status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const input: TurnInput = {
  profile: {
    persona: 'Bruno, direct',
    companyName: 'Acme',
    companyInfo: 'Acme sells CRM software.',
    goal: 'qualify',
    fields: [],
    objectionNotes: '',
    languages: ['es', 'en'],
    allowedTools: [],
    maxTurns: 10,
    maxCostUsd: 1,
    businessHours: null,
  },
  summary: null,
  history: [{ speaker: 'customer', text: 'hola, ¿qué venden?', at: 0 }],
  newMessages: [{ speaker: 'customer', text: 'hola, ¿qué venden?', at: 0 }],
  leadFields: {},
  knowledge: [],
  tools: [
    {
      name: 'set_outcome',
      description: 'Record the outcome.',
      parameters: { type: 'object', properties: { outcome: { type: 'string' } }, required: ['outcome'] },
    },
  ],
  customerName: null,
  now: Date.parse('2025-06-02T12:00:00Z'),
  customerTimeZone: 'America/Mexico_City',
};

function model() {
  return createModel(
    { provider: 'anthropic', apiKey: 'sk-ant-test', model: 'claude-haiku-4-5', baseUrl },
    { maxRetries: 0 },
  );
}

describe('AiSdkModel over Anthropic', () => {
  it('sends the system prompt apart, the customer as user, the tools as input schemas, and maps tool_use back', async () => {
    answer = {
      status: 200,
      body: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-haiku-4-5',
        content: [
          { type: 'text', text: '¡Hola! Vendemos un CRM.' },
          { type: 'tool_use', id: 'toolu_1', name: 'set_outcome', input: { outcome: 'interested' } },
        ],
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: { input_tokens: 1_000, output_tokens: 100 },
      },
    };
    const step = await model().step(input, []);
    expect(step).toEqual({
      replies: ['¡Hola! Vendemos un CRM.'],
      toolCalls: [{ id: 'toolu_1', name: 'set_outcome', arguments: { outcome: 'interested' } }],
      // claude-haiku-4-5: US$ 1 in and 5 out per million tokens.
      usage: { inputTokens: 1_000, outputTokens: 100, costUsd: (1_000 * 1 + 100 * 5) / 1_000_000 },
      model: 'anthropic:claude-haiku-4-5',
    });
    const [request] = requests;
    expect(request?.headers['x-api-key']).toBe('sk-ant-test');
    expect(JSON.stringify(request?.body.system)).toContain('Bruno, direct');
    expect(JSON.stringify(request?.body.system)).not.toContain('venden');
    expect(request?.body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'hola, ¿qué venden?' }] },
    ]);
    expect(request?.body.tools).toEqual([
      { name: 'set_outcome', description: 'Record the outcome.', input_schema: input.tools[0]?.parameters },
    ]);
    expect(request?.body.max_tokens).toBe(1_024);
  });

  it("maps Anthropic's error envelope", async () => {
    answer = {
      status: 401,
      body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } },
    };
    const error = await model()
      .step(input, [])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).code).toBe('unauthorized');
    expect((error as ModelError).message).toContain('invalid x-api-key');
  });
});
