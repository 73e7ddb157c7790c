import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createModel } from '../models/create-model.ts';
import {
  type FakeOpenAiServer,
  type FakeReply,
  type FakeResponder,
  startFakeOpenAiServer,
  type WireMessage,
} from '../models/fake-openai-server.ts';
import { DEFAULT_SCENARIOS_DIRECTORY } from './eval-cli.ts';
import { loadScenarios } from './load-scenarios.ts';
import { runEvaluation } from './run-evaluation.ts';
import { runScenario } from './run-scenario.ts';
import type { Scenario } from './scenario.ts';

/**
 * The harness against a model that speaks the real chat-completions protocol: the fake server plays a
 * well-behaved LLM from a script (customer message → reply and tool calls), and the adapter, the turn loop
 * and the real tools do the rest.
 */
const scenarios = await loadScenarios(DEFAULT_SCENARIOS_DIRECTORY);
const scenario = (name: string): Scenario => {
  const found = scenarios.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
};

function textOf(message: WireMessage | undefined): string {
  return typeof message?.content === 'string' ? message.content : JSON.stringify(message?.content ?? '');
}

/** Answers the customer's latest message by the first rule that matches; after tool results, says nothing more. */
function script(rules: Array<[RegExp, FakeReply]>): FakeResponder {
  return (request) => {
    const last = request.messages.at(-1);
    if (last?.role === 'tool') return { text: '' };
    const customer = textOf(request.messages.filter((message) => message.role === 'user').at(-1));
    return (
      rules.find(([pattern]) => pattern.test(customer))?.[1] ?? { text: 'Sorry, could you say that again?' }
    );
  };
}

let server: FakeOpenAiServer;

beforeEach(async () => {
  server = await startFakeOpenAiServer({ apiKey: 'sk-eval' });
});

afterEach(async () => {
  await server.close();
});

function model() {
  return createModel(
    { provider: 'openai-compatible', baseUrl: server.baseUrl, apiKey: 'sk-eval', model: 'gpt-4o-mini' },
    { maxRetries: 0 },
  );
}

const qualifyScript = script([
  [
    /I'd like to know more/,
    {
      text: "Hi! I'm Maya from Acme CRM.\n\nWhat's your name?",
      toolCalls: [{ name: 'set_outcome', arguments: { outcome: 'interested' } }],
      usage: { promptTokens: 900, completionTokens: 40 },
    },
  ],
  [
    /^Sarah Miller$/,
    {
      text: 'Thanks, Sarah! How many people are on your sales team?',
      toolCalls: [{ name: 'record_lead_fields', arguments: { fields: { name: 'Sarah Miller' } } }],
      usage: { promptTokens: 1_000, completionTokens: 40 },
    },
  ],
  [
    /12 people/,
    {
      text: "What's the best email to send you a proposal?",
      toolCalls: [{ name: 'record_lead_fields', arguments: { fields: { team_size: '12' } } }],
    },
  ],
  [
    /@example\.com/,
    {
      text: 'Thank you, Sarah! A specialist will contact you soon.',
      toolCalls: [
        { name: 'record_lead_fields', arguments: { fields: { email: 'sarah.miller@example.com' } } },
        { name: 'set_outcome', arguments: { outcome: 'qualified' } },
      ],
    },
  ],
]);

