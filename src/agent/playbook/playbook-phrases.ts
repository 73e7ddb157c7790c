/**
 * Everything the offline playbook says, in English, Spanish and Portuguese. `{name}` becomes ", Carlos"
 * (or nothing when the name is unknown); other `{placeholders}` are filled by the caller.
 *
 * The playbook keeps no memory of its own: it reads its earlier replies in the history to know where it
 * stands (it asked for a time, it offered a colleague, it did not understand twice). Phrases marked in
 * MARKERS must therefore keep their wording, or old conversations lose their place.
 */
export const PHRASES = {
  intro: {
    en: 'Hi{name}! I am {agent} from {company}.',
    es: '¡Hola{name}! Soy {agent} de {company}.',
    pt: 'Olá{name}! Sou {agent} da {company}.',
  },
  introNoAgent: {
    en: 'Hi{name}! This is {company}.',
    es: '¡Hola{name}! Te escribimos de {company}.',
    pt: 'Olá{name}! Aqui é da {company}.',
  },
  hello: { en: 'Hi{name}!', es: '¡Hola{name}!', pt: 'Olá{name}!' },
  // Three wordings, taken in turn, so that a lead answering four questions does not read the same line four times.
  gotIt: {
    en: ['Got it{name}, thanks.', 'Noted{name}.', 'Perfect{name}, thank you.'],
    es: ['Perfecto{name}, anotado.', 'Genial{name}, gracias.', 'Muy bien{name}, anotado.'],
    pt: ['Perfeito{name}, anotado.', 'Ótimo{name}, já anotei.', 'Certo{name}, anotado.'],
  },
  great: { en: 'Great!', es: '¡Genial!', pt: 'Ótimo!' },
  qualified: {
    en: 'Thank you{name}! I have everything I need.',
    es: '¡Gracias{name}! Ya tengo todo lo que necesito.',
    pt: 'Perfeito{name}! Já tenho tudo o que preciso.',
  },
  nextQualify: {
    en: 'A specialist from {company} will contact you soon.',
    es: 'Un especialista de {company} se pondrá en contacto contigo pronto.',
    pt: 'Um especialista da {company} vai entrar em contato em breve.',
  },
  nextBook: {
    en: 'When is a good time for a call with our specialist?',
    es: '¿Cuándo te viene bien una llamada con nuestro especialista?',
    pt: 'Qual o melhor horário para uma ligação com nosso especialista?',
  },
  nextSell: {
    en: 'A specialist from {company} will send you a proposal soon.',
    es: 'Un especialista de {company} te enviará una propuesta pronto.',
    pt: 'Um especialista da {company} vai te enviar uma proposta em breve.',
  },
  allSet: {
    en: 'Thanks! A specialist from {company} will be in touch soon.',
    es: '¡Gracias! Un especialista de {company} se pondrá en contacto contigo pronto.',
    pt: 'Obrigado! Um especialista da {company} vai falar com você em breve.',
  },
  welcome: { en: 'You are welcome!', es: '¡De nada!', pt: 'De nada!' },
  notInterested: {
    en: 'No problem{name}, thank you for your time! If you change your mind, just write to us.',
    es: '¡Sin problema{name}, gracias por tu tiempo! Si cambias de opinión, escríbenos.',
    pt: 'Sem problemas{name}, agradeço pelo seu tempo! Se mudar de ideia, é só nos escrever.',
  },
  optOut: {
    en: 'Done: you will not get any more messages from us.',
    es: 'Listo: no te enviaremos más mensajes.',
    pt: 'Pronto: você não vai receber mais mensagens nossas.',
  },
  handOff: {
    en: 'Sure, I am passing you to a person from our team. They will reply here shortly.',
    es: 'Claro, te paso con una persona de nuestro equipo. Te responderá por aquí en breve.',
    pt: 'Claro, vou passar você para uma pessoa da nossa equipe. Ela vai responder por aqui em breve.',
  },
  handOffClosed: {
    en: 'Sure, I am passing you to a person from our team. They are out of the office now and will reply here during business hours.',
    es: 'Claro, te paso con una persona de nuestro equipo. Ahora están fuera del horario de atención y te responderán por aquí en cuanto vuelvan.',
    pt: 'Claro, vou passar você para uma pessoa da nossa equipe. Agora estão fora do horário de atendimento e vão responder por aqui assim que voltarem.',
  },
  handOffStuck: {
    en: 'I had better pass you to a colleague who can help. They will reply here shortly.',
    es: 'Mejor te paso con un compañero que te podrá ayudar. Te responderá por aquí en breve.',
    pt: 'Melhor eu passar você para um colega que pode ajudar. Ele vai responder por aqui em breve.',
  },
  noHandOff: {
    en: 'I cannot pass you to a person from here, but I can help you myself.',
    es: 'Desde aquí no puedo pasarte con una persona, pero puedo ayudarte yo.',
    pt: 'Daqui não consigo passar você para uma pessoa, mas posso te ajudar.',
  },
  askCallbackTime: {
    en: 'Sure! When is a good time to call you?',
    es: '¡Claro! ¿Cuándo te viene bien que te llamemos?',
    pt: 'Claro! Qual o melhor horário para ligarmos para você?',
  },
  askCallbackHour: {
    en: 'Sure! At what time should we call you?',
    es: '¡Claro! ¿A qué hora te llamamos?',
    pt: 'Claro! Em que horário podemos ligar para você?',
  },
  callbackBooked: {
    en: 'Perfect, we will call you on {when}.',
    es: 'Perfecto, te llamaremos el {when}.',
    pt: 'Perfeito! Ligamos para você {when}.',
  },
  knowledgeQuote: {
    en: 'Here is what I have: "{sentence}"',
    es: 'Esto es lo que tengo: "{sentence}"',
    pt: 'Isto é o que tenho: "{sentence}"',
  },
  priceUnknown: {
    en: 'I do not have that price here and I would rather not guess. Do you want me to ask a colleague to check?',
    es: 'No tengo ese precio aquí y prefiero no inventarlo. ¿Quieres que le pida a un compañero que lo revise?',
    pt: 'Não tenho esse preço aqui e prefiro não chutar. Quer que eu peça para um colega verificar?',
  },
  factUnknown: {
    en: 'I do not have that information here. Do you want me to ask a colleague to check?',
    es: 'No tengo esa información aquí. ¿Quieres que le pida a un compañero que lo revise?',
    pt: 'Não tenho essa informação aqui. Quer que eu peça para um colega verificar?',
  },
  clarify: {
    en: 'Sorry, I did not quite get that.',
    es: 'Perdona, no te he entendido bien.',
    pt: 'Desculpe, não entendi bem.',
  },
} as const satisfies Record<string, Record<'en' | 'es' | 'pt', string | readonly string[]>>;

