import { describe, expect, it } from 'vitest';
import type { AgentProfile, ConversationLine, ToolSpec, TurnInput, TurnStep } from '../agent-model.ts';
import { TOOL_NAMES } from '../tool-names.ts';
import { PlaybookModel } from './playbook-model.ts';

// Monday 2 June 2025, 15:00 UTC: 12:00 in São Paulo, inside business hours.
const NOW = Date.parse('2025-06-02T15:00:00Z');

const profile: AgentProfile = {
  persona: 'Bia, simpática e objetiva',
  companyName: 'SolarSP',
  companyInfo: 'Energia solar residencial.',
  goal: 'qualify',
  fields: [
    {
      name: 'name',
      question: 'Qual é o seu nome?',
      questionByLanguage: { en: "What's your name?", es: '¿Cuál es tu nombre?' },
    },
    {
      name: 'monthly_bill',
      question: 'Quanto vem a sua conta de luz?',
      questionByLanguage: { en: 'How much is your power bill?' },
    },
  ],
  objectionNotes: '',
  languages: ['pt', 'es', 'en'],
  allowedTools: [],
  maxTurns: 10,
  maxCostUsd: 1,
  businessHours: { timeZone: 'America/Sao_Paulo', days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' },
};

const allTools: ToolSpec[] = TOOL_NAMES.map((name) => ({
  name,
  description: name,
  parameters: { type: 'object' },
}));

/** A turn: `earlier` lines alternate customer / agent, then the new customer messages. */
function turn(
  messages: string[],
  options: { earlier?: Array<[ConversationLine['speaker'], string]> } & Partial<TurnInput> = {},
): TurnInput {
  const { earlier = [], ...overrides } = options;
  const newMessages = messages.map((text, index) => ({
    speaker: 'customer' as const,
    text,
    at: NOW + index,
  }));
  return {
    profile,
    summary: null,
    history: [
      ...earlier.map(([speaker, text], index) => ({ speaker, text, at: NOW - 60_000 + index })),
      ...newMessages,
    ],
    newMessages,
    leadFields: {},
    knowledge: [],
    tools: allTools,
    customerName: null,
    now: NOW,
    customerTimeZone: 'America/Sao_Paulo',
    ...overrides,
  };
}

const step = (input: TurnInput): Promise<TurnStep> => new PlaybookModel().step(input, []);
const names = (result: TurnStep) => result.toolCalls.map((call) => call.name);

describe('PlaybookModel', () => {
  it('does the whole turn in the first step and nothing in the next, so the loop ends', async () => {
    const model = new PlaybookModel();
    const input = turn(['Quero falar com um atendente']);
    const first = await model.step(input, []);
    expect(names(first)).toEqual(['hand_off']);
    const second = await model.step(input, [
      {
        step: first,
        results: [
          { id: first.toolCalls[0]!.id, name: 'hand_off', result: { handedOff: true }, isError: false },
        ],
      },
    ]);
    expect(second).toEqual({
      replies: [],
      toolCalls: [],
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      model: 'playbook',
    });
  });

  it('is deterministic, with distinct call ids within a turn and across turns', async () => {
    const input = turn(['Oi, meu nome é Ana e quero saber mais']);
    const [first, again] = [await step(input), await step(input)];
    expect(again).toEqual(first);
    const ids = first.toolCalls.map((call) => call.id);
    expect(new Set(ids).size).toBe(ids.length);
    const later = await step({ ...input, now: NOW + 120_000 });
    expect(later.toolCalls[0]?.id).not.toBe(first.toolCalls[0]?.id);
  });

  it('introduces itself once and asks the first missing field', async () => {
    const first = await step(turn(['Oi']));
    expect(first.replies).toEqual(['Olá! Sou Bia da SolarSP.', 'Qual é o seu nome?']);
    const known = await step(
      turn(['Oi de novo'], { earlier: [['agent', 'Olá! Sou Bia da SolarSP.']], leadFields: { name: 'Ana' } }),
    );
    expect(known.replies).toEqual(['Olá, Ana!', 'Quanto vem a sua conta de luz?']);
  });

  it('takes a bare answer only for the field it asked', async () => {
    const asked = await step(
      turn(['450'], { earlier: [['agent', 'Quanto vem a sua conta de luz?']], leadFields: { name: 'Ana' } }),
    );
    expect(asked.toolCalls[0]).toMatchObject({
      name: 'record_lead_fields',
      arguments: { fields: { monthly_bill: '450' } },
    });
    const unasked = await step(turn(['450'], { earlier: [['agent', 'Olá!']] }));
    expect(names(unasked)).not.toContain('record_lead_fields');
  });

  it('recognises its question asked in another language after the customer switched', async () => {
    const result = await step(
      turn(['Carlos'], {
        earlier: [
          ['customer', 'Hola'],
          ['agent', '¿Cuál es tu nombre?'],
        ],
      }),
    );
    expect(result.toolCalls[0]).toMatchObject({
      name: 'record_lead_fields',
      arguments: { fields: { name: 'Carlos' } },
    });
    expect(result.replies[0]).toBe('Perfecto, Carlos, anotado.');
  });

  it('qualifies when the last field comes in, and not before', async () => {
    const result = await step(
      turn(['uns 300 reais'], {
        earlier: [['agent', 'Quanto vem a sua conta de luz?']],
        leadFields: { name: 'Ana' },
      }),
    );
    expect(result.toolCalls.map((call) => [call.name, call.arguments])).toEqual([
      ['record_lead_fields', { fields: { monthly_bill: '300 BRL' } }],
      ['set_outcome', { outcome: 'qualified' }],
    ]);
    const profileWithoutFields = { ...profile, fields: [] };
    const interested = await step(turn(['Sim, tenho interesse'], { profile: profileWithoutFields }));
    expect(interested.toolCalls.map((call) => call.arguments)).toEqual([{ outcome: 'qualified' }]);
  });

  it('answers in the language of the message when the profile speaks it, else in its first language', async () => {
    expect((await step(turn(['Hello there']))).replies[0]).toBe('Hi! I am Bia from SolarSP.');
    const portugueseOnly = { ...profile, languages: ['pt'] };
    expect((await step(turn(['Hello there'], { profile: portugueseOnly }))).replies[0]).toBe(
      'Olá! Sou Bia da SolarSP.',
    );
  });

  it('never states a price the knowledge does not give', async () => {
    const result = await step(turn(['Quanto custa o kit de 5 kWp?']));
    expect(result.replies.join(' ')).not.toMatch(/\d/);
    expect(result.replies.at(-1)).toMatch(/Não tenho esse preço/);
    const known = await step(
      turn(['Quanto custa o kit de 5 kWp?'], {
        knowledge: [{ documentId: 'p', title: 'Preços', text: 'O kit de 5 kWp custa R$ 18.900.', score: 1 }],
      }),
    );
    expect(known.replies).toContain('Isto é o que tenho: "O kit de 5 kWp custa R$ 18.900."');
  });

  it('hands off when the customer says yes to asking a colleague', async () => {
    const result = await step(
      turn(['Sim, por favor'], {
        earlier: [
          [
            'agent',
            'Não tenho esse preço aqui e prefiro não chutar. Quer que eu peça para um colega verificar?',
          ],
        ],
      }),
    );
    expect(names(result)).toEqual(['hand_off']);
  });

  it('tells the customer when colleagues are out of office', async () => {
    const saturday = Date.parse('2025-06-07T15:00:00Z');
    const result = await step(turn(['Quero falar com um atendente'], { now: saturday }));
    expect(result.replies[0]).toMatch(/fora do horário de atendimento/);
  });

  it('hands off with a summary at the turn limit', async () => {
    const earlier: Array<[ConversationLine['speaker'], string]> = [];
    for (let index = 0; index < 3; index += 1)
      earlier.push(['customer', 'hmm'], ['agent', 'Qual é o seu nome?']);
    const result = await step(
      turn(['Ana'], { earlier, profile: { ...profile, maxTurns: 3 }, leadFields: { city: 'Campinas' } }),
    );
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0]?.name).toBe('hand_off');
    const args = result.toolCalls[0]?.arguments as { reason: string; summary: string };
    expect(args.reason).toMatch(/turn limit/);
    expect(args.summary).toContain('city: Campinas');
    expect(args.summary).toContain('"Ana"');
  });

  it('calls only the tools the turn offers and the profile allows', async () => {
    const noHandOff = await step(
      turn(['Quero falar com um atendente'], { tools: allTools.filter((tool) => tool.name !== 'hand_off') }),
    );
    expect(names(noHandOff)).toEqual([]);
    expect(noHandOff.replies[0]).toMatch(/não consigo passar você para uma pessoa/);
    const onlyOptOut = await step(
      turn(['Não tenho interesse'], { profile: { ...profile, allowedTools: ['opt_out'] } }),
    );
    expect(names(onlyOptOut)).toEqual([]);
    expect(onlyOptOut.replies).toHaveLength(1);
    const none = await step(turn(['Oi, meu nome é Ana'], { tools: [] }));
    expect(none.toolCalls).toEqual([]);
    expect(none.replies.length).toBeGreaterThan(0);
  });

  it('answers nothing when there is no new message', async () => {
    expect(await step({ ...turn([]), newMessages: [] })).toMatchObject({ replies: [], toolCalls: [] });
  });

  // Issue 11, item 7: a callback time is the customer's, never a default the playbook makes up.
  it.each([
    ['me liga', 'Claro! Qual o melhor horário para ligarmos para você?'],
    ['call me', 'Sure! When is a good time to call you?'],
    ['llámame', '¡Claro! ¿Cuándo te viene bien que te llamemos?'],
    ['can someone call me?', 'Sure! When is a good time to call you?'],
    ['me liga amanhã', 'Claro! Em que horário podemos ligar para você?'],
    ['call me tomorrow', 'Sure! At what time should we call you?'],
    ['llámame mañana', '¡Claro! ¿A qué hora te llamamos?'],
  ])('asks for a time instead of booking one on %j', async (text, question) => {
    const result = await step(turn([text], { earlier: [['agent', 'Olá! Sou Bia da SolarSP.']] }));
    expect(names(result)).not.toContain('schedule_callback');
    expect(result.replies).toEqual([question]);
  });

  it('books the day the customer named at the hour they answer with', async () => {
    const result = await step(
      turn(['às 15h'], {
        earlier: [
          ['agent', 'Olá! Sou Bia da SolarSP.'],
          ['customer', 'me liga amanhã'],
          ['agent', 'Claro! Em que horário podemos ligar para você?'],
        ],
      }),
    );
    expect(result.toolCalls.find((call) => call.name === 'schedule_callback')?.arguments).toMatchObject({
      at: '2025-06-03T15:00:00-03:00',
    });
  });

  it('books a time the customer gave at once', async () => {
    const result = await step(turn(['call me tomorrow at 4pm'], { earlier: [['agent', 'Hi! I am Bia.']] }));
    expect(result.toolCalls.find((call) => call.name === 'schedule_callback')?.arguments).toMatchObject({
      at: '2025-06-03T16:00:00-03:00',
    });
  });
});
