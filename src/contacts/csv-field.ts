/**
 * A CSV field, quoted when it needs to be (RFC 4180). These reports hold customers' own text (profile
 * names, raw import rows), so text that a spreadsheet would run as a formula is defused the way OWASP's
 * "CSV Injection" page says: every cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
 * gets a leading apostrophe, and the cell is quoted. No exception for `+`/`-` before a digit:
 * `+1+HYPERLINK(…)` and `-2+3+cmd|…` are formulas too. Numbers that we computed are written as they are.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  if (/^[=+\-@\t\r]/.test(value)) return `"'${value.replaceAll('"', '""')}"`;
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
