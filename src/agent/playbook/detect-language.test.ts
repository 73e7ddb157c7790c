import { describe, expect, it } from 'vitest';
import { chooseReplyLanguage, detectLanguage } from './detect-language.ts';

describe('detectLanguage', () => {
  it.each([
    ['Hi, how much does it cost?', 'en'],
    ['Can you call me tomorrow at 3pm?', 'en'],
    ["I'm not interested, thanks", 'en'],
    ['Hola, ¿cuánto cuesta?', 'es'],
    ['mañana', 'es'],
    ['No me interesa, gracias', 'es'],
    ['Llámame el lunes por la tarde', 'es'],
    ['Olá, quanto custa?', 'pt'],
    ['não', 'pt'],
    ['Não tenho interesse, obrigado', 'pt'],
    ['Me liga amanhã às 15h', 'pt'],
    ['Quero falar com uma pessoa', 'pt'],
  ])('%s → %s', (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });

  it.each(['ok', '5000', 'carlos@example.com', 'Carlos', '👍', ''])('cannot tell from %j', (text) => {
    expect(detectLanguage(text)).toBeNull();
  });
});

describe('chooseReplyLanguage', () => {
  it("answers in the customer's language when the profile speaks it", () => {
    expect(chooseReplyLanguage({ current: '¿Cuánto cuesta?', earlier: [] }, ['pt', 'es', 'en'])).toBe('es');
  });

  it("falls back to the profile's first language when it does not speak the customer's", () => {
    expect(chooseReplyLanguage({ current: 'How much is it?', earlier: [] }, ['pt', 'es'])).toBe('pt');
  });

  it('keeps the language of earlier messages when the new one does not tell', () => {
    expect(
      chooseReplyLanguage({ current: '5000', earlier: ['Olá, tudo bem?', 'Hola, buenas tardes'] }, [
        'en',
        'es',
        'pt',
      ]),
    ).toBe('es');
  });

  it('follows a customer who switches language', () => {
    expect(
      chooseReplyLanguage({ current: 'Sorry, can we talk in English?', earlier: ['Hola'] }, ['es', 'en']),
    ).toBe('en');
  });
});
