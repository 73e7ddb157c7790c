import type { ToolCall, TurnInput, TurnStep } from '../agent-model.ts';
import { isWithinBusinessHours } from '../business-hours.ts';
import type { ToolName } from '../tool-names.ts';
import { extractField, fieldKind } from './extract-field.ts';
import { findAnswer } from './find-answer.ts';
import { type Intent, matchIntent } from './match-intent.ts';
import { namesDayWithoutTime, parseCallbackTime } from './parse-callback-time.ts';
import { localeOf, type PhraseKey, phrase, saidPhrase } from './playbook-phrases.ts';
import { type ConversationFacts, readConversation } from './read-conversation.ts';

export interface PlanOptions {
  /** Replies in a row that may end in "sorry, I did not get that" before a human takes over. */
  maxClarifications: number;
}

/** Intents that make a message about something other than the question the agent asked. */
const OFF_QUESTION: readonly Intent[] = [
  'opt_out',
  'human',
  'not_interested',
  'callback',
  'price',
  'injection',
];

const SUMMARY_QUOTE_LENGTH = 300;

/** Collects one step: the bubbles to send and the tool calls, only for the tools this turn offers. */
class StepBuilder {
  readonly replies: string[] = [];
  readonly toolCalls: ToolCall[] = [];
  readonly #available: Set<string>;
  readonly #idPrefix: string;

  constructor(input: TurnInput) {
    const allowed = input.profile.allowedTools;
    this.#available = new Set(
      input.tools.map((tool) => tool.name).filter((name) => allowed.length === 0 || allowed.includes(name)),
    );
    // Ids only need to be unique within the turn; `now` keeps them distinct across turns without randomness.
    this.#idPrefix = `playbook-${input.now.toString(36)}`;
  }

  canCall(name: ToolName): boolean {
    return this.#available.has(name);
  }

  call(name: ToolName, args: Record<string, unknown>): boolean {
    if (!this.canCall(name)) return false;
    this.toolCalls.push({ id: `${this.#idPrefix}-${this.toolCalls.length + 1}`, name, arguments: args });
    return true;
  }

  reply(text: string): void {
    if (text.length > 0) this.replies.push(text);
  }

  build(): TurnStep {
    return {
      replies: this.replies,
      toolCalls: this.toolCalls,
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      model: 'playbook',
    };
  }
}

/**
 * The offline playbook's whole turn, decided in one step from the turn input alone: stop requests, a human,
 * the turn limit, "not interested", call-me-later, then the profile's fields in order, answering price and
 * fact questions only from the knowledge passages. Pure: the same input gives the same step.
 */
