import { describe, expect, it } from 'vitest';
import {
  localMinuteOfDay,
  nextSendingTime,
  parseClockTime,
  startOfLocalDay,
} from '../../src/campaigns/sending-hours.ts';

const at = (iso: string) => Date.parse(iso);
const from = 9 * 60;
const until = 20 * 60;

describe('sending hours', () => {
  it('lets a message go now inside the hours, else at the next local opening', () => {
    // São Paulo is UTC-3 all year.
    expect(nextSendingTime(at('2026-03-02T15:00:00Z'), 'America/Sao_Paulo', from, until)).toBe(
      at('2026-03-02T15:00:00Z'),
    );
    expect(nextSendingTime(at('2026-03-02T11:30:00Z'), 'America/Sao_Paulo', from, until)).toBe(
      at('2026-03-02T12:00:00Z'),
    );
    expect(nextSendingTime(at('2026-03-02T23:00:00Z'), 'America/Sao_Paulo', from, until)).toBe(
      at('2026-03-03T12:00:00Z'),
    );
    // 20:00 is already quiet.
    expect(nextSendingTime(at('2026-03-02T23:00:30Z'), 'America/Sao_Paulo', from, until)).toBe(
      at('2026-03-03T12:00:00Z'),
    );
    expect(nextSendingTime(at('2026-03-02T15:00:00Z'), 'Asia/Tokyo', from, until)).toBe(
      at('2026-03-03T00:00:00Z'),
    );
  });

  it('follows daylight saving time of the zone', () => {
    // New York moves from UTC-5 to UTC-4 on 2026-03-08 at 02:00.
    expect(nextSendingTime(at('2026-03-08T03:00:00Z'), 'America/New_York', from, until)).toBe(
      at('2026-03-08T13:00:00Z'),
    );
    expect(nextSendingTime(at('2026-03-07T03:00:00Z'), 'America/New_York', from, until)).toBe(
      at('2026-03-07T14:00:00Z'),
    );
    expect(localMinuteOfDay(at('2026-03-08T13:00:00Z'), 'America/New_York')).toBe(from);
  });

  it('finds the local day for the daily cap, and reads clock times', () => {
    expect(startOfLocalDay(at('2026-03-02T15:00:00Z'), 'America/Sao_Paulo')).toBe(at('2026-03-02T03:00:00Z'));
    expect(startOfLocalDay(at('2026-03-02T02:00:00Z'), 'America/Sao_Paulo')).toBe(at('2026-03-01T03:00:00Z'));
    expect(parseClockTime('09:30')).toBe(570);
    expect(parseClockTime('24:00')).toBeNull();
  });
});
