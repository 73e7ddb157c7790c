/** One CSV record, with the line of the file where it starts (1-based; a CSV's header is line 1). */
export interface CsvRecord {
  line: number;
  fields: string[];
  /** Set when the record is malformed (an unclosed quote, text after a closing quote); the fields are a best effort. */
  problem: string | null;
  /** The record's text as it was, for the error report. */
  raw: string;
}

export interface ParseCsvOptions {
  /** `,`, `;` or a tab; `auto` (the default) picks whichever of them the first line has most of. */
  delimiter?: string;
  /** A record longer than this is taken for an unclosed quote swallowing the file, and parsing stops. */
  maxRecordChars?: number;
}

export class CsvTooLongError extends Error {
  readonly line: number;
  constructor(line: number, maxChars: number) {
    super(
      `the record starting on line ${line} is longer than ${maxChars} characters (is a quote not closed?)`,
    );
    this.name = 'CsvTooLongError';
    this.line = line;
  }
}

const QUOTE = 34; // "
const CR = 13;
const LF = 10;

interface Parsed {
  fields: string[];
  end: number;
  problem: string | null;
  lineBreaks: number;
}

/**
 * A streaming RFC 4180 parser: quoted fields with embedded delimiters, line breaks and doubled quotes,
 * CRLF or LF line ends, a UTF-8 byte order mark. Memory holds one chunk and the record being read, never
 * the file. Blank lines are skipped. Beyond the RFC, a quote inside an unquoted field is kept as text
 * (spreadsheets write that), and a malformed record is reported with its line instead of ending the parse.
 */
export async function* parseCsv(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: ParseCsvOptions = {},
): AsyncGenerator<CsvRecord> {
  const maxRecordChars = options.maxRecordChars ?? 1024 * 1024; // 1 Mi characters
  const decoder = new TextDecoder('utf-8');
  let delimiter = options.delimiter === undefined || options.delimiter === 'auto' ? null : options.delimiter;
  let buffer = '';
  let offset = 0;
  let line = 1;
  let isStart = true;

  function* drain(isFinal: boolean): Generator<CsvRecord> {
    if (delimiter === null) {
      const firstBreak = buffer.indexOf('\n');
      if (firstBreak === -1 && !isFinal) return;
      delimiter = detectDelimiter(buffer.slice(0, firstBreak === -1 ? buffer.length : firstBreak));
    }
    const delimiterCode = delimiter.charCodeAt(0);
    while (offset < buffer.length) {
      const parsed = parseRecord(buffer, offset, delimiterCode, isFinal);
      if (parsed === null) break;
      const isBlank = parsed.fields.length === 1 && parsed.fields[0] === '' && parsed.problem === null;
      if (!isBlank) {
        yield {
          line,
          fields: parsed.fields,
          problem: parsed.problem,
          raw: buffer.slice(offset, parsed.end).replace(/\r?\n$/, ''),
        };
      }
      line += parsed.lineBreaks;
      offset = parsed.end;
    }
  }

  for await (const chunk of source) {
    buffer =
      buffer.slice(offset) + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    offset = 0;
    if (isStart && buffer.length > 0) {
      if (buffer.charCodeAt(0) === 0xfeff) buffer = buffer.slice(1);
      isStart = false;
    }
    yield* drain(false);
    if (buffer.length - offset > maxRecordChars) throw new CsvTooLongError(line, maxRecordChars);
  }
  buffer = buffer.slice(offset) + decoder.decode();
  offset = 0;
  if (isStart && buffer.charCodeAt(0) === 0xfeff) buffer = buffer.slice(1);
  yield* drain(true);
}

/** The delimiter the header line uses most, outside quotes: `,` unless `;` or a tab wins. */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let isQuoted = false;
  for (const char of headerLine) {
    if (char === '"') isQuoted = !isQuoted;
    else if (!isQuoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  let best = ',';
  for (const [candidate, count] of counts) if (count > counts.get(best)!) best = candidate;
  return best;
}

/** Index of the next delimiter, CR or LF from `from`, or -1. */
function fieldEnd(text: string, from: number, delimiterCode: number): number {
  for (let index = from; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === delimiterCode || code === LF || code === CR) return index;
  }
  return -1;
}

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let index = from; index < to; index += 1) {
    const code = text.charCodeAt(index);
    if (code === LF) count += 1;
    else if (code === CR && text.charCodeAt(index + 1) !== LF) count += 1;
  }
  return count;
}

/** Reads one record from `start`; null when the buffer ends before the record does (and more may come). */
function parseRecord(text: string, start: number, delimiterCode: number, isFinal: boolean): Parsed | null {
  const fields: string[] = [];
  const length = text.length;
  let index = start;
  let problem: string | null = null;
  let lineBreaks = 0;
  for (;;) {
    if (index < length && text.charCodeAt(index) === QUOTE) {
      let value = '';
      let from = index + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote === -1) {
          if (!isFinal) return null;
          value += text.slice(from);
          lineBreaks += countLineBreaks(text, from, length);
          fields.push(value);
          return { fields, end: length, problem: problem ?? 'a quoted field is not closed', lineBreaks };
        }
        value += text.slice(from, quote);
        lineBreaks += countLineBreaks(text, from, quote);
        if (quote + 1 >= length && !isFinal) return null; // is it "" (an escaped quote)? the next chunk tells
        if (text.charCodeAt(quote + 1) === QUOTE) {
          value += '"';
          from = quote + 2;
          continue;
        }
        index = quote + 1;
        break;
      }
      if (index < length) {
        const code = text.charCodeAt(index);
        if (code !== delimiterCode && code !== CR && code !== LF) {
          problem ??= `text after the closing quote of field ${fields.length + 1}`;
          const end = fieldEnd(text, index, delimiterCode);
          if (end === -1 && !isFinal) return null;
          value += text.slice(index, end === -1 ? length : end);
          index = end === -1 ? length : end;
        }
      }
      fields.push(value);
    } else {
      const end = fieldEnd(text, index, delimiterCode);
      if (end === -1) {
        if (!isFinal) return null;
        fields.push(text.slice(index));
        index = length;
      } else {
        fields.push(text.slice(index, end));
        index = end;
      }
    }
    if (index >= length) {
      if (!isFinal) return null;
      return { fields, end: length, problem, lineBreaks };
    }
    const code = text.charCodeAt(index);
    if (code === delimiterCode) {
      index += 1;
      continue;
    }
    if (code === CR) {
      if (index + 1 >= length && !isFinal) return null;
      index += text.charCodeAt(index + 1) === LF ? 2 : 1;
    } else {
      index += 1;
    }
    return { fields, end: index, problem, lineBreaks: lineBreaks + 1 };
  }
}
