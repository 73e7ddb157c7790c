import { describe, expect, it } from 'vitest';
import { namesDayWithoutTime, parseCallbackTime } from './parse-callback-time.ts';

// Monday 2 June 2025, 12:00 UTC: 08:00 in New York, 09:00 in São Paulo, 14:00 in Madrid.
const NOW = Date.parse('2025-06-02T12:00:00Z');

describe('parseCallbackTime', () => {
  it.each([
    ['Can you call me tomorrow at 3pm?', 'America/New_York', '2025-06-03T15:00:00-04:00'],
    ['in 2 hours', 'America/New_York', '2025-06-02T10:00:00-04:00'],
    ['Friday afternoon works', 'America/New_York', '2025-06-06T15:00:00-04:00'],
    ['at 9am', 'America/New_York', '2025-06-02T09:00:00-04:00'],
    ['tonight', 'America/New_York', '2025-06-02T19:00:00-04:00'],
    ['Llámame mañana a las 10', 'Europe/Madrid', '2025-06-03T10:00:00+02:00'],
    ['mañana por la mañana', 'Europe/Madrid', '2025-06-03T10:00:00+02:00'],
    ['el viernes a las 4 de la tarde', 'Europe/Madrid', '2025-06-06T16:00:00+02:00'],
    ['en media hora', 'Europe/Madrid', '2025-06-02T14:30:00+02:00'],
    ['pasado mañana a las 17:30', 'Europe/Madrid', '2025-06-04T17:30:00+02:00'],
    ['me liga amanhã às 15h', 'America/Sao_Paulo', '2025-06-03T15:00:00-03:00'],
    ['daqui a 2 horas', 'America/Sao_Paulo', '2025-06-02T11:00:00-03:00'],
    ['amanhã à tarde', 'America/Sao_Paulo', '2025-06-03T15:00:00-03:00'],
    ['dia 15/06 às 14:30', 'America/Sao_Paulo', '2025-06-15T14:30:00-03:00'],
  ])('%s (%s) → %s', (text, timeZone, at) => {
    expect(parseCallbackTime(text, NOW, timeZone)?.at).toBe(at);
  });

  it('takes a time already gone today as tomorrow', () => {
    expect(parseCallbackTime('at 7am', NOW, 'America/New_York')?.at).toBe('2025-06-03T07:00:00-04:00');
  });

  it('reads "at 3" without am or pm as the afternoon', () => {
    expect(parseCallbackTime('tomorrow at 3', NOW, 'America/New_York')?.at).toBe('2025-06-03T15:00:00-04:00');
  });

  it('keeps the wall-clock time across a daylight-saving change', () => {
    // 8 March 2025 is the Saturday before New York moves from UTC-5 to UTC-4.
    const saturday = Date.parse('2025-03-08T15:00:00Z');
    expect(parseCallbackTime('tomorrow at 3pm', saturday, 'America/New_York')?.at).toBe(
      '2025-03-09T15:00:00-04:00',
    );
  });

  it('returns the instant as epoch ms with the zone', () => {
    const time = parseCallbackTime('tomorrow at 3pm', NOW, 'America/New_York');
    expect(time?.epochMs).toBe(Date.parse('2025-06-03T19:00:00Z'));
    expect(time?.timeZone).toBe('America/New_York');
  });

  it.each(['later', 'más tarde', 'mais tarde', 'I am busy', 'call me'])('finds no time in %j', (text) => {
    expect(parseCallbackTime(text, NOW, 'UTC')).toBeNull();
  });

  // The customer named a day and no hour: the hour is theirs to say, never a default (issue 11, item 7).
  it.each([
    ['call me on Monday', 'America/New_York'],
    ['in 3 days', 'America/New_York'],
    ['call me tomorrow', 'America/New_York'],
    ['na segunda-feira', 'America/Sao_Paulo'],
    ['me liga amanhã', 'America/Sao_Paulo'],
    ['me liga hoje', 'America/Sao_Paulo'],
    ['llámame mañana', 'Europe/Madrid'],
    ['¿me pueden llamar el viernes?', 'Europe/Madrid'],
  ])('books no hour the customer did not say: %j (%s)', (text, timeZone) => {
    expect(parseCallbackTime(text, NOW, timeZone)).toBeNull();
    expect(namesDayWithoutTime(text, NOW, timeZone)).toBe(true);
  });

  it.each(['call me', 'me liga', 'llámame', 'can someone call me?', 'tomorrow at 3pm', 'amanhã à tarde'])(
    'does not take %j for a day without a time',
    (text) => {
      expect(namesDayWithoutTime(text, NOW, 'America/Sao_Paulo')).toBe(false);
    },
  );
});
