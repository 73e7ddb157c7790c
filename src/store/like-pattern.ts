import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';

/**
 * Text to match literally inside a LIKE pattern: `%`, `_` and the escape character `\` are escaped, so a
 * search for `%` finds a percent sign instead of listing everything. Use it with `likePattern`, whose
 * ESCAPE clause names the backslash (SQLite has no default escape character; PostgreSQL's is `\`).
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** `expression LIKE pattern ESCAPE '\'`, the same on SQLite and PostgreSQL. */
export function likePattern(expression: Expression<unknown>, pattern: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`${expression} like ${pattern} escape '\\'`;
}
