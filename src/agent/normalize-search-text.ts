/**
 * What the full-text index holds and what a query is matched with: lowercase, without diacritics, so that
 * "preço", "Preco" and "PRECO" meet on both databases without PostgreSQL's unaccent extension.
 */
export function normalizeSearchText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}