export function planTurn(input: TurnInput, options: PlanOptions): TurnStep {
  const step = new StepBuilder(input);
  const texts = input.newMessages.map((message) => message.text.trim()).filter((text) => text.length > 0);
  if (texts.length === 0) return step.build();

  const { profile } = input;
  const facts = readConversation(input);
  const joined = texts.join('\n');
  const intent = matchIntent(joined);
  const has = (name: Intent): boolean => intent.all.includes(name);
  let firstName = facts.firstName;
  const say = (key: PhraseKey, values: Record<string, string> = {}, variant = 0): string =>
    phrase(
      key,
      facts.language,
      {
        name: firstName ? `, ${firstName}` : '',
        company: profile.companyName,
        agent: facts.agentName ?? '',
        ...values,
      },
      variant,
    );
  const handOff = (reason: string, key: PhraseKey): TurnStep => {
    step.call('hand_off', { reason, summary: summarize(input, facts, reason, joined) });
    step.reply(say(key));
    return step.build();
  };

  // A stop request is honoured before anything else, with one short confirmation.
  if (intent.primary === 'opt_out') {
    step.call('opt_out', { scope: 'all', reason: 'the customer asked to stop receiving messages' });
    step.reply(say('optOut'));
    return step.build();
  }
  if (has('human')) {
    if (!step.canCall('hand_off')) {
      // The profile keeps this agent from handing off: say so rather than promise a person.
      step.reply(say('noHandOff'));
      const next = facts.missingFields[0];
      if (next) step.reply(questionFor(next, facts.language));
      return step.build();
    }
    const isOpen = isWithinBusinessHours(profile.businessHours, input.now);
    return handOff('the customer asked to talk to a person', isOpen ? 'handOff' : 'handOffClosed');
  }
  if (profile.maxTurns > 0 && facts.repliedTurns >= profile.maxTurns && step.canCall('hand_off')) {
    return handOff(`the conversation reached the turn limit (${profile.maxTurns} replies)`, 'handOffStuck');
  }
  if (intent.primary === 'not_interested') {
    step.call('set_outcome', { outcome: 'not_interested' });
    step.reply(say('notInterested'));
    step.call('end_conversation', { reason: 'the customer is not interested' });
    return step.build();
  }

  // Call me later: book it when a time was given (now, or in answer to "when is a good time?"), else ask.
  // Never a time the customer did not say: "call me tomorrow" is answered with "at what time?", and the
  // day they named is read again with their answer.
  const wasAskedForHour = saidPhrase(facts.lastReply, 'askCallbackHour');
  const wasAskedForTime =
    wasAskedForHour ||
    saidPhrase(facts.lastReply, 'askCallbackTime') ||
    saidPhrase(facts.lastReply, 'nextBook');
  if (has('callback') || wasAskedForTime) {
    const said = wasAskedForHour ? `${facts.lastCustomerText}\n${joined}` : joined;
    const time = parseCallbackTime(said, input.now, facts.timeZone);
    if (time && step.canCall('schedule_callback')) {
      step.call('schedule_callback', {
        at: time.at,
        timeZone: time.timeZone,
        note: 'the customer asked to be called back',
      });
      step.call('set_outcome', { outcome: 'callback' });
      step.reply(say('callbackBooked', { when: describeTime(time.epochMs, facts) }));
      return step.build();
    }
    if (has('callback') || (wasAskedForTime && namesDayWithoutTime(said, input.now, facts.timeZone))) {
      step.reply(
        say(namesDayWithoutTime(said, input.now, facts.timeZone) ? 'askCallbackHour' : 'askCallbackTime'),
      );
      return step.build();
    }
  }

  // "Yes" to "do you want me to ask a colleague?" is a hand-off with the open question in the summary.
  const offeredColleague =
    saidPhrase(facts.lastReply, 'priceUnknown') || saidPhrase(facts.lastReply, 'factUnknown');
  if (offeredColleague && has('interested') && step.canCall('hand_off')) {
    return handOff('the customer wants an answer that is not in the knowledge base', 'handOff');
  }

  const extracted = extractFields(texts, facts, input);
  // A name given just now is used at once: "Got it, Carlos".
  const nameField = profile.fields.find((field) => fieldKind(field) === 'name');
  const newName = nameField ? extracted[nameField.name]?.split(/\s+/)[0] : undefined;
  if (newName) firstName = newName;
  const isExtracted = Object.keys(extracted).length > 0;
  if (isExtracted) step.call('record_lead_fields', { fields: extracted });
  const stillMissing = facts.missingFields.filter((field) => !extracted[field.name]);

  if (!facts.hasIntroduced) step.reply(say(facts.agentName ? 'intro' : 'introNoAgent'));
  else if (intent.primary === 'greeting' && !isExtracted) step.reply(say('hello'));

  const knownBefore = profile.fields.length - facts.missingFields.length;
  if (isExtracted && stillMissing.length > 0) step.reply(say('gotIt', {}, knownBefore));

  // Prices and facts come from the knowledge passages, quoted; without one, say so and offer a colleague.
  const isPriceQuestion = has('price');
  const isFactQuestion = has('question') && !isExtracted;
  if (isPriceQuestion || isFactQuestion) {
    // Only the messages that ask: a name or an email sent in the same burst is not part of the question.
    const asking = texts.filter((text) =>
      matchIntent(text).all.some((found) => found === 'price' || found === 'question'),
    );
    const answer = findAnswer(asking.join('\n') || joined, input.knowledge, { isPriceQuestion });
    if (answer) {
      step.reply(say('knowledgeQuote', { sentence: answer.sentence }));
    } else if (isPriceQuestion || facts.hasIntroduced) {
      step.reply(say(isPriceQuestion ? 'priceUnknown' : 'factUnknown'));
      return step.build();
    }
    // "Hi, who is this?" on first contact: the introduction is the answer.
  }

  const isUnderstood = isExtracted || intent.all.some((found) => found !== 'injection');
  if (!isUnderstood) {
    if (facts.clarificationsInARow >= options.maxClarifications && step.canCall('hand_off')) {
      return handOff('the agent could not understand the customer several times in a row', 'handOffStuck');
    }
    step.reply(say('clarify'));
  }

  const isNewlyQualified =
    stillMissing.length === 0 && (isExtracted || (profile.fields.length === 0 && has('interested')));
  if (isNewlyQualified) {
    step.call('set_outcome', { outcome: 'qualified' });
    step.reply(say('qualified'));
    step.reply(
      say(profile.goal === 'book' ? 'nextBook' : profile.goal === 'sell' ? 'nextSell' : 'nextQualify'),
    );
    return step.build();
  }
  if (has('interested') && stillMissing.length > 0) {
    step.call('set_outcome', { outcome: 'interested' });
    if (!isExtracted && step.replies.length === 0) step.reply(say('great'));
  }

  const next = stillMissing[0];
  if (next) {
    if (has('thanks') && !isExtracted && step.replies.length === 0) step.reply(say('welcome'));
    step.reply(questionFor(next, facts.language));
  } else if (step.replies.length === 0) {
    step.reply(has('thanks') ? say('welcome') : say('allSet'));
  }
  return step.build();
}

