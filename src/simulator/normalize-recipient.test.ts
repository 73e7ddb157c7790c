import { describe, expect, it } from 'vitest';
import { SimulatedGraphError } from './graph-error.ts';
import { normalizeRecipient } from './normalize-recipient.ts';

describe('normalizeRecipient', () => {
  it.each([
    ['+1 (650) 555-1234', '16505551234'],
    ['16315555555', '16315555555'],
    ['+55 11 95555.0000', '5511955550000'],
    ['{{Recipient-Phone-Number}}', '19990000000'],
    ['{{Recipient-WA-Phone-Number}}', '19990000000'],
  ])('reads %s as %s', (input, expected) => {
    expect(normalizeRecipient(input, '19990000000')).toBe(expected);
  });

  it.each(['', 'abc', '123', '+1 650 555 1234 ext 9', '1234567890123456'])(
    'refuses %j with 131009',
    (input) => {
      expect(() => normalizeRecipient(input, '1')).toThrow(SimulatedGraphError);
      try {
        normalizeRecipient(input, '1');
      } catch (error) {
        expect((error as SimulatedGraphError).code).toBe(131009);
      }
    },
  );
});