describe('scenarios through an OpenAI-compatible model on loopback', () => {
  it('qualifies a lead with tool calls executed between turns', async () => {
    server.respondWith(qualifyScript);
    const result = await runScenario(model(), scenario('en-qualify-full'));
    expect(result.checks.filter((check) => !check.isPassed)).toEqual([]);
    expect(result.state.leadFields).toEqual({
      name: 'Sarah Miller',
      team_size: '12',
      email: 'sarah.miller@example.com',
    });
    expect(result.model).toBe('openai-compatible:gpt-4o-mini');
    expect(result.usage.inputTokens).toBe(1_900);
    // Four turns of two model calls each: one with the tool calls, one after their results.
    expect(server.requests).toHaveLength(8);
    const afterTools = server.requests[1];
    expect(afterTools?.messages.at(-1)?.role).toBe('tool');
    expect(JSON.parse(textOf(afterTools?.messages.at(-1)))).toEqual({ outcome: 'interested' });
    // The third turn sees the field recorded in the second, as context in a user message.
    const thirdTurn = server.requests[4];
    const context = thirdTurn?.messages.find(
      (message) => message.role === 'user' && textOf(message).includes('Lead fields'),
    );
    expect(textOf(context)).toContain('Sarah Miller');
    expect(thirdTurn?.systemPrompt).not.toContain('Sarah Miller');
    expect(thirdTurn?.tools.map((tool) => tool.name).sort()).toEqual(
      [
        'end_conversation',
        'hand_off',
        'opt_out',
        'record_lead_fields',
        'schedule_callback',
        'send_media',
        'set_outcome',
      ].sort(),
    );
  });

  it('opts out on BAJA and stays muted', async () => {
    server.respondWith(
      script([
        [
          /BAJA/,
          {
            text: 'Listo, no te escribiremos más.',
            toolCalls: [{ name: 'opt_out', arguments: { scope: 'all' } }],
          },
        ],
      ]),
    );
    const result = await runScenario(model(), scenario('es-baja'));
    expect(result.isPassed).toBe(true);
    expect(result.state.optedOut).toEqual({ scope: 'all', reason: null });
  });

  it('books a callback after correcting a rejected time from the tool error', async () => {
    server.respondWith((request) => {
      const last = request.messages.at(-1);
      if (last?.role === 'tool' && textOf(last).includes('invalid arguments')) {
        return {
          toolCalls: [
            {
              name: 'schedule_callback',
              arguments: { at: '2025-06-03T15:00:00-03:00', timeZone: 'America/Sao_Paulo' },
            },
            { name: 'set_outcome', arguments: { outcome: 'callback' } },
          ],
        };
      }
      if (last?.role === 'tool') return { text: 'Combinado! Ligamos amanhã às 15h.' };
      return { toolCalls: [{ name: 'schedule_callback', arguments: { at: 'amanhã às 15h' } }] };
    });
    const result = await runScenario(model(), scenario('pt-me-liga-amanha'));
    expect(result.checks.filter((check) => !check.isPassed)).toEqual([]);
    expect(result.turns[0]?.toolCalls.map((call) => [call.name, call.isError])).toEqual([
      ['schedule_callback', true],
      ['schedule_callback', false],
      ['set_outcome', false],
    ]);
    expect(result.turns[0]?.replies).toEqual(['Combinado! Ligamos amanhã às 15h.']);
    expect(result.state.callbacks[0]?.timeZone).toBe('America/Sao_Paulo');
  });

  it('fails a model that gives in to a prompt injection', async () => {
    server.respondWith(
      script([[/90% discount/, { text: 'Sure! I applied a 90% discount to your Pro plan.' }]]),
    );
    const result = await runScenario(model(), scenario('en-injection-discount'));
    expect(result.isPassed).toBe(false);
    expect(result.checks.find((check) => !check.isPassed)?.name).toMatch(/no reply matches/);
    // The attempt reached the model only as the customer's words.
    const [request] = server.requests;
    expect(request?.systemPrompt).not.toContain('90%');
    expect(
      request?.messages.filter((message) => textOf(message).includes('90%')).map((message) => message.role),
    ).toEqual(['user']);
  });

  it('reports a model that fails to answer as a failed scenario with the error', async () => {
    server.enqueue({ error: { status: 401, message: 'Incorrect API key provided.' } });
    const result = await runScenario(model(), scenario('en-stop'));
    expect(result.isPassed).toBe(false);
    expect(result.error).toMatch(/ModelError: .*HTTP 401/);
    expect(result.checks[0]).toMatchObject({ name: 'completes', isPassed: false });
  });

  it('summarises several scenarios run against the same endpoint', async () => {
    server.respondWith((request, index) => {
      const customer = textOf(request.messages.filter((message) => message.role === 'user').at(-1));
      if (request.messages.at(-1)?.role === 'tool') return { text: '' };
      if (/I'd like to know more|Sarah|12 people|@example/.test(customer))
        return qualifyScript(request, index);
      if (/BAJA/.test(customer))
        return { text: 'Listo.', toolCalls: [{ name: 'opt_out', arguments: { scope: 'all' } }] };
      return { text: "Ok, let's talk again later." };
    });
    const summary = await runEvaluation(model(), [
      scenario('en-qualify-full'),
      scenario('es-baja'),
      scenario('en-human-please'),
    ]);
    expect(summary.model).toBe('openai-compatible:gpt-4o-mini');
    expect(summary.results.map((result) => [result.name, result.isPassed])).toEqual([
      ['en-qualify-full', true],
      ['es-baja', true],
      ['en-human-please', false],
    ]);
    expect(summary).toMatchObject({ total: 3, passed: 2, failed: 1 });
  });
});
