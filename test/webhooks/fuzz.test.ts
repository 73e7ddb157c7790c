import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_PHONE_NUMBER_ID, SANDBOX_WABA_ID, sandboxSecret } from '../../src/coxcox.ts';
import { WEBHOOK_BODY_LIMIT_BYTES } from '../../src/whatsapp/webhook-routes.ts';
import { startTestCoxcox } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';
import { metaJson, signature } from '../support/meta-body.ts';

/**
 * Fuzzed and malformed bodies never crash the server or lose a signed delivery. Every signed body is
 * acknowledged (413 above the 3 MiB limit), stored byte for byte, and processed to `processed` or
 * `invalid`, never stuck; the valid deliveries interleaved with the garbage are all applied. Unsigned
 * and wrongly signed ones get 401 and store nothing.
 *
 * Reproduce a failure with FUZZ_SEED=<the seed in the failure message>.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eedc0c5);
/** Fuzzed cases posted through inject(), besides the valid ones interleaved with them. */
const INJECT_CASES = 2000;
/** Fuzzed cases posted over a real socket. */
const HTTP_CASES = 240;
/** Requests in flight at once. */
const CONCURRENCY = 32;

// ---------------------------------------------------------------------------------------------------
// a seeded source of randomness (Mulberry32), so that a failure reproduces from its seed

interface Random {
  next(): number;
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  bytes(length: number): Buffer;
  shuffle<T>(items: T[]): T[];
}

function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    bytes(length) {
      const buffer = Buffer.alloc(length);
      for (let index = 0; index < length; index++) buffer[index] = int(0, 255);
      return buffer;
    },
    shuffle(items) {
      for (let index = items.length - 1; index > 0; index--) {
        const other = int(0, index);
        [items[index], items[other]] = [items[other]!, items[index]!];
      }
      return items;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// the cases

interface FuzzCase {
  label: string;
  body: Buffer;
  /** undefined: no Content-Type header at all. */
  contentType: string | undefined;
  /** Inbound message ids this delivery must leave in `messages`; empty for garbage. */
  wamids: string[];
  /** Over a real socket: send as Transfer-Encoding: chunked (by default, a random choice). */
  isChunked?: boolean;
}

const CONTENT_TYPES: ReadonlyArray<string | undefined> = [
  'application/json',
  'application/json',
  undefined,
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----coxcoxfuzz',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'text/html',
];

/** Values of the wrong type (or the right type and an absurd value) for every position in a notification. */
const WRONG_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  2 ** 63,
  1_760_000_000_000.5,
  '',
  'x',
  '1760000000000.5',
  ' 12 ',
  'nul\u0000byte',
  'lone \ud800 surrogate',
  [],
  [null, 1, 'x'],
  {},
  JSON.parse('{"__proto__":{"isPolluted":true},"constructor":{"prototype":{"isPolluted":true}}}'),
];
const MISSING = Symbol('missing');

/** Characters that stress encodings: escapes, multi-byte, astral, bidi, and the odd control character. */
const TEXT_CHARACTERS = [
  'a',
  'Z',
  ' ',
  '/',
  '\\',
  '"',
  "'",
  'é',
  'ç',
  'ã',
  'ß',
  '中',
  '😀',
  '🙂',
  '\u200f',
  '\t',
  '\n',
  '\u2028',
  '\ufeff',
];

function textOf(random: Random, length: number): string {
  let text = '';
  for (let index = 0; index < length; index++) text += random.pick(TEXT_CHARACTERS);
  return text;
}

function messagesValue(messages: unknown[], extra: Record<string, unknown> = {}) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: SANDBOX_WABA_ID,
        time: 1_760_000_000,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550000001', phone_number_id: SANDBOX_PHONE_NUMBER_ID },
              contacts: [{ profile: { name: 'Fuzz Customer' }, wa_id: '5511900000001' }],
              messages,
              ...extra,
            },
          },
        ],
      },
    ],
  };
}

