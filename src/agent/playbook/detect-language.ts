import { normalizeSearchText } from '../normalize-search-text.ts';

/** The languages the playbook can tell apart and speak. */
export const PLAYBOOK_LANGUAGES = ['en', 'es', 'pt'] as const;
export type PlaybookLanguage = (typeof PLAYBOOK_LANGUAGES)[number];

/**
 * Words that mostly belong to one of the three languages, compared without accents. Words the languages
 * share ("no", "me", "de", "que", "para", "por favor") are left out on purpose: they would only add noise.
 */
const WORDS: Record<PlaybookLanguage, string> = {
  en: `the and is are you your i im my hi hello hey thanks thank yes please how much what when where who
    why call tomorrow today not interested want would like price it this that can does have to of for
    with later human name budget about good morning afternoon evening will there we our they be at in on
    need sure talk person someone cost tell more stop unsubscribe am pm next week month monday tuesday
    wednesday thursday friday saturday sunday hours minutes dont just send`,
  es: `hola gracias el los las y es estoy pero muy quiero tengo usted ustedes cuanto cuesta manana llamame
    llamar hablar buenos buenas dias si soy llamo puedo nosotros precio precios interesa tambien ahora
    donde bien hay mucho buen escriban escribas baja ya necesito hoy lo la del un una con en
    eso esto tienen pueden cual senor vale claro despues luego noche lunes martes miercoles jueves
    viernes sabado semana mes horas persona alguien humano asesor cuentame presupuesto correo nombre
    empresa hablamos nada todo mi su dinero pesos al`,
  pt: `ola oi obrigado obrigada nao sim voce voces quanto custa amanha tenho quero meu minha estou muito
    tambem agora bom dia boa preco precos falar com uma um da na em isso pode posso sou ele mais ainda
    hoje valeu ta pra gostaria ligar liga sair pare receber mensagens interesse atendente pessoa alguem
    orcamento nome mim depois noite segunda terca quarta quinta sexta feira semana mes horas conte manha
    vcs vc entao beleza tudo certo ate ja aqui seu sua reais tchau ao ou os`,
};

const WORD_SETS = Object.fromEntries(
  PLAYBOOK_LANGUAGES.map((language) => [language, new Set(WORDS[language].split(/\s+/))]),
) as Record<PlaybookLanguage, Set<string>>;

/** Letters only one of the languages writes (checked before accents are removed). */
const LETTERS: Record<PlaybookLanguage, RegExp> = {
  en: /(?!)/, // English has none of its own
  es: /[ñ¿¡]/giu,
  pt: /[ãõçâê]/giu,
};

/** A distinctive letter counts for two words: "ñ" or "ã" settles short messages like "mañana" or "não". */
const LETTER_WEIGHT = 2;

/**
 * The language a customer wrote in, among English, Spanish and Portuguese, or null when the text does not
 * tell (a number, an email address, "ok", a name). The winner must beat the runner-up: a tie means unsure.
 */
export function detectLanguage(text: string): PlaybookLanguage | null {
  // Email addresses and links say nothing about the language ("gmail.com" is not Portuguese "com").
  const words = normalizeSearchText(text.replace(/\S+@\S+|\bhttps?:\/\/\S+|\bwww\.\S+/giu, ' '))
    .replace(/['’]/g, '')
    .split(/[^\p{L}]+/u)
    .filter((word) => word.length > 0);
  const scores = PLAYBOOK_LANGUAGES.map((language) => {
    const letterHits = text.match(LETTERS[language])?.length ?? 0;
    const wordHits = words.filter((word) => WORD_SETS[language].has(word)).length;
    return { language, score: wordHits + letterHits * LETTER_WEIGHT };
  }).sort((left, right) => right.score - left.score);
  const [best, second] = scores;
  if (!best || best.score === 0 || (second && second.score === best.score)) return null;
  return best.language;
}

/**
 * The language to answer in: the customer's if the profile speaks it, else the last one the customer used
 * that the profile speaks, else the profile's first (its default).
 */
export function chooseReplyLanguage(
  texts: { current: string; earlier: readonly string[] },
  profileLanguages: readonly string[],
): string {
  const spoken = (language: string | null): language is string =>
    language !== null && profileLanguages.includes(language);
  const current = detectLanguage(texts.current);
  if (spoken(current)) return current;
  if (current === null) {
    for (const earlier of [...texts.earlier].reverse()) {
      const language = detectLanguage(earlier);
      if (spoken(language)) return language;
    }
  }
  return profileLanguages[0] ?? 'en';
}