export type PhraseKey = keyof typeof PHRASES;

/** The languages phrases are written in; a profile language outside them falls back to English. */
type PhraseLanguage = 'en' | 'es' | 'pt';

function phraseLanguage(language: string): PhraseLanguage {
  return language === 'es' || language === 'pt' ? language : 'en';
}

function wordings(key: PhraseKey, language: PhraseLanguage): readonly string[] {
  const entry: string | readonly string[] = PHRASES[key][language];
  return typeof entry === 'string' ? [entry] : entry;
}

/** A phrase in `language`, with its placeholders filled; `variant` picks among several wordings, in turn. */
export function phrase(
  key: PhraseKey,
  language: string,
  values: Record<string, string> = {},
  variant = 0,
): string {
  const options = wordings(key, phraseLanguage(language));
  const template = options[variant % options.length] ?? '';
  return template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');
}

/** Whether an earlier agent message contained `key`, in any language (the customer may have switched). */
export function saidPhrase(agentText: string, key: PhraseKey): boolean {
  const languages: PhraseLanguage[] = ['en', 'es', 'pt'];
  return languages
    .flatMap((language) => wordings(key, language))
    .some((template) => {
      // The fixed part before the first placeholder identifies the phrase.
      const fixed = template.split('{')[0] ?? '';
      return fixed.length >= 8 && agentText.includes(fixed);
    });
}

/** The locale to write dates in for a language. */
export function localeOf(language: string): string {
  return { en: 'en-US', es: 'es-ES', pt: 'pt-BR' }[phraseLanguage(language)];
}
