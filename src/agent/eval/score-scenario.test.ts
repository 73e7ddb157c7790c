import { describe, expect, it } from 'vitest';
import { agentProfileSchema } from '../agent-profile-schema.ts';
import { emptyConversationState } from './eval-tool-environment.ts';
import type { Scenario, ScenarioExpectations } from './scenario.ts';
import { type ScenarioRun, scoreScenario, toPattern } from './score-scenario.ts';

function scenarioExpecting(expect: ScenarioExpectations): Scenario {
  return {
    name: 'unit',
    description: null,
    language: 'en',
    category: null,
    file: null,
    profile: agentProfileSchema.parse({ companyName: 'Acme' }),
    knowledge: [],
    customerName: null,
    customerTimeZone: null,
    now: 0,
    leadFields: {},
    turns: [['hi']],
    expect,
  };
}

const run: ScenarioRun = {
  turns: [
    {
      replies: ['Hi! The Pro plan costs US$ 49.', 'What is your name?'],
      toolCalls: [
        { name: 'record_lead_fields', arguments: { fields: { name: 'Ana' } }, result: {}, isError: false },
        {
          name: 'schedule_callback',
          arguments: { at: 'tomorrow' },
          result: { error: 'invalid' },
          isError: true,
        },
        { name: 'set_outcome', arguments: { outcome: 'interested' }, result: {}, isError: false },
      ],
      hitStepLimit: false,
    },
  ],
  state: { ...emptyConversationState({ name: 'Ana Souza' }), outcome: 'interested' },
  error: null,
};

const verdicts = (expect: ScenarioExpectations, actual: ScenarioRun = run) =>
  Object.fromEntries(
    scoreScenario(scenarioExpecting(expect), actual).map((check) => [check.name, check.isPassed]),
  );

describe('toPattern', () => {
  it('reads "/source/flags" as a regular expression and anything else as the fallback', () => {
    expect(toPattern('/^ana/i', 'exact').test('Ana Souza')).toBe(true);
    expect(toPattern('ana souza', 'exact').test(' Ana Souza ')).toBe(true);
    expect(toPattern('ana', 'exact').test('Ana Souza')).toBe(false);
    expect(toPattern('a.a', 'exact').test('aXa')).toBe(false);
    expect(toPattern('pro plan', 'regex').test('The Pro plan')).toBe(true);
  });
});

describe('scoreScenario', () => {
  it('passes what the run shows', () => {
    expect(
      verdicts({
        outcome: 'interested',
        fields: { name: '/^ana/i' },
        toolCalls: ['record_lead_fields', 'set_outcome'],
        forbiddenToolCalls: ['opt_out'],
        toolArguments: [{ tool: 'record_lead_fields', path: 'fields.name', value: 'ana' }],
        replyMustMatch: ['\\$\\s?49'],
        replyMustNotMatch: ['90\\s?%'],
      }),
    ).toEqual({
      completes: true,
      outcome: true,
      'field name': true,
      'calls record_lead_fields': true,
      'calls set_outcome': true,
      'never calls opt_out': true,
      'argument record_lead_fields.fields.name': true,
      'a reply matches /\\$\\s?49/iu': true,
      'no reply matches /90\\s?%/iu': true,
    });
  });

  it('fails each expectation the run does not meet', () => {
    expect(
      verdicts({
        outcome: 'qualified',
        fields: { name: 'Ana', email: '/@/' },
        toolCalls: ['schedule_callback', 'hand_off'],
        forbiddenToolCalls: ['set_outcome'],
        toolArguments: [{ tool: 'schedule_callback', path: 'at', value: 'tomorrow' }],
        replyMustMatch: ['goodbye'],
        replyMustNotMatch: ['/pro PLAN/i'],
      }),
    ).toEqual({
      completes: true,
      outcome: false,
      'field name': false,
      'field email': false,
      // A call that the tool refused does not count as made.
      'calls schedule_callback': false,
      'calls hand_off': false,
      'never calls set_outcome': false,
      'argument schedule_callback.at': false,
      'a reply matches /goodbye/iu': false,
      'no reply matches /pro PLAN/i': false,
    });
  });

  it('expects no outcome when the scenario says null', () => {
    expect(verdicts({ outcome: null }).outcome).toBe(false);
    expect(verdicts({ outcome: null }, { ...run, state: emptyConversationState() }).outcome).toBe(true);
  });

  it('fails a run that errored or hit the step limit', () => {
    expect(verdicts({}, { ...run, error: 'ModelError: down' }).completes).toBe(false);
    expect(verdicts({}, { ...run, turns: [{ ...run.turns[0]!, hitStepLimit: true }] }).completes).toBe(false);
  });
});
