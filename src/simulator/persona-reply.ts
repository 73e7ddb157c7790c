import { pickOne, type RandomSource } from './seeded-random.ts';
import type { Persona } from './simulator-options.ts';

/** What a simulated customer saw: enough to answer it. */
export interface BusinessMessageView {
  wamid: string;
  type: string;
  text: string | null;
  /** Reply buttons or list rows of an interactive message. */
  choices: Array<{ id: string; title: string }>;
  interactiveType: string | null;
  /** Quick-reply buttons of a template, with the payload the send gave them (or their text). */
  quickReplies: Array<{ text: string; payload: string }>;
}

export type PersonaReply =
  | { type: 'text'; text: string }
  | { type: 'button_reply'; id: string; title: string }
  | { type: 'list_reply'; id: string; title: string }
  | { type: 'button'; payload: string; text: string };

type Mood = 'interested' | 'not-interested' | 'opt-out' | 'silent';

const phrases: Record<
  Persona['language'],
  Record<'interested' | 'not-interested', string[]> & { optOut: string }
> = {
  en: {
    interested: [
      "Yes, I'm interested! Tell me more.",
      'How much does it cost?',
      'Sounds good. What are the next steps?',
      'Great, thanks!',
    ],
    'not-interested': ["No thanks, I'm not interested.", 'Not right now, thanks.'],
    optOut: 'STOP',
  },
  es: {
    interested: [
      '¡Sí, me interesa! Cuéntame más.',
      '¿Cuánto cuesta?',
      'Suena bien. ¿Cuáles son los siguientes pasos?',
      '¡Genial, gracias!',
    ],
    'not-interested': ['No, gracias. No me interesa.', 'Ahora no, gracias.'],
    optOut: 'BAJA',
  },
  pt: {
    interested: [
      'Sim, tenho interesse! Me conte mais.',
      'Quanto custa?',
      'Parece bom. Quais são os próximos passos?',
      'Ótimo, obrigado!',
    ],
    'not-interested': ['Não, obrigado. Não tenho interesse.', 'Agora não, obrigado.'],
    optOut: 'PARAR',
  },
};

const NEGATIVE = /\b(no|not|nope|não|nao|later|después|depois)\b/i;
const STOP = /stop|unsubscribe|baja|detener|parar|sair|cancel/i;

/** How many times a profile answers before it goes quiet, so that a persona and an agent cannot loop. */
export function defaultMaxReplies(persona: Persona): number {
  switch (persona.profile) {
    case 'interested':
    case 'random':
      return 3;
    case 'not-interested':
    case 'opt-out':
      return 1;
    case 'scripted':
      return persona.script?.length ?? 0;
    case 'silent':
      return 0;
  }
}

function moodFor(persona: Persona, random: RandomSource): Mood {
  if (persona.profile === 'random') {
    const roll = random();
    return roll < 0.4 ? 'interested' : roll < 0.7 ? 'not-interested' : roll < 0.8 ? 'opt-out' : 'silent';
  }
  if (persona.profile === 'scripted') return 'interested';
  return persona.profile;
}

interface Option {
  title: string;
  reply: PersonaReply;
}

function optionsOf(message: BusinessMessageView): Option[] {
  if (message.quickReplies.length > 0) {
    return message.quickReplies.map((quick) => ({
      title: quick.text,
      reply: { type: 'button', payload: quick.payload, text: quick.text },
    }));
  }
  const replyType = message.interactiveType === 'list' ? 'list_reply' : 'button_reply';
  return message.choices.map((choice) => ({
    title: choice.title,
    reply: { type: replyType, id: choice.id, title: choice.title },
  }));
}

/**
 * The answer of a persona to the last message it got, or null when it stays quiet. Interested
 * customers tap the first button or say yes; the others tap a "no" or "stop" button when there is
 * one, or write it. Scripted customers say their next line, tapping a button whose title matches it.
 */
export function choosePersonaReply(
  persona: Persona,
  message: BusinessMessageView,
  replyIndex: number,
  random: RandomSource,
): PersonaReply | null {
  const options = optionsOf(message);
  if (persona.profile === 'scripted') {
    const line = persona.script?.[replyIndex];
    if (line === undefined) return null;
    const tapped = options.find((option) => option.title.toLowerCase() === line.toLowerCase());
    return tapped ? tapped.reply : { type: 'text', text: line };
  }
  const mood = moodFor(persona, random);
  if (mood === 'silent') return null;
  const words = phrases[persona.language];
  if (mood === 'opt-out') {
    const stop = options.find((option) => STOP.test(option.title));
    return stop ? stop.reply : { type: 'text', text: words.optOut };
  }
  if (mood === 'not-interested') {
    const no = options.find((option) => NEGATIVE.test(option.title) && !STOP.test(option.title));
    return no ? no.reply : { type: 'text', text: pickOne(random, words['not-interested']) };
  }
  const yes = options.find((option) => !NEGATIVE.test(option.title) && !STOP.test(option.title));
  if (yes) return yes.reply;
  const lines = words.interested;
  return { type: 'text', text: lines[Math.min(replyIndex, lines.length - 1)] as string };
}
