import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createOptOutTextMatcher } from '../../src/contacts/index.ts';
import type { Database } from '../../src/store/schema.ts';

/** The one query the matcher makes (every tenant's keywords), answered from a list. */
function fakeDb(rows: Array<Record<string, string[]>>) {
  let reads = 0;
  const db = {
    selectFrom: () => ({
      select: () => ({
        execute: async () => {
          reads += 1;
          return rows.map((keywords) => ({ opt_out_keywords: JSON.stringify(keywords) }));
        },
      }),
    }),
  } as unknown as Kysely<Database>;
  return { db, reads: () => reads };
}

describe('createOptOutTextMatcher', () => {
  it('matches the default keywords at once, whole texts only, whatever the case and punctuation', () => {
    const matcher = createOptOutTextMatcher(fakeDb([]).db);
    expect(matcher.matches('stop')).toBe(true);
    expect(matcher.matches('Parar promoções!')).toBe(true);
    expect(matcher.matches('please stop')).toBe(false);
    expect(matcher.matches('Olá! Quero saber o preço do plano 5 / mês')).toBe(false);
    expect(matcher.matches('')).toBe(false);
  });

  it("adds every tenant's own keywords, read again once the TTL has passed", async () => {
    const rows: Array<Record<string, string[]>> = [{ it: ['BASTA'] }];
    const store = fakeDb(rows);
    let now = 1_000;
    const matcher = createOptOutTextMatcher(store.db, { ttlMs: 30_000, now: () => now });
    await matcher.refresh();
    expect(matcher.matches('Basta!')).toBe(true);
    expect(matcher.matches('STOP')).toBe(true); // the defaults stay
    rows.push({ de: ['ABMELDEN'] });
    now += 10_000;
    expect(matcher.matches('abmelden')).toBe(false); // within the TTL
    now += 25_000;
    matcher.matches('hello'); // the first look past the TTL reads again, in the background
    await new Promise((resolve) => setImmediate(resolve));
    expect(matcher.matches('abmelden')).toBe(true);
    expect(store.reads()).toBe(2);
  });
});
