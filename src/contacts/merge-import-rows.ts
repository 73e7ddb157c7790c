import type { ImportRow } from './read-import-rows.ts';

/**
 * Two values for one number's name, time zone or custom field: the one kept and the one it replaced, each
 * with where it came from. The later row wins (file order), and any row wins over the saved contact; a
 * blank cell never replaces a value, so it is no conflict.
 */
export interface MergeConflict {
  waId: string;
  /** `name`, `timeZone`, or the custom field's own name (its column). */
  field: string;
  kept: string;
  keptLine: number;
  replaced: string;
  /** The earlier row's line; null when the value was the saved contact's (saved before, or by an earlier batch). */
  replacedLine: number | null;
}

export interface MergedRow {
  row: ImportRow;
  /** The line of the row each value came from, by `valueKey`. */
  lines: Map<string, number>;
  optIns: NonNullable<ImportRow['optIn']>[];
  /** Rows of this batch merged into the first one that disagreed with it on some value. */
  conflictingMerges: number;
}

/** What a saved contact holds, to be compared with the merged row. */
export interface SavedContactValues {
  name: string | null;
  timeZone: string | null;
  fields: Record<string, string>;
}

const NAME = 'name';
const TIME_ZONE = 'timeZone';
const fieldKey = (name: string) => `fields.${name}`;
const labelOf = (key: string) => (key.startsWith('fields.') ? key.slice('fields.'.length) : key);

/**
 * Several rows for one number in a batch become one: later values win, tags add up, every opt-in is kept,
 * and every value that a later row replaced is listed.
 */
export function mergeImportRows(records: Array<{ line: number; row: ImportRow }>): {
  byWaId: Map<string, MergedRow>;
  conflicts: MergeConflict[];
} {
  const byWaId = new Map<string, MergedRow>();
  const conflicts: MergeConflict[] = [];
  for (const { line, row } of records) {
    const existing = byWaId.get(row.waId);
    if (!existing) {
      const lines = new Map<string, number>();
      if (row.name) lines.set(NAME, line);
      if (row.isTimeZoneExplicit) lines.set(TIME_ZONE, line);
      for (const name of Object.keys(row.fields)) lines.set(fieldKey(name), line);
      byWaId.set(row.waId, {
        row: { ...row, fields: { ...row.fields }, tags: [...row.tags] },
        lines,
        optIns: row.optIn ? [row.optIn] : [],
        conflictingMerges: 0,
      });
      continue;
    }
    const target = existing.row;
    const before = conflicts.length;
    const take = (key: string, earlier: string | null, later: string) => {
      const earlierLine = existing.lines.get(key);
      if (earlier !== null && earlier !== later && earlierLine !== undefined) {
        conflicts.push({
          waId: row.waId,
          field: labelOf(key),
          kept: later,
          keptLine: line,
          replaced: earlier,
          replacedLine: earlierLine,
        });
      }
      existing.lines.set(key, line);
    };
    if (row.name) {
      take(NAME, target.name, row.name);
      target.name = row.name;
    }
    if (row.isTimeZoneExplicit && row.timeZone) {
      take(TIME_ZONE, target.isTimeZoneExplicit ? target.timeZone : null, row.timeZone);
      target.timeZone = row.timeZone;
      target.isTimeZoneExplicit = true;
    }
    for (const [name, value] of Object.entries(row.fields)) {
      take(fieldKey(name), target.fields[name] ?? null, value);
      target.fields[name] = value;
    }
    target.tags = [...new Set([...target.tags, ...row.tags])];
    if (row.optIn) existing.optIns.push(row.optIn);
    if (conflicts.length > before) existing.conflictingMerges += 1;
  }
  return { byWaId, conflicts };
}

/** The values of a saved contact that the merged row replaces (with the line each replacement came from). */
export function conflictsWithSaved(
  waId: string,
  merged: MergedRow,
  saved: SavedContactValues,
): MergeConflict[] {
  const conflicts: MergeConflict[] = [];
  const compare = (key: string, savedValue: string | null, rowValue: string | null) => {
    const line = merged.lines.get(key);
    if (savedValue === null || rowValue === null || savedValue === rowValue || line === undefined) return;
    conflicts.push({
      waId,
      field: labelOf(key),
      kept: rowValue,
      keptLine: line,
      replaced: savedValue,
      replacedLine: null,
    });
  };
  const { row } = merged;
  compare(NAME, saved.name, row.name);
  if (row.isTimeZoneExplicit) compare(TIME_ZONE, saved.timeZone, row.timeZone);
  for (const [name, value] of Object.entries(row.fields))
    compare(fieldKey(name), saved.fields[name] ?? null, value);
  return conflicts;
}
