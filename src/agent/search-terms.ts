import { normalizeSearchText } from './normalize-search-text.ts';

/**
 * Words too common to rank by, in the languages the playbook speaks (English, Spanish, Portuguese).
 * bm25 discounts them by their frequency anyway; ts_rank does not, so they are dropped from every query.
 */
const STOP_WORDS = new Set(
  (
    'a an and are as at be but by can could do does for from have how i if in is it me my of on or our so ' +
    'that the their there this to was we what when where which who why will with would you your ' +
    'al como con cual cuando de del el en es esta este eso hay la las lo los me mi mas no o para pero por ' +
    'que se si su sus te tu un una unos uno y yo ' +
    'ao as com da das de do dos e ela ele em essa esse esta este eu isso mais meu na nao nas no nos o os ' +
    'ou para pela pelo por qual quando que se sua seu um uma voce'
  ).split(' '),
);

/** Most terms one query carries: a customer's burst can be long, and each term is an OR branch. */
const MAX_TERMS = 24;

/** The distinct, normalized, meaningful words of a query, in order of first appearance. */
export function searchTerms(query: string): string[] {
  const terms: string[] = [];
  for (const word of normalizeSearchText(query).split(/[^\p{L}\p{N}]+/u)) {
    if (word.length < 2 || STOP_WORDS.has(word) || terms.includes(word)) continue;
    terms.push(word);
    if (terms.length === MAX_TERMS) break;
  }
  return terms;
}
