import type { AgentModel, ToolResult, TurnInput, TurnStep } from '../../src/agent/agent-model.ts';

type Decide = (
  input: TurnInput,
  previous: Array<{ step: TurnStep; results: ToolResult[] }>,
) => Omit<TurnStep, 'usage' | 'model'> & Partial<Pick<TurnStep, 'usage' | 'model'>>;

/**
 * A test double of the model port: it answers with `decide` and keeps every input it was given, so tests
 * can assert on exactly what reached the model (and in which field).
 */
export class RecordingModel implements AgentModel {
  readonly name = 'test-double';
  readonly inputs: TurnInput[] = [];
  decide: Decide;
  /** Milliseconds each step takes (to make turns overlap if they could). */
  delayMs = 0;
  active = 0;
  maxActive = 0;
  failNext = 0;

  constructor(decide: Decide) {
    this.decide = decide;
  }

  async step(
    input: TurnInput,
    previous: Array<{ step: TurnStep; results: ToolResult[] }>,
  ): Promise<TurnStep> {
    this.inputs.push(structuredClone(input));
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (this.failNext > 0) {
        this.failNext -= 1;
        throw new Error('model unavailable (test) for +5511987650000');
      }
      const step = this.decide(input, previous);
      return {
        usage: { inputTokens: 120, outputTokens: 30, costUsd: 0.01 },
        model: 'test-double',
        ...step,
      };
    } finally {
      this.active -= 1;
    }
  }
}

let callId = 0;
export const call = (name: string, args: unknown) => ({ id: `call_${++callId}`, name, arguments: args });

/**
 * A tiny scripted sales agent: it asks the profile's fields one by one, records each answer, and sets the
 * outcome to qualified when it has them all; "human" hands off. After tools it says nothing more.
 */
export function qualifyingAgent(): Decide {
  return (input, previous) => {
    if (previous.length > 0) return { replies: [], toolCalls: [] };
    const text = input.newMessages.map((line) => line.text).join(' ');
    if (/human|person/i.test(text)) {
      return {
        replies: ['Of course, a colleague will write to you shortly.'],
        toolCalls: [call('hand_off', { reason: 'customer asked for a human', summary: 'wants a person' })],
      };
    }
    const fields = input.profile.fields;
    const pending = fields.filter((field) => !(field.name in input.leadFields));
    const lastAgentLine = [...input.history].reverse().find((line) => line.speaker === 'agent');
    const asked = pending.find((field) => field.question === lastAgentLine?.text);
    if (!asked) {
      const next = pending[0];
      return {
        replies: next ? [`Hi! I'm ${input.profile.persona}.`, next.question] : ['Hello again!'],
        toolCalls: [],
      };
    }
    const rest = pending.filter((field) => field !== asked);
    const toolCalls = [call('record_lead_fields', { fields: { [asked.name]: text } })];
    if (rest.length === 0) toolCalls.push(call('set_outcome', { outcome: 'qualified' }));
    return {
      replies:
        rest.length > 0
          ? ['Thanks!', rest[0]!.question]
          : ['Perfect, thank you! A specialist will call you.'],
      toolCalls,
    };
  };
}
