import { describe, expect, it } from 'vitest';
import { detectDelimiter, parseCsv } from '../../src/contacts/parse-csv.ts';
import { parseJsonRecords } from '../../src/contacts/parse-json-records.ts';

/** Feeds text in pieces of `size` characters (or bytes), so records cross chunk boundaries. */
async function* pieces(text: string, size: number, asBytes = false): AsyncGenerator<string | Uint8Array> {
  const data = asBytes ? Buffer.from(text) : text;
  for (let index = 0; index < data.length; index += size) yield data.slice(index, index + size);
}

async function collect<T>(generator: AsyncGenerator<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of generator) items.push(item);
  return items;
}

describe('parseCsv', () => {
  const sample =
    '\uFEFFphone,name,note\r\n' +
    '+5511987650001,"Souza, Ana","said ""hi"""\r\n' +
    '+5511987650002,Bruno,"two\r\nlines"\r\n' +
    '\r\n' +
    '+5511987650003,Carla,plain\n' +
    '+5511987650004,"Dani"x,broken\n' +
    '+5511987650005,Eva,"unclosed';

  for (const size of [1, 2, 3, 7, 64, 10_000]) {
    for (const asBytes of [false, true]) {
      it(`reads quoted fields, escaped quotes, CRLF, BOM and reports malformed records (pieces of ${size}${asBytes ? ' bytes' : ''})`, async () => {
        const records = await collect(parseCsv(pieces(sample, size, asBytes)));
        expect(records.map((record) => [record.line, record.fields, record.problem])).toEqual([
          [1, ['phone', 'name', 'note'], null],
          [2, ['+5511987650001', 'Souza, Ana', 'said "hi"'], null],
          [3, ['+5511987650002', 'Bruno', 'two\r\nlines'], null],
          [6, ['+5511987650003', 'Carla', 'plain'], null],
          [7, ['+5511987650004', 'Danix', 'broken'], 'text after the closing quote of field 2'],
          [8, ['+5511987650005', 'Eva', 'unclosed'], 'a quoted field is not closed'],
        ]);
        expect(records[1]!.raw).toBe('+5511987650001,"Souza, Ana","said ""hi"""');
      });
    }
  }

  it('detects a semicolon or tab delimiter from the header', async () => {
    expect(detectDelimiter('telefone;nome;"a,b"')).toBe(';');
    expect(detectDelimiter('phone\tname')).toBe('\t');
    expect(detectDelimiter('phone')).toBe(',');
    const records = await collect(parseCsv(pieces('telefone;nome\n5511987650001;Ana, a\n', 5)));
    expect(records.map((record) => record.fields)).toEqual([
      ['telefone', 'nome'],
      ['5511987650001', 'Ana, a'],
    ]);
  });

  it('keeps multi-byte characters split across chunks', async () => {
    const records = await collect(parseCsv(pieces('name\nJoão Ñandú 😀\n', 1, true)));
    expect(records[1]!.fields).toEqual(['João Ñandú 😀']);
  });

  it('stops on a record that swallows the file', async () => {
    await expect(
      collect(parseCsv(pieces(`a\n"${'x'.repeat(5000)}`, 100), { maxRecordChars: 1000 })),
    ).rejects.toThrow(/line 2/);
  });
});

describe('parseJsonRecords', () => {
  for (const size of [1, 5, 1000]) {
    it(`reads a JSON array with the line of each element (pieces of ${size})`, async () => {
      const text =
        '[\n  {"phone": "1", "note": "a ] , { inside"},\n  {"phone": "2",\n   "x": [1, {"y": 2}]},\n  {bad json},\n  7\n]\n';
      const records = await collect(parseJsonRecords(pieces(text, size)));
      expect(
        records.map((record) => [record.line, record.value, record.problem?.slice(0, 14) ?? null]),
      ).toEqual([
        [2, { phone: '1', note: 'a ] , { inside' }, null],
        [3, { phone: '2', x: [1, { y: 2 }] }, null],
        [5, undefined, 'malformed JSON'],
        [6, 7, null],
      ]);
    });

    it(`reads NDJSON line by line (pieces of ${size})`, async () => {
      const records = await collect(parseJsonRecords(pieces('{"a":1}\n\n{"a":\n{"a":3}', size)));
      expect(records.map((record) => [record.line, record.value, record.problem === null])).toEqual([
        [1, { a: 1 }, true],
        [3, undefined, false],
        [4, { a: 3 }, true],
      ]);
    });
  }

  it('reports an array that is never closed', async () => {
    const records = await collect(parseJsonRecords(pieces('[{"a":1}, {"a":', 4)));
    expect(records.map((record) => record.problem)).toEqual([null, 'the JSON array is not closed']);
  });
});
