/**
 * Sending hours in a contact's local time. Campaign messages go only between `fromMinute` and
 * `untilMinute` (minutes after local midnight, 09:00–20:00 by default); outside is quiet time. Local
 * time comes from Intl with the IANA zone, so daylight saving is the zone's own.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, format);
  }
  return format;
}

export const MINUTE_MS = 60_000;
export const DAY_MINUTES = 24 * 60;

/** Minutes since local midnight in `zone` at `ms`. */
export function localMinuteOfDay(ms: number, zone: string): number {
  let hour = 0;
  let minute = 0;
  for (const part of formatter(zone).formatToParts(ms)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return (hour % 24) * 60 + minute;
}

/** "09:30" → 570. */
export function parseClockTime(text: string): number | null {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

export function formatClockTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Moves `ms` to the instant the local clock in `zone` reads `targetMinute`, correcting for a DST jump. */
function alignTo(ms: number, zone: string, targetMinute: number): number {
  let candidate = ms;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    let difference = targetMinute - localMinuteOfDay(candidate, zone);
    if (difference > DAY_MINUTES / 2) difference -= DAY_MINUTES;
    if (difference < -DAY_MINUTES / 2) difference += DAY_MINUTES;
    if (difference === 0) break;
    candidate += difference * MINUTE_MS;
  }
  return candidate;
}

/**
 * The first instant at or after `ms` when a message may go to someone in `zone`: `ms` itself inside
 * sending hours, else the next local `fromMinute` (later today, or tomorrow after `untilMinute`).
 */
export function nextSendingTime(ms: number, zone: string, fromMinute: number, untilMinute: number): number {
  const minute = localMinuteOfDay(ms, zone);
  if (minute >= fromMinute && minute < untilMinute) return ms;
  const wait = minute < fromMinute ? fromMinute - minute : DAY_MINUTES - minute + fromMinute;
  const startOfMinute = ms - (ms % MINUTE_MS);
  const opening = alignTo(startOfMinute + wait * MINUTE_MS, zone, fromMinute);
  return opening > ms ? opening : opening + DAY_MINUTES * MINUTE_MS;
}

/** Local midnight of the day `ms` falls on in `zone` (the daily cap's day). */
export function startOfLocalDay(ms: number, zone: string): number {
  const startOfMinute = ms - (ms % MINUTE_MS);
  return startOfMinute - localMinuteOfDay(ms, zone) * MINUTE_MS;
}
