/** One record of a JSON array or NDJSON file, with the line where it starts (1-based). */
export interface JsonRecord {
  line: number;
  /** The parsed value; undefined when `problem` is set. */
  value: unknown;
  problem: string | null;
  raw: string;
}

export class JsonTooLongError extends Error {
  readonly line: number;
  constructor(line: number, maxChars: number) {
    super(`the record starting on line ${line} is longer than ${maxChars} characters`);
    this.name = 'JsonTooLongError';
    this.line = line;
  }
}

const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const LF = 10;

/**
 * Reads a JSON array of records (`[{…}, {…}]`) or NDJSON (one record a line) as a stream: the first
 * character that is not white space decides. Only one record is held at a time. For an array, a scanner
 * finds where each element ends by counting brackets outside strings, so a malformed element is reported
 * with its line and the rest of the file is still read.
 */
export async function* parseJsonRecords(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: { maxRecordChars?: number } = {},
): AsyncGenerator<JsonRecord> {
  const maxRecordChars = options.maxRecordChars ?? 1024 * 1024; // 1 Mi characters
  const decoder = new TextDecoder('utf-8');
  type Mode = 'unknown' | 'array' | 'lines' | 'done';
  let mode = 'unknown' as Mode;
  // The generators below change `mode`; read it through this so TypeScript does not narrow it here.
  const currentMode = (): Mode => mode;
  let buffer = '';
  let line = 1;
  // Array scanner state, kept across chunks.
  let scan = 0;
  let depth = 0;
  let isInString = false;
  let isEscaped = false;
  let elementStart = -1;
  let elementLine = 1;
  let isElementStarted = false;
  let hasSeenElement = false;

  const record = (text: string, startLine: number): JsonRecord => {
    const raw = text.trim();
    try {
      return { line: startLine, value: JSON.parse(raw), problem: null, raw };
    } catch (error) {
      return {
        line: startLine,
        value: undefined,
        problem: `malformed JSON: ${(error as Error).message}`,
        raw,
      };
    }
  };

  function* lines(isFinal: boolean): Generator<JsonRecord> {
    let start = 0;
    for (;;) {
      const end = buffer.indexOf('\n', start);
      if (end === -1) break;
      const text = buffer.slice(start, end);
      if (text.trim() !== '') yield record(text, line);
      line += 1;
      start = end + 1;
    }
    buffer = buffer.slice(start);
    if (isFinal && buffer.trim() !== '') {
      yield record(buffer, line);
      buffer = '';
    }
  }

  function* elements(isFinal: boolean): Generator<JsonRecord> {
    for (; scan < buffer.length; scan += 1) {
      const code = buffer.charCodeAt(scan);
      if (code === LF) line += 1;
      if (isInString) {
        if (isEscaped) isEscaped = false;
        else if (code === BACKSLASH) isEscaped = true;
        else if (code === QUOTE) isInString = false;
        continue;
      }
      if (depth === 0) {
        // Before the opening bracket, or after the closing one.
        if (code === OPEN_BRACKET && !hasSeenElement && elementStart === -1) {
          depth = 1;
          elementStart = scan + 1;
          isElementStarted = false;
        } else if (code > 32) {
          mode = 'done';
          yield {
            line,
            value: undefined,
            problem: 'text after the end of the JSON array',
            raw: buffer.slice(scan, scan + 200),
          };
          return;
        }
        continue;
      }
      if (depth === 1 && (code === COMMA || code === CLOSE_BRACKET)) {
        const text = buffer.slice(elementStart, scan);
        if (isElementStarted) yield record(text, elementLine);
        else if (code === COMMA) yield { line, value: undefined, problem: 'an empty element', raw: '' };
        if (code === CLOSE_BRACKET) {
          depth = 0;
          hasSeenElement = true;
        }
        elementStart = scan + 1;
        isElementStarted = false;
        continue;
      }
      if (!isElementStarted && code > 32) {
        // A record starts on the line of its first character, not of the comma before it.
        isElementStarted = true;
        elementLine = line;
      }
      if (code === QUOTE) isInString = true;
      else if (code === OPEN_BRACE || code === OPEN_BRACKET) depth += 1;
      else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) depth -= 1;
    }
    // Keep only the element being read.
    const keepFrom = depth > 0 ? elementStart : scan;
    buffer = buffer.slice(keepFrom);
    scan -= keepFrom;
    if (depth > 0) elementStart = 0;
    if (isFinal && depth > 0) {
      yield {
        line: elementLine,
        value: undefined,
        problem: 'the JSON array is not closed',
        raw: buffer.slice(0, 200),
      };
    }
  }

  const feed = function* (text: string, isFinal: boolean): Generator<JsonRecord> {
    buffer += text;
    if (mode === 'unknown') {
      if (buffer.charCodeAt(0) === 0xfeff) buffer = buffer.slice(1);
      const first = buffer.search(/\S/);
      if (first === -1) {
        if (isFinal) return;
        // Leading white space: count its lines and wait for content.
        line += (buffer.match(/\n/g) ?? []).length;
        buffer = '';
        return;
      }
      mode = buffer.charCodeAt(first) === OPEN_BRACKET ? 'array' : 'lines';
    }
    if (mode === 'lines') yield* lines(isFinal);
    else if (mode === 'array') yield* elements(isFinal);
  };

  for await (const chunk of source) {
    yield* feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }), false);
    if (currentMode() === 'done') return;
    if (buffer.length > maxRecordChars) {
      throw new JsonTooLongError(currentMode() === 'array' ? elementLine : line, maxRecordChars);
    }
  }
  yield* feed(decoder.decode(), true);
}
