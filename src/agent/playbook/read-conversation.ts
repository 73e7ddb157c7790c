import type { AgentProfile, TurnInput } from '../agent-model.ts';
import { chooseReplyLanguage } from './detect-language.ts';
import { fieldKind } from './extract-field.ts';
import { saidPhrase } from './playbook-phrases.ts';

type Field = AgentProfile['fields'][number];

/** Where a conversation stands, as far as the playbook can tell from the turn input alone. */
export interface ConversationFacts {
  /** The language to answer in (see chooseReplyLanguage). */
  language: string;
  /** The customer's zone, else the business's, else UTC: "tomorrow at 3" is read in it. */
  timeZone: string;
  /** The first name to address the customer by, if known. */
  firstName: string | null;
  /** The agent's own name, when the persona starts with one ("Ana, friendly and brief"). */
  agentName: string | null;
  /** Whether anyone on the business side has written yet (no second introduction). */
  hasIntroduced: boolean;
  /** The agent's last reply, all its bubbles; empty when there is none. */
  lastReply: string;
  /** The customer's words just before the agent's last reply ("call me tomorrow" before "at what time?"). */
  lastCustomerText: string;
  /** Agent replies so far (a reply of several bubbles counts once). */
  repliedTurns: number;
  /** How many replies in a row ended in "sorry, I did not get that". */
  clarificationsInARow: number;
  /** Profile fields with no value yet, in profile order. */
  missingFields: Field[];
  /** The missing field the last reply asked for, if any. */
  askedField: Field | null;
}

/** Every wording of a field's question, so that a question asked in Spanish is recognised after a switch. */
export function questionVariants(field: Field): string[] {
  return [field.question, ...Object.values(field.questionByLanguage ?? {})];
}

/** The persona's first word when it is a name followed by a comma: "Ana, friendly and brief". */
function agentNameOf(persona: string): string | null {
  const head = persona.split(',')[0]?.trim() ?? '';
  return /^\p{Lu}\p{Ll}+$/u.test(head) && !['The', 'An', 'You'].includes(head) ? head : null;
}

function firstNameOf(input: TurnInput): string | null {
  const nameField = input.profile.fields.find((field) => fieldKind(field) === 'name');
  const known = nameField ? input.leadFields[nameField.name] : undefined;
  const candidates = [known, input.customerName ?? undefined];
  for (const candidate of candidates) {
    const first = candidate?.trim().split(/\s+/)[0];
    if (first && /^\p{L}{2,}$/u.test(first)) return first;
  }
  return null;
}

/**
 * Reads the history (oldest first, ending with the customer's new messages) into the few facts the playbook
 * decides on. Replies are told apart by the customer lines between them.
 */
export function readConversation(input: TurnInput): ConversationFacts {
  const { history, profile } = input;
  // The customer lines at the end are this turn's (and any burst the agent has not answered yet).
  let end = history.length;
  while (end > 0 && history[end - 1]?.speaker === 'customer') end -= 1;
  const answered = history.slice(0, end);

  const replies: string[] = [];
  let current: string[] = [];
  let previousSpeaker: string | null = null;
  for (const line of answered) {
    if (line.speaker === 'agent') {
      if (previousSpeaker !== 'agent') {
        if (current.length > 0) replies.push(current.join('\n'));
        current = [];
      }
      current.push(line.text);
    }
    previousSpeaker = line.speaker;
  }
  if (current.length > 0) replies.push(current.join('\n'));
  const lastReply = previousSpeakerIsAgent(answered) ? (replies.at(-1) ?? '') : '';

  let clarificationsInARow = 0;
  for (const reply of [...replies].reverse()) {
    if (!saidPhrase(reply, 'clarify')) break;
    clarificationsInARow += 1;
  }

  const customerTexts = history.filter((line) => line.speaker === 'customer').map((line) => line.text);
  const newTexts = input.newMessages.map((message) => message.text);
  const earlier = customerTexts.slice(0, Math.max(0, customerTexts.length - newTexts.length));
  const missingFields = profile.fields.filter((field) => !input.leadFields[field.name]);
  const askedField =
    missingFields.find((field) => questionVariants(field).some((question) => lastReply.includes(question))) ??
    null;

  return {
    language: chooseReplyLanguage({ current: newTexts.join('\n'), earlier }, profile.languages),
    timeZone: input.customerTimeZone ?? profile.businessHours?.timeZone ?? 'UTC',
    firstName: firstNameOf(input),
    agentName: agentNameOf(profile.persona),
    hasIntroduced: answered.some((line) => line.speaker !== 'customer') || input.summary !== null,
    lastReply,
    lastCustomerText: earlier.at(-1) ?? '',
    repliedTurns: replies.length,
    clarificationsInARow,
    missingFields,
    askedField,
  };
}

/** A human colleague's message after the agent's reply means the agent's question is no longer open. */
function previousSpeakerIsAgent(answered: TurnInput['history']): boolean {
  return answered.at(-1)?.speaker === 'agent';
}
