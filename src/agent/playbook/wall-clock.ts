/**
 * A date and time as a clock on the wall shows it in one time zone. The playbook reasons in the customer's
 * wall clock ("tomorrow at 3 pm" is 15:00 where they are) and converts to an instant only at the end.
 */
export interface WallClock {
  year: number;
  /** 1–12. */
  month: number;
  /** 1–31. */
  day: number;
  /** 0–23. */
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Formatters are costly to build and the playbook asks for the same few zones again and again. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall clock in `timeZone` at the instant `epochMs`. */
export function toWallClock(epochMs: number, timeZone: string): WallClock {
  const parts = formatterFor(timeZone).formatToParts(epochMs);
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((item) => item.type === type)?.value ?? '';
  return {
    year: Number(part('year')),
    month: Number(part('month')),
    day: Number(part('day')),
    hour: Number(part('hour')),
    minute: Number(part('minute')),
    weekday: WEEKDAYS.indexOf(part('weekday')),
  };
}

/** Minutes `timeZone` is ahead of UTC at the instant `epochMs` (−180 for São Paulo). */
export function offsetMinutes(epochMs: number, timeZone: string): number {
  const wall = toWallClock(epochMs, timeZone);
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  return Math.round((wallAsUtc - Math.floor(epochMs / MINUTE_MS) * MINUTE_MS) / MINUTE_MS);
}

/**
 * The instant a wall clock shows `date` at `hour:minute` in `timeZone`. Out-of-range values roll over
 * (day 32 is the 1st of next month), which is how "in 3 days" is added. In a daylight-saving gap the
 * clock is moved forward; in an overlap the first of the two instants is taken.
 */
export function fromWallClock(
  wall: { year: number; month: number; day: number; hour: number; minute: number },
  timeZone: string,
): number {
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const firstGuess = wallAsUtc - offsetMinutes(wallAsUtc, timeZone) * MINUTE_MS;
  // The offset at the guess can differ from the offset at the answer around a transition: one more pass.
  return wallAsUtc - offsetMinutes(firstGuess, timeZone) * MINUTE_MS;
}

/** The wall clock `days` calendar days after `wall`, at the same time of day. */
export function addDays(wall: WallClock, days: number): WallClock {
  const shifted = new Date(Date.UTC(wall.year, wall.month - 1, wall.day) + days * DAY_MS);
  return {
    ...wall,
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    weekday: shifted.getUTCDay(),
  };
}

const pad = (value: number, width = 2): string => String(Math.abs(value)).padStart(width, '0');

/** ISO 8601 with the zone's offset, as schedule_callback takes it: 2026-01-14T15:00:00-03:00. */
export function formatWithOffset(epochMs: number, timeZone: string): string {
  const wall = toWallClock(epochMs, timeZone);
  const offset = offsetMinutes(epochMs, timeZone);
  const sign = offset < 0 ? '-' : '+';
  return (
    `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:00` +
    `${sign}${pad(Math.trunc(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
  );
}

/** The calendar date of a wall clock, as YYYY-MM-DD. */
export function formatDate(wall: { year: number; month: number; day: number }): string {
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`;
}
