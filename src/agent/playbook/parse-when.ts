import { normalizeSearchText } from '../normalize-search-text.ts';
import { addDays, toWallClock, type WallClock } from './wall-clock.ts';

/** What a customer said about when, in English, Spanish or Portuguese, relative to a wall clock. */
export interface When {
  /** "in 2 hours": an exact instant, epoch ms. */
  instant: number | null;
  /** The calendar day ("tomorrow", "on Monday", "15/03"), in the customer's zone. */
  date: { year: number; month: number; day: number } | null;
  /** The time of day ("at 3 pm", "a las 10", "às 15h", "in the afternoon"). */
  time: { hour: number; minute: number } | null;
}

const MINUTE_MS = 60_000;

const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  ten: 10,
  un: 1,
  una: 1,
  uno: 1,
  dos: 2,
  tres: 3,
  cuatro: 4,
  cinco: 5,
  seis: 6,
  diez: 10,
  um: 1,
  uma: 1,
  dois: 2,
  duas: 2,
  quatro: 4,
  dez: 10,
};

const WEEKDAY_NAMES: Array<[RegExp, number]> = [
  [/\b(sunday|domingo)\b/, 0],
  [/\b(monday|lunes|segunda)\b/, 1],
  [/\b(tuesday|martes|terca)\b/, 2],
  [/\b(wednesday|miercoles|quarta)\b/, 3],
  [/\b(thursday|jueves|quinta)\b/, 4],
  [/\b(friday|viernes|sexta)\b/, 5],
  [/\b(saturday|sabado)\b/, 6],
];

const MONTH_NAMES: Array<[RegExp, number]> = [
  [/^(january|jan|enero|janeiro)$/, 1],
  [/^(february|feb|febrero|fevereiro)$/, 2],
  [/^(march|mar|marzo|marco)$/, 3],
  [/^(april|apr|abril)$/, 4],
  [/^(may|mayo|maio)$/, 5],
  [/^(june|jun|junio|junho)$/, 6],
  [/^(july|jul|julio|julho)$/, 7],
  [/^(august|aug|agosto)$/, 8],
  [/^(september|sep|sept|septiembre|setiembre|setembro)$/, 9],
  [/^(october|oct|octubre|outubro)$/, 10],
  [/^(november|nov|noviembre|novembro)$/, 11],
  [/^(december|dec|diciembre|dezembro)$/, 12],
];
const MONTH_WORD =
  '(january|jan|february|feb|march|april|apr|may|june|july|august|aug|september|sept|october|oct|november|nov|december|dec|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|janeiro|fevereiro|marco|maio|junho|julho|setembro|outubro|novembro|dezembro)';

function monthNumber(word: string): number | null {
  return MONTH_NAMES.find(([pattern]) => pattern.test(word))?.[1] ?? null;
}

function toNumber(word: string): number | null {
  if (/^\d+$/.test(word)) return Number(word);
  return NUMBER_WORDS[word] ?? null;
}