/**
 * The lead fields the new messages answer. The field the agent asked is open until answered, so a bare
 * "Carlos" fills the name; unasked fields take only what cannot be mistaken (an email, "my name is …").
 */
function extractFields(texts: string[], facts: ConversationFacts, input: TurnInput): Record<string, string> {
  const extracted: Record<string, string> = {};
  let open = facts.askedField;
  for (const text of texts) {
    const intents = matchIntent(text).all;
    const isOffQuestion = intents.some((found) => OFF_QUESTION.includes(found));
    // "Can we go on in English? We are 8 people" still answers "how many?"; a question is no free-text answer.
    const isQuestion = intents.includes('question');
    for (const field of facts.missingFields) {
      if (extracted[field.name] !== undefined) continue;
      const isFreeText = fieldKind(field) === 'text' || fieldKind(field) === 'date';
      const wasAsked = field === open && !isOffQuestion && !(isQuestion && isFreeText);
      const value = extractField(field, text, { now: input.now, timeZone: facts.timeZone, wasAsked });
      if (value === null) continue;
      extracted[field.name] = value;
      if (field === open) open = null;
    }
  }
  return extracted;
}

/** The field's question in the reply language: its translation, else the profile's own wording. */
function questionFor(field: TurnInput['profile']['fields'][number], language: string): string {
  return field.questionByLanguage?.[language] ?? field.question;
}

/** "Tuesday, June 3 at 15:00" in the customer's language and zone. */
function describeTime(epochMs: number, facts: ConversationFacts): string {
  return new Intl.DateTimeFormat(localeOf(facts.language), {
    timeZone: facts.timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(epochMs);
}

/** What a colleague taking over needs: why, in which language, what is known, and the last words. */
function summarize(input: TurnInput, facts: ConversationFacts, reason: string, lastMessage: string): string {
  const known = Object.entries(input.leadFields)
    .map(([name, value]) => `${name}: ${value}`)
    .join('; ');
  const quote =
    lastMessage.length > SUMMARY_QUOTE_LENGTH
      ? `${lastMessage.slice(0, SUMMARY_QUOTE_LENGTH)}…`
      : lastMessage;
  return [
    `Hand-off: ${reason}.`,
    `Language: ${facts.language}.`,
    `Lead fields: ${known || 'none yet'}.`,
    input.summary ? `Earlier: ${input.summary.slice(0, SUMMARY_QUOTE_LENGTH)}` : null,
    `Last customer message: "${quote}"`,
  ]
    .filter((line) => line !== null)
    .join('\n');
}
