import { parseWhen } from './parse-when.ts';
import { formatWithOffset, fromWallClock, toWallClock } from './wall-clock.ts';

export interface CallbackTime {
  /** ISO 8601 with the customer's offset, as schedule_callback takes it. */
  at: string;
  epochMs: number;
  timeZone: string;
}

/**
 * When a customer asked to be called back ("tomorrow at 3pm", "mañana a las 10", "amanhã às 15h",
 * "in 2 hours", "tomorrow afternoon"), as an instant in their time zone; null when the message names no
 * time, only a day ("on Monday", "amanhã": see `namesDayWithoutTime`) or a day already past, so that the
 * playbook asks instead of guessing. A part of the day is the customer's own words ("afternoon" is 15:00);
 * an hour they never said is never made up.
 */
export function parseCallbackTime(text: string, now: number, timeZone: string): CallbackTime | null {
  const when = parseWhen(text, now, timeZone);
  const at = (epochMs: number): CallbackTime => ({
    at: formatWithOffset(epochMs, timeZone),
    epochMs,
    timeZone,
  });
  if (when.instant !== null) return at(when.instant);
  if (when.date) {
    if (!when.time) return null;
    const epochMs = fromWallClock({ ...when.date, ...when.time }, timeZone);
    return epochMs > now ? at(epochMs) : null;
  }
  if (when.time) {
    // A time alone ("at 3pm") is today's, or tomorrow's once today's has gone by.
    const today = toWallClock(now, timeZone);
    const todayAt = fromWallClock({ ...today, ...when.time }, timeZone);
    if (todayAt > now) return at(todayAt);
    return at(fromWallClock({ ...today, day: today.day + 1, ...when.time }, timeZone));
  }
  return null;
}

/** "Call me tomorrow", "on Monday", "in 3 days": a day still to come, but no time of day to book. */
export function namesDayWithoutTime(text: string, now: number, timeZone: string): boolean {
  const when = parseWhen(text, now, timeZone);
  if (when.instant !== null || when.time !== null || when.date === null) return false;
  return fromWallClock({ ...when.date, hour: 23, minute: 59 }, timeZone) > now;
}