/** Lowercase, no accents, and only the punctuation times are written with (":" and "/"). */
function plain(text: string): string {
  return normalizeSearchText(text)
    .replace(/[^\p{L}\p{N}:/-]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** "in 2 hours", "en 30 minutos", "daqui a 2 horas", "in 3 days": the amount and its unit, removed from the text. */
function parseRelative(text: string): { minutes: number; days: number; rest: string } | null {
  const half = /\b(in|en|em|within|dentro de|daqui a)? ?(half an hour|media hora|meia hora)\b/;
  if (half.test(text)) return { minutes: 30, days: 0, rest: text.replace(half, ' ') };
  const pattern =
    /\b(in|en|em|within|dentro de|daqui a|daqui)\s+(\d+|an?|one|two|three|four|five|six|ten|un|una|uno|dos|tres|cuatro|cinco|seis|diez|um|uma|dois|duas|quatro|dez)\s*(minutes?|mins?|minutos?|hours?|hrs?|horas?|h|days?|dias?)\b/;
  const match = pattern.exec(text);
  if (!match) return null;
  const amount = toNumber(match[2] ?? '');
  const unit = match[3] ?? '';
  if (amount === null) return null;
  const rest = text.replace(match[0], ' ');
  if (/^(day|dia)/.test(unit)) return { minutes: 0, days: amount, rest };
  if (/^(h|hour|hr|hora)/.test(unit)) return { minutes: amount * 60, days: 0, rest };
  return { minutes: amount, days: 0, rest };
}

/** The day offset or calendar date named in the text, relative to `today`. */
function parseDate(text: string, today: WallClock): When['date'] {
  const on = (days: number) => dateIn(today, days);
  if (/\b(day after tomorrow|pasado manana|depois de amanha)\b/.test(text)) return on(2);
  // "mañana" is tomorrow, but "por la mañana" / "esta mañana" is the morning.
  if (/\btomorrow\b|\bamanha\b|(?<!\b(la|esta|de|por) )\bmanana\b/.test(text)) return on(1);
  if (
    /\b(today|tonight|hoy|hoje|this (morning|afternoon|evening)|esta (noche|tarde|manana)|hoje a noite|ahorita)\b/.test(
      text,
    )
  ) {
    return on(0);
  }
  if (/\b(next week|la proxima semana|la semana que viene|proxima semana|semana que vem)\b/.test(text)) {
    return on((8 - today.weekday) % 7 || 7); // the next Monday
  }
  if (/\b(next month|el proximo mes|el mes que viene|proximo mes|mes que vem)\b/.test(text)) {
    const year = today.month === 12 ? today.year + 1 : today.year;
    return { year, month: (today.month % 12) + 1, day: 1 };
  }
  const iso = /\b(\d{4})-(\d{2})-(\d{2})\b/.exec(text);
  if (iso) return { year: Number(iso[1]), month: Number(iso[2]), day: Number(iso[3]) };
  const numeric = /\b(\d{1,2})\/(\d{1,2})(?:\/(\d{2,4}))?\b/.exec(text);
  if (numeric) {
    // Day first, as Spanish and Portuguese write it, unless that cannot be (12/25 is December 25).
    let day = Number(numeric[1]);
    let month = Number(numeric[2]);
    if (month > 12 && day <= 12) [day, month] = [month, day];
    return inYear(day, month, numeric[3], today);
  }
  const dayMonth = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?(?: de| of)? ${MONTH_WORD}\\b`).exec(text);
  if (dayMonth) return inYear(Number(dayMonth[1]), monthNumber(dayMonth[2] ?? '') ?? 0, undefined, today);
  const monthDay = new RegExp(`\\b${MONTH_WORD} (\\d{1,2})(?:st|nd|rd|th)?\\b`).exec(text);
  if (monthDay) return inYear(Number(monthDay[2]), monthNumber(monthDay[1] ?? '') ?? 0, undefined, today);
  for (const [pattern, weekday] of WEEKDAY_NAMES) {
    // The next such day, never today: "on Monday" said on a Monday means next week.
    if (pattern.test(text)) return on((weekday - today.weekday + 7) % 7 || 7);
  }
  return null;
}

/** A day and month, in the year given or else the next time that date comes round. */
function inYear(day: number, month: number, yearText: string | undefined, today: WallClock): When['date'] {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (yearText) {
    const year = Number(yearText);
    return { year: year < 100 ? 2000 + year : year, month, day };
  }
  const isPast = month < today.month || (month === today.month && day < today.day);
  return { year: isPast ? today.year + 1 : today.year, month, day };
}

const AFTERNOON =
  /\b(in the afternoon|in the evening|at night|tonight|(de|por|en) la (tarde|noche)|esta (tarde|noche)|(da|de|a|pela|na) (tarde|noite)|hoje a noite)\b/;
const MORNING = /\b(in the morning|this morning|(de|por|en) la manana|esta manana|(da|de|pela|na) manha)\b/;

/** The time of day, or null. A bare hour from 1 to 7 is taken as afternoon: nobody books a sales call at 3 am. */
function parseTime(text: string): When['time'] {
  if (/\b(noon|midday|mediodia|meio dia|meio-dia)\b/.test(text)) return { hour: 12, minute: 0 };
  const twelveHour = /\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a m|p m)\b/.exec(text);
  if (twelveHour) {
    const hour = Number(twelveHour[1]);
    const minute = twelveHour[2] ? Number(twelveHour[2]) : 0;
    if (hour >= 1 && hour <= 12 && minute <= 59) {
      const isPm = (twelveHour[3] ?? '').startsWith('p');
      return { hour: (hour % 12) + (isPm ? 12 : 0), minute };
    }
  }
  const patterns = [
    /\b(\d{1,2})\s*h\s*(\d{2})?\b/,
    /\b(\d{1,2}):(\d{2})\b/,
    /\b(?:at|around|about|a las|a la|las|sobre las|as|pelas|por volta das)\s+(\d{1,2})(?::(\d{2}))?\b/,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (!match) continue;
    let hour = Number(match[1]);
    const minute = match[2] ? Number(match[2]) : 0;
    if (hour > 23 || minute > 59) continue;
    if (hour < 12 && AFTERNOON.test(text)) hour += 12;
    else if (hour >= 1 && hour <= 7 && !MORNING.test(text)) hour += 12;
    return { hour, minute };
  }
  if (MORNING.test(text)) return { hour: 10, minute: 0 };
  if (/\b(afternoon|(de|por|en|a) la tarde|esta tarde|(da|de|a|pela|na) tarde)\b/.test(text))
    return { hour: 15, minute: 0 };
  if (
    /\b(evening|tonight|(de|por|en) la noche|esta noche|(da|de|a|pela|na) noite|hoje a noite)\b/.test(text)
  ) {
    return { hour: 19, minute: 0 };
  }
  return null;
}

/** Everything a message says about when, read against `now` in `timeZone`. */
export function parseWhen(text: string, now: number, timeZone: string): When {
  const today = toWallClock(now, timeZone);
  let rest = plain(text);
  const relative = parseRelative(rest);
  if (relative) {
    rest = relative.rest;
    if (relative.minutes > 0) return { instant: now + relative.minutes * MINUTE_MS, date: null, time: null };
  }
  const date = relative ? dateIn(today, relative.days) : parseDate(rest, today);
  return { instant: null, date, time: parseTime(rest) };
}

function dateIn(today: WallClock, days: number): When['date'] {
  const wall = addDays(today, days);
  return { year: wall.year, month: wall.month, day: wall.day };
}
