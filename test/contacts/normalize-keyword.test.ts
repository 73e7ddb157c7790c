import { describe, expect, it } from 'vitest';
import { normalizeKeyword } from '../../src/contacts/index.ts';

/** The definition (Unicode decomposition and property classes) that the ASCII fast path must agree with. */
const byDefinition = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .toUpperCase();

describe('normalizeKeyword', () => {
  it.each([
    ['stop!', 'STOP'],
    ['  Opt--out  ', 'OPT OUT'],
    ['stop_all', 'STOP ALL'],
    ['Stop\tpromotions.', 'STOP PROMOTIONS'],
    ['!!!', ''],
    ['', ''],
    ['Parar promoções!', 'PARAR PROMOCOES'],
    ['🛑 STOP 🛑', 'STOP'],
  ])('%j → %j', (text, expected) => {
    expect(normalizeKeyword(text)).toBe(expected);
  });

  it('agrees with the definition on every printable ASCII character, alone and between letters', () => {
    for (let code = 0; code < 0x80; code += 1) {
      const char = String.fromCharCode(code);
      for (const text of [char, `a${char}b`, `${char}${char}x${char}`]) {
        expect(normalizeKeyword(text)).toBe(byDefinition(text));
      }
    }
  });
});