function textMessage(id: string, text: string, from = '5511900000001') {
  return { from, id, timestamp: '1760000000', type: 'text', text: { body: text } };
}

/** Notifications whose every position is replaced by every wrong value, one at a time. */
function templates(): Array<{ name: string; notification: unknown }> {
  return [
    {
      name: 'messages',
      notification: messagesValue(
        [
          {
            ...textMessage('wamid.TYPES', 'hello'),
            context: { from: '15550000001', id: 'wamid.CONTEXT' },
            referral: { source_url: 'https://fb.me/x', source_type: 'ad', source_id: '1' },
          },
          {
            from: '5511900000001',
            id: 'wamid.TYPES.IMAGE',
            timestamp: '1760000001',
            type: 'image',
            image: { id: '123', mime_type: 'image/jpeg', sha256: 'abc', caption: 'c' },
          },
          {
            from: '5511900000001',
            id: 'wamid.TYPES.INTERACTIVE',
            timestamp: '1760000002',
            type: 'interactive',
            interactive: { type: 'nfm_reply', nfm_reply: { response_json: '{"a":1}', name: 'flow' } },
          },
        ],
        {
          statuses: [
            {
              id: 'wamid.TYPES.OUT',
              status: 'failed',
              timestamp: '1760000003',
              recipient_id: '5511900000001',
              biz_opaque_callback_data: 'outbox:1',
              errors: [{ code: 131026, title: 'Message undeliverable', error_data: { details: 'd' } }],
              conversation: { id: 'c1', expiration_timestamp: '1760086400', origin: { type: 'service' } },
              pricing: { billable: true, pricing_model: 'PMP', category: 'service' },
            },
          ],
          errors: [{ code: 131051, title: 'Unsupported message type' }],
        },
      ),
    },
    {
      name: 'template status',
      notification: {
        object: 'whatsapp_business_account',
        entry: [
          {
            id: SANDBOX_WABA_ID,
            time: 1_760_000_000,
            changes: [
              {
                field: 'message_template_status_update',
                value: {
                  event: 'APPROVED',
                  message_template_id: 1234,
                  message_template_name: 'promo',
                  message_template_language: 'pt_BR',
                  reason: 'NONE',
                  disable_info: { disable_date: 1_760_000_000 },
                },
              },
            ],
          },
        ],
      },
    },
    {
      name: 'calls and preferences',
      notification: {
        object: 'whatsapp_business_account',
        entry: [
          {
            id: SANDBOX_WABA_ID,
            time: 1_760_000_000,
            changes: [
              {
                field: 'calls',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: '15550000001', phone_number_id: SANDBOX_PHONE_NUMBER_ID },
                  calls: [
                    {
                      id: 'call.1',
                      from: '5511900000001',
                      event: 'terminate',
                      timestamp: '1760000000',
                      duration: 12,
                    },
                  ],
                },
              },
              {
                field: 'user_preferences',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: '15550000001', phone_number_id: SANDBOX_PHONE_NUMBER_ID },
                  user_preferences: [
                    {
                      wa_id: '5511900000001',
                      category: 'marketing_messages',
                      value: 'stop',
                      timestamp: 1_760_000_000,
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    },
  ];
}

type Path = Array<string | number>;

function pathsOf(value: unknown, path: Path = []): Path[] {
  const paths: Path[] = [path];
  if (Array.isArray(value)) {
    for (const [index, child] of value.entries()) paths.push(...pathsOf(child, [...path, index]));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) paths.push(...pathsOf(child, [...path, key]));
  }
  return paths;
}

function replaced(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value === MISSING ? undefined : value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === MISSING) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    parent[last] = value;
  }
  return copy;
}

/** Bytes that are never valid UTF-8 (a lone continuation byte, an overlong `/`, an encoded surrogate…). */
const INVALID_UTF8: readonly number[][] = [
  [0xff],
  [0xfe],
  [0x80],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf4, 0x90, 0x80, 0x80],
  [0xc3],
];

