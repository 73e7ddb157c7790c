import type { AgentProfile } from '../agent-model.ts';
import { normalizeSearchText } from '../normalize-search-text.ts';
import { matchIntent } from './match-intent.ts';
import { parseWhen } from './parse-when.ts';
import { formatDate, toWallClock } from './wall-clock.ts';

type Field = AgentProfile['fields'][number];

/** What kind of answer a lead field takes, read from its name (the profile has no type for it). */
export type FieldKind = 'email' | 'phone' | 'name' | 'number' | 'date' | 'text';

export interface ExtractContext {
  now: number;
  timeZone: string;
  /**
   * Whether the agent's last message asked this field. A bare answer ("Carlos", "5000", "next month") is
   * taken only then; unasked, only what cannot be mistaken is taken (an email address, "my name is …").
   */
  wasAsked: boolean;
}

/** record_lead_fields takes values up to 300 characters (tools/record-lead-fields.ts). */
const MAX_VALUE_LENGTH = 300;

export function fieldKind(field: Pick<Field, 'name'>): FieldKind {
  const name = field.name.toLowerCase();
  if (/e_?mail|correo/.test(name)) return 'email';
  if (/phone|mobile|cell|tel|whatsapp|celular|telefone|telefono/.test(name)) return 'phone';
  if (
    /(^|_)(name|nome|nombre)($|_)/.test(name) &&
    !/company|business|empresa|store|shop|brand|negocio/.test(name)
  ) {
    return 'name';
  }
  if (
    /budget|amount|revenue|employees|headcount|size|seats|users|quantity|count|number|volume|orcamento|presupuesto|investment|units|monthly|spend/.test(
      name,
    )
  ) {
    return 'number';
  }
  if (/date|timeline|when|deadline|start|prazo|fecha|data|quando|cuando/.test(name)) return 'date';
  return 'text';
}

/** The customer's answer for `field` in `text`, normalised for its kind, or null if the text does not hold one. */
export function extractField(
  field: Pick<Field, 'name'>,
  text: string,
  context: ExtractContext,
): string | null {
  const trimmed = text.trim();
  if (trimmed.length === 0) return null;
  switch (fieldKind(field)) {
    case 'email':
      return extractEmail(trimmed);
    case 'phone':
      return extractPhone(trimmed, context.wasAsked);
    case 'name':
      return extractName(trimmed, context.wasAsked);
    case 'number':
      return context.wasAsked ? extractNumber(trimmed) : null;
    case 'date':
      return context.wasAsked ? extractDate(trimmed, context) : null;
    case 'text':
      return context.wasAsked ? extractText(trimmed) : null;
  }
}

function extractEmail(text: string): string | null {
  return /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/u.exec(text)?.[0].toLowerCase() ?? null;
}

/** A number with an international prefix is taken any time; a bare one only when asked for. */
function extractPhone(text: string, wasAsked: boolean): string | null {
  const match = /\+?\d[\d\s().-]{5,}\d/.exec(text);
  if (!match) return null;
  const digits = match[0].replace(/\D/g, '');
  const hasPrefix = match[0].startsWith('+');
  if (digits.length < 7 || digits.length > 15) return null; // E.164 allows at most 15 digits
  if (!hasPrefix && !wasAsked) return null;
  return hasPrefix ? `+${digits}` : digits;
}

