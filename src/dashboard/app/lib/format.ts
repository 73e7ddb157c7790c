const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
const numberFormat = new Intl.NumberFormat();

export function formatTime(iso: string | null | undefined): string {
  return iso ? timeFormat.format(new Date(iso)) : '';
}

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTimeFormat.format(new Date(iso)) : '—';
}

export function formatDay(iso: string): string {
  const date = new Date(iso);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86_400_000);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return dayFormat.format(date);
}

/** For a list: the time today, the weekday this week, the date before. */
export function formatListTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (date.toDateString() === new Date().toDateString()) return timeFormat.format(date);
  if (Date.now() - date.getTime() < 6 * 86_400_000)
    return date.toLocaleDateString(undefined, { weekday: 'short' });
  return dateFormat.format(date);
}

export function formatNumber(value: number): string {
  return numberFormat.format(value);
}

export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '0 %';
  return `${Math.round((part / whole) * 100)} %`;
}

/** "3 h 12 min", "45 min", "under a minute". */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'under a minute';
  const hours = Math.floor(minutes / 60);
  if (hours === 0) return `${minutes} min`;
  return `${hours} h ${minutes % 60} min`;
}

export function formatPhone(waId: string | null | undefined): string {
  if (!waId) return 'unknown number';
  // A wa_id is digits; Meta's display_phone_number already has its plus ("+1 555-0101-1001").
  return waId.startsWith('+') ? waId : `+${waId}`;
}

/** The last digits of a user id ("US.13491208655302741918" → "741918"): enough to tell two people apart. */
const SHORT_USER_ID_LENGTH = 6;

/**
 * What to call a contact besides their name: the number, or for someone who hides it, `@username`, or
 * failing that "WhatsApp user …741918" from the business-scoped user id (Meta sends messages from both).
 */
export function contactLabel(contact: {
  waId: string | null;
  userId?: string | null;
  username?: string | null;
}): string {
  if (contact.waId) return formatPhone(contact.waId);
  if (contact.username) return `@${contact.username}`;
  if (contact.userId) return `WhatsApp user …${contact.userId.slice(-SHORT_USER_ID_LENGTH)}`;
  return formatPhone(null);
}

/** Words from identifiers: `not_interested` → "Not interested". */
export function humanize(value: string | null | undefined): string {
  if (!value) return '';
  const text = value.replaceAll(/[_-]+/g, ' ').toLowerCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function formatUsd(value: number): string {
  return value < 1 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}