function createCorpus(random: Random, prefix: string) {
  let validCount = 0;
  let typeCount = 0;
  const nextWamid = () => `wamid.VALID.${prefix}.${++validCount}`;
  const contentType = () => random.pick(CONTENT_TYPES);
  const fromText = (
    label: string,
    text: string | Buffer,
    wamids: string[] = [],
    type = contentType(),
  ): FuzzCase => ({
    label,
    body: Buffer.isBuffer(text) ? text : Buffer.from(text),
    contentType: type,
    wamids,
  });

  const valid = (): FuzzCase => {
    const count = random.chance(0.8) ? 1 : random.int(2, 5);
    const ids = Array.from({ length: count }, nextWamid);
    const notification = messagesValue(
      ids.map((id) =>
        textMessage(
          id,
          textOf(random, random.int(0, 40)),
          `55119${String(random.int(0, 50)).padStart(8, '0')}`,
        ),
      ),
      random.chance(0.3)
        ? {
            statuses: [
              {
                id: `${ids[0]}.OUT`,
                status: random.pick(['sent', 'delivered', 'read']),
                timestamp: '1760000000',
                recipient_id: '5511900000001',
              },
            ],
          }
        : {},
    );
    // Meta's own escaping, or raw UTF-8 (what a proxy re-encoding the body would send).
    const body = random.chance(0.7) ? metaJson(notification) : JSON.stringify(notification);
    return fromText(
      `valid ${ids.join(',')}`,
      body,
      ids,
      random.chance(0.8) ? 'application/json' : contentType(),
    );
  };

  /** A list of `size` copies of `item` as the changes of an entry, or the messages, statuses or contacts of a change. */
  const longList = (
    size: number,
    item: string,
    where: 'messages' | 'statuses' | 'contacts' | 'changes',
  ): FuzzCase => {
    const list = `[${Array(size).fill(item).join(',')}]`;
    if (where === 'changes') {
      return fromText(
        `${size} changes of ${item}`,
        `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":${list}}]}`,
      );
    }
    const template = metaJson(messagesValue([], { [where]: 'PLACEHOLDER' }));
    return fromText(`${size} ${where} of ${item}`, template.replace('"PLACEHOLDER"', list));
  };

  const validJson = () =>
    metaJson(
      messagesValue([textMessage(`wamid.GARBLED.${prefix}.${random.int(0, 1e9)}`, textOf(random, 20))]),
    );

  const generators: Array<() => FuzzCase> = [
    () =>
      fromText(
        'random bytes',
        random.bytes(random.chance(0.9) ? random.int(0, 512) : random.int(4096, 65_536)),
      ),
    () =>
      fromText(
        'random printable',
        Buffer.from(Array.from({ length: random.int(1, 300) }, () => random.int(32, 126))),
      ),
    () => {
      const json = validJson();
      return fromText('truncated JSON', json.slice(0, random.int(0, json.length - 1)));
    },
    () => {
      const json = validJson();
      const at = random.int(0, json.length - 1);
      return fromText(
        'one byte flipped',
        `${json.slice(0, at)}${String.fromCharCode(random.int(32, 126))}${json.slice(at + 1)}`,
      );
    },
    () => {
      const depth = random.pick([50, 150, 199, 200, 201, 1000, 10_000, 100_000]);
      const [open, close] = random.pick([
        ['[', ']'],
        ['{"a":', '}'],
        ['[{"x":', '}]'],
      ] as const);
      const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
      const where = random.pick(['top', 'entry', 'text', 'messages']);
      if (where === 'top') return fromText(`nested ${depth} at the top`, nested);
      if (where === 'entry')
        return fromText(
          `nested ${depth} as entry`,
          `{"object":"whatsapp_business_account","entry":${nested}}`,
        );
      const wamid = `wamid.NESTED.${prefix}.${random.int(0, 1e9)}`;
      const template = metaJson(
        messagesValue([where === 'text' ? textMessage(wamid, 'PLACEHOLDER') : 'PLACEHOLDER']),
      );
      return fromText(`nested ${depth} in ${where}`, template.replace('"PLACEHOLDER"', nested));
    },
    () => {
      const size = random.pick([10_000, 100_000, 300_000]);
      const item = random.pick(['0', 'null', '"x"', '[]', '{}']);
      return fromText(
        `entry of ${size} × ${item}`,
        `{"object":"whatsapp_business_account","entry":[${Array(size).fill(item).join(',')}]}`,
      );
    },
    () => {
      // Each item here becomes an event to store; the sizes() cases hold the one large one.
      const size = random.pick([10, 30, 100]);
      return longList(
        size,
        random.pick(['0', 'null', '"x"', '[]', '{}', '{"id":"same"}']),
        random.pick(['messages', 'statuses', 'contacts', 'changes']),
      );
    },
    () => {
      // Invalid UTF-8 inside a message text: the JSON still parses (as U+FFFD), so the message must be kept.
      const wamid = nextWamid();
      const template = Buffer.from(metaJson(messagesValue([textMessage(wamid, 'before PLACEHOLDER after')])));
      const at = template.indexOf('PLACEHOLDER');
      const bad = Buffer.from(
        Array.from({ length: random.int(1, 4) }, () => random.pick(INVALID_UTF8)).flat(),
      );
      return fromText(
        'invalid UTF-8 in a text',
        Buffer.concat([template.subarray(0, at), bad, template.subarray(at + 'PLACEHOLDER'.length)]),
        [wamid],
        'application/json',
      );
    },
    () => {
      const json = Buffer.from(validJson());
      const at = random.int(0, json.length);
      return fromText(
        'invalid UTF-8 anywhere',
        Buffer.concat([json.subarray(0, at), Buffer.from(random.pick(INVALID_UTF8)), json.subarray(at)]),
      );
    },
    () => fromText('UTF-16 JSON', Buffer.from(validJson(), 'utf16le')),
    () => fromText('empty', '', [], contentType()),
    () => fromText('whitespace', random.pick([' ', '\n', '\r\n\t ', '\ufeff'])),
    () =>
      fromText(
        'JSON scalar',
        random.pick(['null', 'true', '0', '"x"', '[]', '[{}]', '1e400', '-0', '"\\ud800"']),
      ),
    () =>
      fromText(
        'form body',
        `object=whatsapp_business_account&entry=${encodeURIComponent(validJson())}`,
        [],
        'application/x-www-form-urlencoded',
      ),
    () => {
      const boundary = '----coxcoxfuzz';
      const body = `--${boundary}\r\nContent-Disposition: form-data; name="payload"\r\nContent-Type: application/json\r\n\r\n${validJson()}\r\n--${boundary}--\r\n`;
      return fromText('multipart body', body, [], `multipart/form-data; boundary=${boundary}`);
    },
    () =>
      fromText(
        'wrong object',
        metaJson({ ...messagesValue([]), object: random.pick(['page', 'instagram', '', 0, null]) }),
      ),
    () =>
      fromText(
        'prototype keys',
        '{"object":"whatsapp_business_account","__proto__":{"isPolluted":true},"entry":[{"constructor":{"prototype":{"isPolluted":true}},"changes":[{"field":"__proto__","value":{"__proto__":{"isPolluted":true}}}]}]}',
      ),
    () =>
      fromText(
        'duplicate keys',
        `{"object":"x","object":"whatsapp_business_account","entry":[],"entry":${JSON.stringify(messagesValue([]).entry)}}`,
      ),
    () => {
      // Literals as JSON.parse reads them, beyond what a JavaScript number holds exactly (or at all).
      const literal = random.pick([
        '1e400',
        '-1e400',
        '9007199254740993',
        '1e21',
        '-1',
        '0.5',
        '1760000000000.5',
        '"1e999"',
        '-0',
      ]);
      const template = metaJson(
        messagesValue([
          { ...textMessage(`wamid.EDGE.${prefix}.${random.int(0, 1e9)}`, 'x'), timestamp: 'PLACEHOLDER' },
        ]),
      );
      return fromText(`timestamp ${literal}`, template.replace('"PLACEHOLDER"', literal));
    },
  ];

  /** Every position of every template, with every wrong value and without it. */
  const wrongTypes = (): FuzzCase[] => {
    const cases: FuzzCase[] = [];
    for (const { name, notification } of templates()) {
      for (const path of pathsOf(notification)) {
        for (const value of [...WRONG_VALUES, MISSING]) {
          typeCount += 1;
          // Unique message ids per case, so that no case is hidden behind another's dedupe key.
          const json = (JSON.stringify(replaced(notification, path, value)) ?? '').replaceAll(
            'wamid.TYPES',
            `wamid.TYPES${typeCount}`,
          );
          const shown = value === MISSING ? 'missing' : JSON.stringify(value);
          cases.push(fromText(`${name}: ${path.join('.') || '(root)'} = ${shown}`, json));
        }
      }
    }
    return cases;
  };

  /** Large but legal bodies, and ones just over the limit. */
  const sizes = (): FuzzCase[] => {
    const ids = Array.from({ length: 300 }, nextWamid);
    const bigText = nextWamid();
    const bigBody = metaJson(messagesValue([textMessage(bigText, 'é'.repeat(400_000))])); // 2.4 MB escaped
    const unpadded = metaJson({ object: 'whatsapp_business_account', entry: [], padding: '' });
    const atLimit = metaJson({
      object: 'whatsapp_business_account',
      entry: [],
      padding: 'p'.repeat(WEBHOOK_BODY_LIMIT_BYTES - unpadded.length),
    });
    return [
      fromText(
        '300 messages in one delivery',
        metaJson(messagesValue(ids.map((id) => textMessage(id, textOf(random, 10))))),
        ids,
        'application/json',
      ),
      fromText('a 2.4 MB text', bigBody, [bigText], 'application/json'),
      longList(2000, '{"id":"same","status":"sent"}', 'statuses'),
      longList(2000, 'null', 'changes'),
      fromText('exactly at the limit', atLimit, [], 'application/json'),
      fromText(
        'one byte over the limit',
        Buffer.concat([Buffer.from(atLimit), Buffer.from(' ')]),
        [],
        'application/json',
      ),
      fromText(
        'random bytes over the limit',
        random.bytes(WEBHOOK_BODY_LIMIT_BYTES + random.int(1, 1024 * 1024)),
      ),
    ];
  };

  /** Fuzz with valid deliveries interleaved: one valid case after every few fuzzed ones. */
  const interleaved = (fuzzed: FuzzCase[]): FuzzCase[] => {
    const cases: FuzzCase[] = [];
    for (const fuzz of random.shuffle(fuzzed)) {
      cases.push(fuzz);
      if (random.chance(0.2)) cases.push(valid());
    }
    return cases;
  };

  return {
    fuzzed: (count: number) => Array.from({ length: count }, () => random.pick(generators)()),
    valid,
    wrongTypes,
    sizes,
    interleaved,
  };
}

