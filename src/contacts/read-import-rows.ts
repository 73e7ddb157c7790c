import type { CountryCode } from 'libphonenumber-js/max';
import { countryTimeZone, isValidTimeZone } from './country-time-zone.ts';
import { isCountryCode, normalizePhone } from './normalize-phone.ts';
import { parseCsv } from './parse-csv.ts';
import { parseJsonRecords } from './parse-json-records.ts';

/** A valid row of an import, normalized. */
export interface ImportRow {
  waId: string;
  country: string | null;
  name: string | null;
  /** Explicit (a `timeZone` column), else the number's country's representative zone. */
  timeZone: string | null;
  isTimeZoneExplicit: boolean;
  fields: Record<string, string>;
  tags: string[];
  /** Opt-in evidence for the consent ledger; null when the row and the import name no source. */
  optIn: { source: string; at: number | null; proof: string | null } | null;
  /** Do-not-contact imports: why. */
  reason: string | null;
}

export type ImportRecord =
  | { line: number; raw: string; row: ImportRow; problem: null }
  | { line: number; raw: string; row: null; problem: string };

export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

export interface ReadImportRowsOptions {
  format: 'csv' | 'json';
  defaultCountry: CountryCode | null;
  /** Opt-in source for rows that name none (e.g. `web_form`); null records no opt-in for them. */
  optInSource: string | null;
  /** Tags added to every row. */
  tags: string[];
}

type Column =
  | 'phone'
  | 'name'
  | 'tags'
  | 'timeZone'
  | 'country'
  | 'optInSource'
  | 'optInAt'
  | 'optInProof'
  | 'reason';

/** Header names (lowercase, letters and digits only) we recognise, in English, Portuguese and Spanish. */
const ALIASES: Record<string, Column> = {
  phone: 'phone',
  phonenumber: 'phone',
  number: 'phone',
  whatsapp: 'phone',
  whatsappnumber: 'phone',
  waid: 'phone',
  mobile: 'phone',
  msisdn: 'phone',
  telefone: 'phone',
  celular: 'phone',
  telefono: 'phone',
  name: 'name',
  fullname: 'name',
  nome: 'name',
  nombre: 'name',
  tags: 'tags',
  tag: 'tags',
  etiquetas: 'tags',
  timezone: 'timeZone',
  tz: 'timeZone',
  country: 'country',
  pais: 'country',
  optinsource: 'optInSource',
  optinat: 'optInAt',
  optindate: 'optInAt',
  optintime: 'optInAt',
  optinproof: 'optInProof',
  reason: 'reason',
};

const MAX_FIELDS = 50;
const MAX_FIELD_CHARS = 1000;
const MAX_TAGS = 20;
const MAX_TAG_CHARS = 50;
const MAX_NAME_CHARS = 200;
const MAX_RAW_CHARS = 500;

function columnOf(header: string): Column | null {
  return ALIASES[header.toLowerCase().replace(/[^a-z0-9]/g, '')] ?? null;
}

/**
 * Reads an import file as rows, each either valid and normalized or rejected with its line and reason.
 * CSV needs a header row with a phone column; other columns become custom fields. JSON records are
 * objects with the same keys, plus an optional `fields` object and an `optIn` object.
 */
