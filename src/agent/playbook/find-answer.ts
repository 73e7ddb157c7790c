import type { KnowledgePassage } from '../agent-model.ts';
import { normalizeSearchText } from '../normalize-search-text.ts';

export interface KnowledgeAnswer {
  /** The sentence quoted to the customer, exactly as the knowledge base has it. */
  sentence: string;
  documentId: string;
  title: string;
}

/**
 * Words that carry no subject in a question, in the three languages: function words, question words and
 * the words of asking about money. What is left ("pro", "plan", "shipping") is what the answer must be about.
 */
const STOP_WORDS = new Set(
  `a an the is are was be do does did can could would will i you we they it its this that these those my your our
  me us of to in on at for with and or but if so how what which when where who why much many there here about
  please tell know want like need get have has any some just also more hi hello hey thanks ok one ones
  price prices pricing cost costs fee fees charge quote much per month monthly year yearly annual pay paid
  el la los las un una unos unas de del al y o pero si que como cual cuales cuando donde quien por para con sin
  es son esta estan ser hay tiene tienen tengo puedo pueden me te se le lo nos su sus mi tu yo usted ustedes
  cuanto cuanta cuantos cuesta cuestan vale valen precio precios costo costos tarifa mes mensual ano anual
  hola gracias quiero saber favor
  o os as um uma uns umas do da dos das no na nos nas ao aos e ou mas se que como qual quais quando onde quem
  por para com sem sao esta estao ser tem temos tenho posso podem eu voce voces ele ela meu minha seu sua
  quanto quanta quantos custa custam preco precos valor valores custo mensalidade mensal anual oi ola obrigado
  obrigada queria gostaria`.split(/\s+/),
);

/** A sentence that states an amount of money: a currency next to a number, or a number per period. */
const MONEY =
  /(?:[$€£]|r\$|us\$|\b(?:usd|brl|eur|mxn|ars|cop|clp|gbp)\b)\s?\d|\d[\d.,]*\s?(?:[$€£]|\b(?:usd|brl|eur|mxn|ars|cop|clp|gbp|reais|real|dollars?|dolares|euros?|pesos)\b)|\d[\d.,]*\s?(?:\/|per |por |al |ao |a )(?:month|mes|year|ano|user|usuario|seat)/i;

/** A question counts as answered when a sentence covers at least two thirds of what it is about. */
const MIN_COVERAGE = 2 / 3;

/** Splits plain words and drops a plural "s", so "plans" meets "plan". */
function contentWords(text: string): string[] {
  return (
    normalizeSearchText(text)
      .split(/[^\p{L}\p{N}]+/u)
      // A lone digit counts: it tells the 5 kWp kit from the 8 kWp one.
      .filter((word) => (word.length > 1 || /\d/.test(word)) && !STOP_WORDS.has(word))
      .map((word) => (word.length > 3 && word.endsWith('s') ? word.slice(0, -1) : word))
  );
}

/** Sentences of a passage; a decimal point (R$ 99.90) does not end a sentence. */
function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+(?=[\p{Lu}¿¡"“(])|\n+/u)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}

/**
 * The knowledge sentence that answers a customer's question, or null. Prices and facts come only from
 * here: a price question needs a sentence that states an amount, and what the question names ("the
 * Enterprise plan") must be in that sentence or its document's title, so that the price of one plan is
 * never given for another. Null means "say you do not know".
 */
export function findAnswer(
  question: string,
  knowledge: readonly KnowledgePassage[],
  options: { isPriceQuestion: boolean },
): KnowledgeAnswer | null {
  const wanted = [...new Set(contentWords(question))];
  if (wanted.length === 0 && !options.isPriceQuestion) return null;
  let best: { answer: KnowledgeAnswer; coverage: number; score: number } | null = null;
  for (const passage of knowledge) {
    const titleWords = new Set(contentWords(passage.title));
    for (const sentence of sentencesOf(passage.text)) {
      if (options.isPriceQuestion && !MONEY.test(normalizeSearchText(sentence))) continue;
      const words = new Set([...contentWords(sentence), ...titleWords]);
      const covered = wanted.filter((word) => words.has(word)).length;
      const coverage = wanted.length === 0 ? 1 : covered / wanted.length;
      if (coverage < MIN_COVERAGE) continue;
      // The fuller coverage wins, then the retrieval score, then the earlier sentence (stable and deterministic).
      if (!best || coverage > best.coverage || (coverage === best.coverage && passage.score > best.score)) {
        best = {
          answer: { sentence, documentId: passage.documentId, title: passage.title },
          coverage,
          score: passage.score,
        };
      }
    }
  }
  return best?.answer ?? null;
}
