import type { AgentProfile } from './agent-model.ts';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * Whether humans are there to take a hand-off now, by the profile's business hours in their own time
 * zone. No hours set means someone is always there (the tenant said nothing to the contrary).
 */
export function isWithinBusinessHours(hours: AgentProfile['businessHours'], now: number): boolean {
  if (!hours) return true;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: hours.timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const part = (type: string) => parts.find((candidate) => candidate.type === type)?.value ?? '';
  const day = WEEKDAYS.indexOf(part('weekday'));
  const minutes = Number(part('hour')) * 60 + Number(part('minute'));
  const toMinutes = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
  const from = toMinutes(hours.from);
  const to = toMinutes(hours.to);
  if (!hours.days.includes(day)) return false;
  // Hours past midnight (22:00–02:00) wrap around.
  return from <= to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
}
