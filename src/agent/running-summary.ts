import type { ConversationLine } from './agent-model.ts';

/** The summary stays under this, dropping its oldest segments first. */
const MAX_SUMMARY_CHARS = 2000;
const QUOTED_REPLIES = 3;
const QUOTE_CHARS = 160;

/**
 * Folds lines that have scrolled out of the recent history into the running summary. It is extractive and
 * deliberately holds none of the customer's words: an adapter may put the summary among its instructions,
 * and customer text must never reach them (what the customer told us lives in the lead fields, and their
 * recent messages in the history). It keeps how much was said, and what we answered.
 */
export function extendSummary(previous: string | null, lines: ConversationLine[]): string | null {
  if (lines.length === 0) return previous;
  const customer = lines.filter((line) => line.speaker === 'customer').length;
  const ours = lines.filter((line) => line.speaker !== 'customer');
  const from = new Date(lines[0]!.at).toISOString().slice(0, 16).replace('T', ' ');
  const to = new Date(lines[lines.length - 1]!.at).toISOString().slice(0, 16).replace('T', ' ');
  const quotes = ours
    .slice(-QUOTED_REPLIES)
    .map((line) => `${line.speaker === 'human' ? 'a colleague' : 'we'} said "${oneLine(line.text)}"`);
  const segment =
    `${from}–${to} UTC: the customer wrote ${customer} message${customer === 1 ? '' : 's'}, ` +
    `we sent ${ours.length}${quotes.length > 0 ? `; ${quotes.join('; ')}` : ''}.`;
  const segments = [...(previous ? previous.split('\n') : []), segment];
  while (segments.length > 1 && segments.join('\n').length > MAX_SUMMARY_CHARS) segments.shift();
  return segments.join('\n').slice(-MAX_SUMMARY_CHARS);
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > QUOTE_CHARS ? `${flat.slice(0, QUOTE_CHARS - 1)}…` : flat;
}
