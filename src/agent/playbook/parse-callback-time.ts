import { parseWhen } from './parse-when.ts';
import { formatWithOffset, fromWallClock, toWallClock } from './wall-clock.ts';

export interface CallbackTime {
  /** ISO 8601 with the customer's offset, as schedule_callback takes it. */
  at: string;
  epochMs: number;
  timeZone: string;
}

/** A day named without a time ("on Monday") is booked mid-morning, when people pick up the phone. */
const DEFAULT_HOUR = 10;

/**
 * When a customer asked to be called back ("tomorrow at 3pm", "mañana a las 10", "amanhã às 15h",
 * "in 2 hours", "on Monday"), as an instant in their time zone; null when the message names no time
 * or only a day already past, so that the playbook asks instead of guessing.
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
    const time = when.time ?? { hour: DEFAULT_HOUR, minute: 0 };
    const epochMs = fromWallClock({ ...when.date, ...time }, timeZone);
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
