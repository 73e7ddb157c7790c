import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createModel } from '../../src/agent/models/create-model.ts';
import {
  type FakeOpenAiServer,
  type FakeReply,
  startFakeOpenAiServer,
} from '../../src/agent/models/fake-openai-server.ts';
import { SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { testDatabases } from '../support/databases.ts';
import { startAgentCoxcox } from './agent-harness.ts';

const databases = await testDatabases();

const profile = {
  companyName: 'Sol Energia',
  persona: 'Ana, da Sol Energia',
  goal: 'qualify',
  languages: ['pt', 'en', 'es'],
  fields: [
    {
      name: 'city',
      question: 'Which city are you in?',
      questionByLanguage: { pt: 'Em qual cidade você mora?', es: '¿En qué ciudad vives?' },
    },
    {
      name: 'bill',
      question: 'How much is your monthly power bill?',
      questionByLanguage: {
        pt: 'Quanto vem a sua conta de luz por mês?',
        es: '¿Cuánto pagas de luz al mes?',
      },
    },
  ],
};

/** What the offline playbook asks first, in the customer's language. */
const CITY_QUESTION = { pt: 'Em qual cidade você mora?', en: 'Which city are you in?' };

/** Retried answers come back at once: the SDK honours retry-after-ms, so no test waits for its backoff. */
const NOW = { 'retry-after-ms': '0' };

/** Tool markup as some models write it instead of calling the tool. */
const toolCallText = (name: string, args: unknown) =>
  `<tool_call>\n${JSON.stringify({ name, arguments: args })}\n</tool_call>`;

/**
 * Issue 13: every way an OpenAI-compatible model fails, played against the fake server through the real AI
 * SDK adapter. In each, the customer gets the offline playbook's answer in their language, within the
 * turn's bound, and the conversation is flagged with the reason.
 */
describe.each(databases)('a failing agent model, on $name', (database) => {
  let harness: Awaited<ReturnType<typeof startAgentCoxcox>>;
  let server: FakeOpenAiServer;
  /** The model's deadline for the next turns: the real 20 s timer, or one the test aborts itself. */
  let deadline: (ms: number) => AbortSignal = (ms) => AbortSignal.timeout(ms);
  let customerNumber = 5511900013000;

  beforeAll(async () => {
    server = await startFakeOpenAiServer();
    harness = await startAgentCoxcox(database, null, {
      // The production adapter (retries included), pointed at the fake server.
      modelFor: () =>
        createModel({
          provider: 'openai-compatible',
          baseUrl: server.baseUrl,
          apiKey: 'sk-test',
          model: 'fake-model',
        }),
      agentRunner: { deadlineSignal: (ms) => deadline(ms) },
    });
    const saved = await harness.api('PUT', `/api/v1/agent/profile?tenantId=${SANDBOX_TENANT_ID}`, {
      profile,
    });
    expect(saved.statusCode).toBe(200);
  });
  afterAll(async () => {
    await harness?.coxcox.dispose();
    await server?.close();
  });
  beforeEach(() => {
    deadline = (ms) => AbortSignal.timeout(ms);
    server.respondWith(() => ({ error: { status: 500, message: 'no reply scripted' }, headers: NOW }));
  });

  /** A new customer writes once; the turn runs. Returns what they received and the recorded turn. */
  const play = async (text: string) => {
    customerNumber += 1;
    const customer = String(customerNumber);
    await harness.customerWrites(customer, text, { name: 'Maria' });
    const started = performance.now();
    await harness.runTurns();
    const elapsedMs = performance.now() - started;
    await harness.sendAll();
    const conversation = await harness.conversationOf(customer);
    const turns = (await harness.api('GET', `/api/v1/conversations/${conversation.id}/turns`)).json()
      .data as Array<{ status: string; reason: string | null; replies: string[] }>;
    return { received: harness.textsTo(customer), conversation, turns, elapsedMs };
  };

  /** The playbook answered in Portuguese, within the 20 s bound, and the conversation waits for a person. */
  const expectPlaybookAnswer = (
    outcome: Awaited<ReturnType<typeof play>>,
    reason: string,
    language: keyof typeof CITY_QUESTION = 'pt',
  ) => {
    expect(outcome.received).toContain(CITY_QUESTION[language]);
    expect(outcome.received.length).toBeLessThanOrEqual(3);
    expect(outcome.elapsedMs).toBeLessThan(20_000);
    expect(outcome.conversation.needs_attention).toBe(1);
    expect(outcome.turns).toHaveLength(1);
    expect(outcome.turns[0]).toMatchObject({ status: 'replied', reason: `model-failed: ${reason}` });
    for (const text of outcome.received) expect(text).not.toMatch(/[{}<>]|tool_call|step \d/);
  };

  const always = (reply: FakeReply) => server.respondWith(() => reply);

  it('answers with the playbook when the model answers HTTP 500, after the retries', async () => {
    always({
      error: { status: 500, message: 'The server had an error', type: 'server_error' },
      headers: NOW,
    });
    const before = server.requests.length;
    expectPlaybookAnswer(await play('Oi, tenho interesse em energia solar'), 'http 500');
    // The adapter's own retries (2) ran first, inside the bound.
    expect(server.requests.length - before).toBe(3);
  });

  it('answers with the playbook when the model answers HTTP 429', async () => {
    always({
      error: { status: 429, message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' },
      headers: NOW,
    });
    expectPlaybookAnswer(await play('Oi, tenho interesse em energia solar'), 'http 429');
  });

  it('answers with the playbook when the key is refused (HTTP 401), in English for an English customer', async () => {
    always({
      error: { status: 401, message: 'Incorrect API key provided.', code: 'invalid_api_key' },
    });
    expectPlaybookAnswer(await play('Hi, I am interested in solar panels'), 'http 401', 'en');
  });

  it('answers with the playbook when the model hangs past the deadline', async () => {
    const controller = new AbortController();
    deadline = () => controller.signal;
    // The request arrives and is never answered; the turn's deadline passes while it hangs.
    server.respondWith(() => {
      controller.abort(new DOMException('the deadline passed', 'TimeoutError'));
      return new Promise<FakeReply>(() => {});
    });
    expectPlaybookAnswer(await play('Oi, tenho interesse em energia solar'), 'timeout');
  });

  it('answers with the playbook when an HTML page comes back instead of a completion', async () => {
    always({
      raw: { status: 200, body: '<!doctype html><html><body><h1>Sign in to the proxy</h1></body></html>' },
    });
    expectPlaybookAnswer(await play('Oi, tenho interesse em energia solar'), 'invalid response');
  });

  it('answers with the playbook when a gateway answers an HTML error page', async () => {
    always({ raw: { status: 502, body: '<html><body>502 Bad Gateway</body></html>' }, headers: NOW });
    expectPlaybookAnswer(await play('Oi, tenho interesse em energia solar'), 'http 502');
  });

  it('answers with the playbook when the completion is empty', async () => {
    always({ text: '' });
    expectPlaybookAnswer(await play('Oi, tenho interesse em energia solar'), 'empty answer');
  });

  it('answers with the playbook when every step is a malformed tool call', async () => {
    always({ toolCalls: [{ name: 'record_lead_fields', arguments: '{"fields": {"city": ' }] });
    expectPlaybookAnswer(await play('Oi, tenho interesse em energia solar'), 'step limit');
  });

  it('never sends tool markup written as text that cannot run, and answers with the playbook', async () => {
    always({ text: '<tool_call>\n{"name": "record_lead_fields", "arguments": {"fields": \n</tool_call>' });
    expectPlaybookAnswer(await play('Oi, tenho interesse em energia solar'), 'unreadable tool markup');
  });

  it('never sends a tool call written as a bare JSON object of a tool it does not have', async () => {
    always({ text: '{"name": "transfer_money", "arguments": {"amount": 1000}}' });
    expectPlaybookAnswer(await play('Oi, tenho interesse em energia solar'), 'unreadable tool markup');
  });

  it('runs a well-formed tool call written as text, and sends only the reply', async () => {
    server.enqueue(
      { text: toolCallText('record_lead_fields', { fields: { city: 'Campinas' } }) },
      { text: 'Anotado! Quanto vem a sua conta de luz por mês?' },
    );
    const outcome = await play('Moro em Campinas e tenho interesse');
    expect(outcome.received).toEqual(['Anotado! Quanto vem a sua conta de luz por mês?']);
    expect(JSON.parse(outcome.conversation.lead_fields ?? '{}')).toMatchObject({ city: 'Campinas' });
    expect(outcome.conversation.needs_attention).toBe(0);
    // The model saw its call answered as a real tool call.
    const followUp = server.requests.at(-1)!;
    expect(followUp.messages.some((message) => message.role === 'tool')).toBe(true);
  });

  it('never sends the system prompt the model repeats', async () => {
    server.respondWith((request) => ({ text: `Sure! My instructions:\n\n${request.systemPrompt}` }));
    expectPlaybookAnswer(await play('Oi, tenho interesse em energia solar'), 'system prompt');
  });

  it('answers with the playbook, not six progress bubbles, when the model loops on tools', async () => {
    let step = 0;
    server.respondWith(() => {
      step += 1;
      return {
        text: `Um momento (step ${step})`,
        toolCalls: [{ name: 'set_outcome', arguments: { outcome: 'interested' } }],
      };
    });
    expectPlaybookAnswer(await play('Oi, tenho interesse em energia solar'), 'step limit');
  });

  it('sends one progress bubble a turn, and the answer, when the model takes several tool steps', async () => {
    let step = 0;
    server.respondWith(() => {
      step += 1;
      return step < 4
        ? {
            text: `One moment (step ${step})`,
            toolCalls: [{ name: 'set_outcome', arguments: { outcome: 'interested' } }],
          }
        : { text: 'Great! Which city are you in?' };
    });
    const outcome = await play('Hi, I am interested in solar panels');
    expect(outcome.received).toEqual(['One moment (step 1)', 'Great! Which city are you in?']);
    expect(outcome.conversation.needs_attention).toBe(0);
  });

  it('flags a turn that leaves the customer without a word, even when nothing failed', async () => {
    server.enqueue(
      { toolCalls: [{ name: 'end_conversation', arguments: { reason: 'not a lead' } }] },
      { text: '' },
    );
    const outcome = await play('Hi, I am interested in solar panels');
    expect(outcome.received).toEqual([]);
    expect(outcome.turns[0]).toMatchObject({ status: 'silent', reason: 'silent-turn' });
    expect(outcome.conversation.needs_attention).toBe(1);
  });

  it('sends three messages a turn at most', async () => {
    always({ text: ['One.', 'Two.', 'Three.', 'Four.', 'Five.'].join('\n\n') });
    const outcome = await play('Hi, I am interested in solar panels');
    expect(outcome.received).toEqual(['One.', 'Two.', 'Three.']);
  });
});

/** The deadline comes from the configuration (AGENT_MODEL_DEADLINE_MS), on a real timer. */
describe.each(databases)('the configured model deadline, on $name', (database) => {
  let harness: Awaited<ReturnType<typeof startAgentCoxcox>>;
  let server: FakeOpenAiServer;

  beforeAll(async () => {
    server = await startFakeOpenAiServer({ responder: () => new Promise<FakeReply>(() => {}) });
    harness = await startAgentCoxcox(database, null, {
      env: { AGENT_MODEL_DEADLINE_MS: '300' },
      modelFor: () =>
        createModel({ provider: 'openai-compatible', baseUrl: server.baseUrl, model: 'fake-model' }),
    });
    const saved = await harness.api('PUT', `/api/v1/agent/profile?tenantId=${SANDBOX_TENANT_ID}`, {
      profile,
    });
    expect(saved.statusCode).toBe(200);
  });
  afterAll(async () => {
    await harness?.coxcox.dispose();
    await server?.close();
  });

  it('answers a customer whose model hangs once the configured bound has passed', async () => {
    const customer = '5511900013999';
    await harness.customerWrites(customer, 'Oi, tenho interesse em energia solar');
    const started = performance.now();
    await harness.runTurns();
    const elapsedMs = performance.now() - started;
    await harness.sendAll();
    expect(harness.textsTo(customer)).toContain(CITY_QUESTION.pt);
    expect(elapsedMs).toBeGreaterThanOrEqual(250);
    // Far inside the adapter's own 60 s timeout and the step's 45 s: the configured 300 ms cut it.
    expect(elapsedMs).toBeLessThan(15_000);
    expect((await harness.conversationOf(customer)).needs_attention).toBe(1);
  });
});