// ---------------------------------------------------------------------------------------------------

const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');

const databases = await testDatabases();

describe.each(databases)('fuzzed webhook bodies on $name', (database) => {
  const random = createRandom(SEED);
  const corpus = createCorpus(random, database.name);
  let coxcox: Awaited<ReturnType<typeof startTestCoxcox>>;
  let appSecret: string;
  /** sha256 of each signed body acknowledged with 200 → how many times it was sent. */
  const acknowledged = new Map<string, number>();
  /** sha256 of each valid delivery → the message ids it carries. */
  const validBodies = new Map<string, string[]>();
  const seedNote = `FUZZ_SEED=${SEED}`;

  beforeAll(async () => {
    coxcox = await startTestCoxcox(database);
    appSecret = sandboxSecret(coxcox.config.secretKey, 'app secret');
  });
  afterAll(async () => coxcox?.dispose());

  const deliveryCount = async () =>
    Number(
      (
        await coxcox.store.db
          .selectFrom('webhook_deliveries')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  const headersFor = (fuzz: FuzzCase, signatureHeader: string | undefined): Record<string, string> => ({
    ...(fuzz.contentType === undefined ? {} : { 'content-type': fuzz.contentType }),
    ...(signatureHeader === undefined ? {} : { 'x-hub-signature-256': signatureHeader }),
  });

  const expectedStatus = (fuzz: FuzzCase) => (fuzz.body.length > WEBHOOK_BODY_LIMIT_BYTES ? 413 : 200);

  /** sha256 → label, to name the case behind a failing delivery. */
  const labels = new Map<string, string>();
  const remember = (fuzz: FuzzCase) => {
    const hash = sha256(fuzz.body);
    labels.set(hash, fuzz.label);
    acknowledged.set(hash, (acknowledged.get(hash) ?? 0) + 1);
    if (fuzz.wamids.length > 0) validBodies.set(hash, fuzz.wamids);
  };

  /** Runs `send` over the cases, CONCURRENCY at a time; returns the cases whose answer was not the expected one. */
  const sendAll = async (
    cases: FuzzCase[],
    send: (fuzz: FuzzCase) => Promise<number>,
    expected: (fuzz: FuzzCase) => number,
  ) => {
    const wrong: string[] = [];
    for (let start = 0; start < cases.length; start += CONCURRENCY) {
      const chunk = cases.slice(start, start + CONCURRENCY);
      const statuses = await Promise.all(chunk.map(send));
      chunk.forEach((fuzz, index) => {
        if (statuses[index] !== expected(fuzz)) {
          wrong.push(
            `${fuzz.label} [${fuzz.contentType ?? 'no content type'}, ${fuzz.body.length} bytes]: ${statuses[index]}`,
          );
        } else if (statuses[index] === 200) {
          remember(fuzz);
        }
      });
    }
    return wrong;
  };

  /** Every acknowledged body is stored exactly as many times as it was acknowledged, byte for byte. */
  const expectStoredByteForByte = async () => {
    const stored = new Map<string, number>();
    let lastId = 0;
    for (;;) {
      const page = await coxcox.store.db
        .selectFrom('webhook_deliveries')
        .select(['id', 'body'])
        .where('id', '>', lastId)
        .orderBy('id')
        .limit(200)
        .execute();
      if (page.length === 0) break;
      for (const row of page) {
        const hash = sha256(Buffer.from(row.body));
        stored.set(hash, (stored.get(hash) ?? 0) + 1);
      }
      lastId = page[page.length - 1]!.id;
    }
    const mismatches = [...new Set([...stored.keys(), ...acknowledged.keys()])]
      .filter((hash) => stored.get(hash) !== acknowledged.get(hash))
      .map((hash) => `${hash}: stored ${stored.get(hash) ?? 0}, acknowledged ${acknowledged.get(hash) ?? 0}`);
    expect(mismatches, seedNote).toEqual([]);
  };

  it('answers 401 to unsigned and wrongly signed fuzz, and stores nothing', async () => {
    const cases = corpus.fuzzed(300).filter((fuzz) => fuzz.body.length <= WEBHOOK_BODY_LIMIT_BYTES);
    const badSignatures: Array<(body: Buffer) => string | undefined> = [
      () => undefined,
      () => '',
      () => 'sha256=',
      (body) => signature(body, 'not-the-app-secret'),
      (body) => signature(Buffer.concat([body, Buffer.from(' ')]), appSecret),
      (body) => signature(body.subarray(0, Math.max(0, body.length - 1)), appSecret),
      (body) => signature(body, appSecret).slice(0, -1),
      (body) => `${signature(body, appSecret)}0`,
      (body) => signature(body, appSecret).replace('sha256=', 'sha1='),
      () => `sha256=${'0'.repeat(64)}`,
      () => `sha256=${random.bytes(32).toString('hex')}`,
    ];
    const before = await deliveryCount();
    const wrong: string[] = [];
    for (let start = 0; start < cases.length; start += CONCURRENCY) {
      const chunk = cases.slice(start, start + CONCURRENCY);
      const responses = await Promise.all(
        chunk.map((fuzz) => {
          const header = random.pick(badSignatures)(fuzz.body);
          return coxcox.app
            .inject({
              method: 'POST',
              url: '/webhooks/whatsapp',
              payload: fuzz.body,
              headers: headersFor(fuzz, header),
            })
            .then((response) => ({ fuzz, header, response }));
        }),
      );
      for (const { fuzz, header, response } of responses) {
        // The signature header alone decides: an empty body with a bad signature is refused like any other.
        // Only the empty body makes one of these right (its one-byte-shorter body is itself).
        if (header === signature(fuzz.body, appSecret)) continue;
        if (response.statusCode !== 401 || response.json().error.code !== 'invalid_signature') {
          wrong.push(`${fuzz.label} with ${JSON.stringify(header)}: ${response.statusCode}`);
        }
      }
    }
    expect(cases.length).toBeGreaterThan(250);
    expect(wrong, seedNote).toEqual([]);
    expect(await deliveryCount()).toBe(before);
  });

  it('acknowledges every signed fuzzed body (413 above 3 MiB) and stores it byte for byte', {
    timeout: 400_000,
  }, async () => {
    const cases = corpus.interleaved([
      ...corpus.fuzzed(INJECT_CASES),
      ...corpus.wrongTypes(),
      ...corpus.sizes(),
    ]);
    const startedAt = Date.now();
    const wrong = await sendAll(
      cases,
      async (fuzz) =>
        (
          await coxcox.app.inject({
            method: 'POST',
            url: '/webhooks/whatsapp',
            payload: fuzz.body,
            headers: headersFor(fuzz, signature(fuzz.body, appSecret)),
          })
        ).statusCode,
      expectedStatus,
    );
    console.info(
      `${database.name}: ${cases.length} signed bodies through inject() in ${Date.now() - startedAt} ms (${seedNote})`,
    );
    expect(wrong, seedNote).toEqual([]);
    // Not vacuous: thousands were stored, hundreds of them valid, and the limit was exercised.
    expect(cases.length).toBeGreaterThan(3000);
    expect(validBodies.size).toBeGreaterThan(300);
    expect(cases.filter((fuzz) => expectedStatus(fuzz) === 413).length).toBeGreaterThanOrEqual(2);
    expect(cases.some((fuzz) => fuzz.contentType === undefined)).toBe(true);
    await expectStoredByteForByte();
    expect((await coxcox.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('acknowledges the same over a real socket: chunked bodies, odd and malformed content types', {
    timeout: 60_000,
  }, async () => {
    const address = await coxcox.app.listen({ port: 0, host: '127.0.0.1' });
    const pool = new Pool(address, { connections: 8, pipelining: 1 });
    try {
      const contentTypes = [
        ...CONTENT_TYPES,
        'invalid',
        'application/json; charset="unterminated',
        ';;;',
        'text/plain;;charset=utf-8',
        '',
      ];
      const cases = corpus.interleaved(corpus.fuzzed(HTTP_CASES)).map((fuzz) => ({
        ...fuzz,
        contentType: random.chance(0.3) ? random.pick(contentTypes) : fuzz.contentType,
      }));
      // Without a Content-Length the limit can only be found while reading: both sides of it, streamed.
      const [atLimit, overLimit] = corpus.sizes().filter((fuzz) => fuzz.label.includes('the limit'));
      cases.push({ ...atLimit!, label: `${atLimit!.label}, chunked`, isChunked: true });
      cases.push({ ...overLimit!, label: `${overLimit!.label}, chunked`, isChunked: true });
      let chunkedCount = 0;
      const send = async (fuzz: FuzzCase) => {
        // Some bodies go as Transfer-Encoding: chunked, in random slices, as a proxy may forward them.
        const isChunked = fuzz.isChunked ?? (random.chance(0.3) && fuzz.body.length > 0);
        if (isChunked) chunkedCount += 1;
        const slices: Buffer[] = [];
        for (let at = 0; at < fuzz.body.length; ) {
          const size = random.int(1, fuzz.body.length > 65_536 ? 262_144 : 4096);
          slices.push(fuzz.body.subarray(at, at + size));
          at += size;
        }
        const response = await pool.request({
          method: 'POST',
          path: '/webhooks/whatsapp',
          headers: headersFor(fuzz, signature(fuzz.body, appSecret)),
          body: isChunked ? Readable.from(slices) : fuzz.body,
        });
        await response.body.text();
        return response.statusCode;
      };
      const wrong = await sendAll(cases, send, expectedStatus);
      expect(wrong, seedNote).toEqual([]);
      expect(chunkedCount).toBeGreaterThan(20);
      await expectStoredByteForByte();
      const health = await pool.request({ method: 'GET', path: '/healthz' });
      expect(health.statusCode).toBe(200);
      await health.body.text();
    } finally {
      await pool.close();
    }
  });

  it('processes every stored delivery to processed or invalid, applying every valid message once', {
    timeout: 400_000,
  }, async () => {
    const startedAt = Date.now();
    const handled = await coxcox.processor.drain();
    console.info(`${database.name}: drained ${handled} deliveries in ${Date.now() - startedAt} ms`);
    expect(handled).toBeGreaterThan(3000);

    const rows: Array<{ id: number; state: string; problem: string | null; hash: string }> = [];
    let lastId = 0;
    for (;;) {
      const page = await coxcox.store.db
        .selectFrom('webhook_deliveries')
        .select(['id', 'state', 'problem', 'body'])
        .where('id', '>', lastId)
        .orderBy('id')
        .limit(200)
        .execute();
      if (page.length === 0) break;
      for (const row of page)
        rows.push({
          id: row.id,
          state: row.state,
          problem: row.problem,
          hash: sha256(Buffer.from(row.body)),
        });
      lastId = page[page.length - 1]!.id;
    }
    const stuck = rows
      .filter(
        (row) =>
          (row.state !== 'processed' && row.state !== 'invalid') || row.problem?.startsWith('apply failed'),
      )
      .map((row) => `delivery ${row.id} (${labels.get(row.hash)}): ${row.state} (${row.problem})`);
    expect(stuck, seedNote).toEqual([]);
    expect(rows.filter((row) => row.state === 'invalid').every((row) => row.problem)).toBe(true);
    // Not vacuous: both outcomes occur.
    expect(rows.filter((row) => row.state === 'invalid').length).toBeGreaterThan(100);
    expect(rows.filter((row) => row.state === 'processed').length).toBeGreaterThan(300);

    const notProcessed = rows
      .filter((row) => validBodies.has(row.hash) && row.state !== 'processed')
      .map((row) => `delivery ${row.id}: ${row.state} (${row.problem})`);
    expect(notProcessed, seedNote).toEqual([]);

    const expectedWamids = new Set([...validBodies.values()].flat());
    const recorded = await coxcox.store.db
      .selectFrom('messages')
      .select(['wamid', 'direction'])
      .where('wamid', 'like', 'wamid.VALID.%')
      .where('direction', '=', 'in')
      .execute();
    const recordedWamids = recorded.map((row) => row.wamid);
    expect(new Set(recordedWamids).size, 'no message recorded twice').toBe(recordedWamids.length);
    expect(
      [...expectedWamids].filter((wamid) => !recordedWamids.includes(wamid)),
      seedNote,
    ).toEqual([]);
    expect(expectedWamids.size).toBeGreaterThan(600);

    const duplicates = await coxcox.store.db
      .selectFrom('messages')
      .select(['wamid', (eb) => eb.fn.countAll().as('count')])
      .groupBy(['tenant_id', 'wamid'])
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    expect(duplicates).toEqual([]);

    // Payload keys like "__proto__" and "constructor" stayed keys.
    expect(({} as Record<string, unknown>).isPolluted).toBeUndefined();
    expect((await coxcox.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    // A second drain finds nothing left.
    expect(await coxcox.processor.drain()).toBe(0);
  });
});
