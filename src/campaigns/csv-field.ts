/**
 * A CSV field, quoted when it needs to be (RFC 4180). Text a spreadsheet would run as a formula (`=`,
 * `@`, or `+`/`-` not followed by a digit) gets a leading apostrophe: these reports hold customers' text.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^(?:[=@\t\r]|[+-][^\d\s])/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