export async function* readImportRows(
  source: AsyncIterable<Uint8Array | string>,
  options: ReadImportRowsOptions,
): AsyncGenerator<ImportRecord> {
  if (options.format === 'csv') {
    let header: Array<{ column: Column | null; name: string }> | null = null;
    for await (const record of parseCsv(source)) {
      if (header === null) {
        header = record.fields.map((name) => ({ column: columnOf(name.trim()), name: name.trim() }));
        if (!header.some((entry) => entry.column === 'phone')) {
          throw new ImportFileError(
            `line ${record.line}: the header has no phone column (name one phone, number, whatsapp or wa_id)`,
          );
        }
        continue;
      }
      const raw = record.raw.slice(0, MAX_RAW_CHARS);
      if (record.problem) {
        yield { line: record.line, raw, row: null, problem: `malformed CSV: ${record.problem}` };
        continue;
      }
      if (record.fields.length !== header.length) {
        yield {
          line: record.line,
          raw,
          row: null,
          problem: `the row has ${record.fields.length} fields and the header ${header.length}`,
        };
        continue;
      }
      const values: Partial<Record<Column, string>> = {};
      const fields: Record<string, string> = {};
      header.forEach((entry, index) => {
        const value = record.fields[index]!.trim();
        if (entry.column) values[entry.column] = value;
        else if (value !== '' && entry.name !== '') fields[entry.name] = value;
      });
      yield toRecord(record.line, raw, values, fields, splitTags(values.tags ?? ''), options);
    }
    return;
  }
  for await (const record of parseJsonRecords(source)) {
    const raw = record.raw.slice(0, MAX_RAW_CHARS);
    if (record.problem) {
      yield { line: record.line, raw, row: null, problem: record.problem };
      continue;
    }
    const value = record.value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      yield { line: record.line, raw, row: null, problem: 'a record must be a JSON object' };
      continue;
    }
    const values: Partial<Record<Column, string>> = {};
    const fields: Record<string, string> = {};
    let tags: string[] = [];
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'fields' && item && typeof item === 'object' && !Array.isArray(item)) {
        for (const [name, fieldValue] of Object.entries(item as Record<string, unknown>)) {
          if (fieldValue !== null && fieldValue !== undefined && fieldValue !== '')
            fields[name] = String(fieldValue);
        }
        continue;
      }
      if (key === 'optIn' && item && typeof item === 'object') {
        const optIn = item as Record<string, unknown>;
        if (optIn.source !== undefined) values.optInSource = String(optIn.source);
        if (optIn.at !== undefined) values.optInAt = String(optIn.at);
        if (optIn.proof !== undefined) values.optInProof = String(optIn.proof);
        continue;
      }
      const column = columnOf(key);
      if (column === 'tags') {
        tags = Array.isArray(item) ? item.map((tag) => String(tag)) : splitTags(String(item ?? ''));
      } else if (column) {
        if (item !== null && item !== undefined) values[column] = String(item).trim();
      } else if (item !== null && item !== undefined && item !== '') {
        fields[key] = typeof item === 'object' ? JSON.stringify(item) : String(item);
      }
    }
    yield toRecord(record.line, raw, values, fields, tags, options);
  }
}

function splitTags(text: string): string[] {
  return text
    .split(/[;|,]/)
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
}

function parseTime(text: string): number | null {
  if (/^\d{9,10}$/.test(text)) return Number(text) * 1000; // epoch seconds
  if (/^\d{12,13}$/.test(text)) return Number(text); // epoch ms
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

function toRecord(
  line: number,
  raw: string,
  values: Partial<Record<Column, string>>,
  fields: Record<string, string>,
  rowTags: string[],
  options: ReadImportRowsOptions,
): ImportRecord {
  const reject = (problem: string): ImportRecord => ({ line, raw, row: null, problem });
  let country = options.defaultCountry;
  if (values.country) {
    const code = values.country.toUpperCase();
    if (!isCountryCode(code))
      return reject(`unknown country "${values.country}" (use ISO codes such as BR, MX, US)`);
    country = code;
  }
  const phone = normalizePhone(values.phone ?? '', country);
  if (!phone.ok) return reject(phone.reason);
  let timeZone = countryTimeZone(phone.country);
  let isTimeZoneExplicit = false;
  if (values.timeZone) {
    if (!isValidTimeZone(values.timeZone)) {
      return reject(`unknown time zone "${values.timeZone}" (use IANA names such as America/Sao_Paulo)`);
    }
    timeZone = values.timeZone;
    isTimeZoneExplicit = true;
  }
  const name = values.name ? values.name.slice(0, MAX_NAME_CHARS) : null;
  const fieldEntries = Object.entries(fields);
  if (fieldEntries.length > MAX_FIELDS) return reject(`more than ${MAX_FIELDS} custom fields`);
  const tooLong = fieldEntries.find(([, value]) => value.length > MAX_FIELD_CHARS);
  if (tooLong) return reject(`field "${tooLong[0]}" is longer than ${MAX_FIELD_CHARS} characters`);
  const tags = [
    ...new Set([...options.tags, ...rowTags].map((tag) => tag.trim()).filter((tag) => tag !== '')),
  ];
  if (tags.length > MAX_TAGS) return reject(`more than ${MAX_TAGS} tags`);
  const longTag = tags.find((tag) => tag.length > MAX_TAG_CHARS);
  if (longTag) return reject(`tag "${longTag.slice(0, 20)}…" is longer than ${MAX_TAG_CHARS} characters`);
  let optIn: ImportRow['optIn'] = null;
  const source = values.optInSource || options.optInSource;
  if (source) {
    let at: number | null = null;
    if (values.optInAt) {
      at = parseTime(values.optInAt);
      if (at === null) return reject(`opt-in time "${values.optInAt}" is not a date (use ISO 8601)`);
    }
    optIn = {
      source: source.slice(0, 100),
      at,
      proof: values.optInProof ? values.optInProof.slice(0, 2000) : null,
    };
  }
  return {
    line,
    raw,
    problem: null,
    row: {
      waId: phone.waId,
      country: phone.country,
      name,
      timeZone,
      isTimeZoneExplicit,
      fields,
      tags,
      optIn,
      reason: values.reason ? values.reason.slice(0, 500) : null,
    },
  };
}