/** Introductions that cannot be anything but a name. */
const NAME_STRONG =
  /\b(?:my name is|my name's|name is|me llamo|mi nombre es|meu nome (?:e|é)|me chamo|pode me chamar de|puedes llamarme)\s+([\p{L}'’-]+(?:\s+[\p{L}'’-]+){0,3})/iu;
/** Introductions that may be something else ("I'm busy", "soy de Lima"), trusted only with a capital letter or when asked. */
const NAME_WEAK =
  /\b(?:i am|i'm|im|this is|soy|sou|aqui (?:es|é|e)|aquí (?:es|habla)|habla|fala)\s+(?:(?:o|a|el|la)\s+)?([\p{L}'’-]+(?:\s+[\p{L}'’-]+){0,3})/iu;

/** Words that end a name: "Carlos and I want…", "María y quiero…", "João e…". */
const NAME_END = /\s+(?:and|y|e|from|de la|from the|here|aqui|aquí|,).*$/iu;

/** Words that are never a name, whatever their case. */
const NOT_NAMES = new Set(
  `interested interesado interesada interessado interessada busy ocupado ocupada fine good ok okay here looking not no
  yes si sim the a an from de calling writing bien bem muy very so just also sure ready new glad happy sorry
  thinking trying working tired hola hello hi oi ola buenas buenos bom boa gracias thanks obrigado obrigada
  em en in at on con com the un una um uma`.split(/\s+/),
);

const NAME_PARTICLES = new Set(['da', 'de', 'do', 'dos', 'das', 'del', 'la', 'van', 'von', 'e', 'y']);

function titleCase(name: string): string {
  return name
    .toLowerCase()
    .split(/\s+/)
    .map((word, index) =>
      index > 0 && NAME_PARTICLES.has(word) ? word : word.charAt(0).toLocaleUpperCase() + word.slice(1),
    )
    .join(' ');
}

function cleanName(candidate: string): string | null {
  const name = candidate
    .replace(NAME_END, '')
    .replace(/[.!?,;:]+$/u, '')
    .trim();
  const words = name.split(/\s+/).filter((word) => word.length > 0);
  if (words.length === 0 || words.length > 4) return null;
  if (words.some((word) => NOT_NAMES.has(normalizeSearchText(word)))) return null;
  if (!words.every((word) => /^[\p{L}'’-]{2,}$/u.test(word) || NAME_PARTICLES.has(word.toLowerCase())))
    return null;
  return titleCase(name);
}

function extractName(text: string, wasAsked: boolean): string | null {
  const strong = NAME_STRONG.exec(text);
  if (strong?.[1]) return cleanName(strong[1]);
  const weak = NAME_WEAK.exec(text);
  if (weak?.[1] && (wasAsked || /^\p{Lu}/u.test(weak[1]))) {
    const name = cleanName(weak[1]);
    if (name) return name;
  }
  if (!wasAsked) return null;
  // Asked "what is your name?", a short answer of letters is the name: "carlos", "Ana Souza".
  const bare = text
    .replace(/^(?:hi|hello|hola|oi|ol[aá]|buenas)[\s,!.]+/iu, '')
    .replace(/[.!]+$/u, '')
    .trim();
  return /^[\p{L}'’ -]+$/u.test(bare) ? cleanName(bare) : null;
}

const MULTIPLIERS: Record<string, number> = {
  k: 1_000,
  mil: 1_000,
  thousand: 1_000,
  grand: 1_000,
  m: 1_000_000,
  mm: 1_000_000,
  million: 1_000_000,
  millions: 1_000_000,
  millon: 1_000_000,
  millones: 1_000_000,
  milhao: 1_000_000,
  milhoes: 1_000_000,
  mi: 1_000_000,
};

const CURRENCIES: Array<[RegExp, string]> = [
  [/r\$|\breais\b|\breal\b|\bbrl\b/, 'BRL'],
  [/€|\beuros?\b|\beur\b/, 'EUR'],
  [/\bmxn\b|\bpesos? mexicanos?\b/, 'MXN'],
  [/\bpesos?\b/, 'MXN'],
  [/us\$|\$|\bdollars?\b|\bdolares\b|\busd\b/, 'USD'],
];

/** "5.000" and "5,000" are five thousand; "2,5" and "2.5" are two and a half. */
function parseAmount(digits: string): number {
  const thousands = /^\d{1,3}([.,]\d{3})+$/;
  if (thousands.test(digits)) return Number(digits.replace(/[.,]/g, ''));
  return Number(digits.replace(',', '.'));
}

/** A budget, a head count, a quantity: "5k", "R$ 10 mil", "$2,500", "between 5 and 10 thousand". */
function extractNumber(text: string): string | null {
  const plain = normalizeSearchText(text);
  const pattern =
    /(\d+(?:[.,]\d+)*)\s*(k|mil|thousand|grand|mm|m|million|millions|millon|millones|milhao|milhoes|mi)?\b/g;
  const amounts = [...plain.matchAll(pattern)].map((match) => ({
    value: parseAmount(match[1] ?? ''),
    multiplier: match[2] ? (MULTIPLIERS[match[2]] ?? null) : null,
  }));
  if (amounts.length === 0 && /^(mil|one thousand|a thousand)\b/.test(plain))
    amounts.push({ value: 1, multiplier: 1_000 });
  const [low, high] = amounts;
  if (!low) return null;
  const isRange = high !== undefined && /\b(between|entre|to|a|y|e|and|ou|or)\b|\d\s*-\s*\d/.test(plain);
  // "between 5 and 10k": a multiplier written once, at the end, applies to both ends.
  const lowValue = low.value * (low.multiplier ?? (isRange ? (high?.multiplier ?? 1) : 1));
  const figure = isRange && high ? `${lowValue}-${high.value * (high.multiplier ?? 1)}` : String(lowValue);
  const currency = CURRENCIES.find(([currencyPattern]) => currencyPattern.test(plain))?.[1];
  return currency ? `${figure} ${currency}` : figure;
}

/** A day ("next Monday", "15/03") as YYYY-MM-DD; anything else asked for ("in a few months", "ASAP") as said. */
function extractDate(text: string, context: ExtractContext): string | null {
  const when = parseWhen(text, context.now, context.timeZone);
  if (when.date) return formatDate(when.date);
  if (when.instant !== null) return formatDate(toWallClock(when.instant, context.timeZone));
  return extractText(text);
}

/** A free answer, as the customer wrote it; greetings and thanks alone are not answers. */
function extractText(text: string): string | null {
  const intents = matchIntent(text);
  const isSmallTalk =
    intents.all.length > 0 && intents.all.every((intent) => intent === 'greeting' || intent === 'thanks');
  if (isSmallTalk || intents.all.includes('injection')) return null;
  return text.replace(/\s+/g, ' ').slice(0, MAX_VALUE_LENGTH);
}
