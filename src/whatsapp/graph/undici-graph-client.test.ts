import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSendBody } from './build-send-body.ts';
import { GraphError } from './graph-error.ts';
import { createGraphTarget, type GraphTarget } from './graph-target.ts';
import { type GraphTestServer, type MultipartPart, startGraphTestServer } from './graph-test-server.ts';
import { metaSendExamples } from './meta-send-examples.ts';
import { UndiciGraphClient } from './undici-graph-client.ts';

const accessToken = 'EAAG-wire-secret-token-5d1e';
const phoneNumberId = '106540352242922';
const wabaId = '102290129340398';
const text = { to: '+5511987654321', type: 'text', text: { body: 'Oi' } } as const;

async function failureOf(promise: Promise<unknown>): Promise<GraphError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GraphError);
  return error as GraphError;
}

describe('UndiciGraphClient on the wire', () => {
  let server: GraphTestServer;
  let client: UndiciGraphClient;
  let target: GraphTarget;

  beforeEach(async () => {
    server = await startGraphTestServer({ accessToken, graphApiVersion: 'v23.0', phoneNumberId, wabaId });
    client = new UndiciGraphClient({
      sendTimeoutMs: 1_000,
      requestTimeoutMs: 1_000,
      mediaTimeoutMs: 1_000,
      // The test server listens on loopback.
      targetPolicy: { allowPrivateNetworkTargets: true },
    });
    target = createGraphTarget({ phoneNumberId, accessToken, graphApiUrl: server.url });
  });

  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it('posts JSON to /{version}/{phone-number-id}/messages with the bearer token', async () => {
    await client.sendMessage(target, text, { bizOpaqueCallbackData: 'outbox:7', replyToWamid: 'wamid.A' });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', path: `/v23.0/${phoneNumberId}/messages`, query: {} });
    expect(request?.headers.authorization).toBe(`Bearer ${accessToken}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+5511987654321',
      type: 'text',
      text: { body: 'Oi', preview_url: false },
      context: { message_id: 'wamid.A' },
      biz_opaque_callback_data: 'outbox:7',
    });
  });

  it('sends every Meta example body unchanged over the wire', async () => {
    for (const example of metaSendExamples) {
      const options = example.replyToWamid === undefined ? {} : { replyToWamid: example.replyToWamid };
      await client.sendMessage(target, example.message, options);
      expect(server.requests.at(-1)?.body).toEqual(buildSendBody(example.message, options));
    }
    expect(server.requests).toHaveLength(metaSendExamples.length);
  });

  it('uses the per-target Graph URL (with its path prefix) and version', async () => {
    const prefixed = await startGraphTestServer({
      accessToken,
      graphApiVersion: 'v25.0',
      phoneNumberId,
      wabaId,
      pathPrefix: '/graph',
    });
    try {
      const newer = createGraphTarget({
        phoneNumberId,
        accessToken,
        graphApiUrl: `${prefixed.url}/`,
        graphApiVersion: 'v25.0',
      });
      await client.sendMessage(newer, text);
      await client.getPhoneNumber(newer, phoneNumberId);
      expect(prefixed.requests.map((request) => request.path)).toEqual([
        `/graph/v25.0/${phoneNumberId}/messages`,
        `/graph/v25.0/${phoneNumberId}`,
      ]);
      const stale = await failureOf(client.sendMessage({ ...newer, graphApiVersion: 'v23.0' }, text));
      expect(stale.category).toBe('fix-request');
    } finally {
      await prefixed.close();
    }
  });

  it('refuses a malformed version or URL before sending', async () => {
    const badVersion = await failureOf(client.sendMessage({ ...target, graphApiVersion: '23' }, text));
    expect(badVersion).toMatchObject({ category: 'fix-request', reason: 'invalid-request' });
    const badUrl = await failureOf(
      client.sendMessage({ ...target, graphApiUrl: 'graph.facebook.com' }, text),
    );
    expect(badUrl).toMatchObject({ category: 'fix-request', reason: 'invalid-request' });
    const oversized = await failureOf(
      client.sendMessage(target, text, { bizOpaqueCallbackData: 'x'.repeat(513) }),
    );
    expect(oversized.reason).toBe('invalid-request');
    expect(server.requests).toHaveLength(0);
  });

  it('maps a rejected token to token-invalid (code 190, HTTP 401)', async () => {
    const error = await failureOf(client.sendMessage({ ...target, accessToken: 'EAAG-revoked' }, text));
    expect(error).toMatchObject({
      category: 'token-invalid',
      code: 190,
      httpStatus: 401,
      type: 'OAuthException',
    });
    expect(error.message).not.toContain('EAAG-revoked');
  });

  it('keeps the subcode, type, details and trace id of an error envelope', async () => {
    const error = await failureOf(client.getPhoneNumber(target, '999'));
    expect(error).toMatchObject({
      category: 'fix-request',
      code: 100,
      subcode: 33,
      type: 'GraphMethodException',
      fbtraceId: 'ATestTraceId123',
      httpStatus: 400,
    });
    expect(error.metaMessage).toContain("Object with ID '999' does not exist");
  });

  it('redacts the token if Meta ever echoes it back', async () => {
    server.fail({
      kind: 'meta-error',
      httpStatus: 400,
      code: 100,
      message: `(#100) bad token ${accessToken}`,
      details: `token=${accessToken}`,
    });
    const error = await failureOf(client.sendMessage(target, text));
    expect(JSON.stringify(error)).not.toContain(accessToken);
    expect(error.message).not.toContain(accessToken);
    expect(error.details).toBe('token=[redacted]');
  });

  it('honours Retry-After and the business use case usage header', async () => {
    server.fail({ kind: 'http-status', httpStatus: 429, headers: { 'retry-after': '120' } });
    expect((await failureOf(client.sendMessage(target, text))).retryAfterMs).toBe(120_000);
    server.fail({
      kind: 'meta-error',
      httpStatus: 400,
      code: 80007,
      headers: {
        'x-business-use-case-usage': JSON.stringify({
          [wabaId]: [
            { type: 'whatsapp_business_management', call_count: 100, estimated_time_to_regain_access: 15 },
          ],
        }),
      },
    });
    const error = await failureOf(client.listTemplates(target, wabaId));
    expect(error).toMatchObject({ category: 'retry-later', code: 80007, retryAfterMs: 900_000 });
  });

  it('follows paging by cursor on its own URL, never sending the token in a query', async () => {
    for (const name of ['a_one', 'a_two', 'a_three', 'a_four', 'a_five']) {
      await client.createTemplate(target, wabaId, {
        name,
        category: 'MARKETING',
        language: 'pt_BR',
        parameterFormat: 'named',
        components: [{ type: 'BODY', text: 'Olá {{first_name}}' }],
      });
    }
    const templates = await client.listTemplates(target, wabaId);
    expect(templates.map((template) => template.name)).toEqual([
      'a_one',
      'a_two',
      'a_three',
      'a_four',
      'a_five',
    ]);
    expect(templates[0]?.parameterFormat).toBe('named');
    const pages = server.requests.filter((request) => request.method === 'GET');
    expect(pages).toHaveLength(3);
    expect(pages[0]?.query).toMatchObject({ limit: '100', fields: expect.stringContaining('components') });
    expect(pages[1]?.query.after).toBeDefined();
    for (const request of server.requests) expect(request.query.access_token).toBeUndefined();
    const create = server.requests[0];
    expect(create?.body).toEqual({
      name: 'a_one',
      category: 'MARKETING',
      language: 'pt_BR',
      parameter_format: 'named',
      components: [{ type: 'BODY', text: 'Olá {{first_name}}' }],
    });
  });

  it('uploads a multipart form the way Meta documents it', async () => {
    await client.uploadMedia(target, {
      bytes: new Uint8Array([0xff, 0xd8, 0xff, 0x00, 0x10]),
      mimeType: 'image/jpeg',
      filename: 'foto.jpg',
    });
    const [request] = server.requests;
    expect(request?.path).toBe(`/v23.0/${phoneNumberId}/media`);
    expect(String(request?.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
    const parts = request?.body as MultipartPart[];
    expect(parts.map((part) => [part.name, part.filename, part.contentType])).toEqual([
      ['messaging_product', null, null],
      ['type', null, null],
      ['file', 'foto.jpg', 'image/jpeg'],
    ]);
    expect([...parts[2]!.data]).toEqual([0xff, 0xd8, 0xff, 0x00, 0x10]);
  });

  it('downloads media with the bearer token and the phone number id', async () => {
    const mediaId = server.seedMedia({ bytes: new Uint8Array(Buffer.from('abc')), mimeType: 'image/png' });
    await client.downloadMedia(target, mediaId);
    const [lookup, download] = server.requests;
    expect(lookup).toMatchObject({ path: `/v23.0/${mediaId}`, query: { phone_number_id: phoneNumberId } });
    expect(download?.path).toBe(`/download/${mediaId}`);
    expect(download?.headers.authorization).toBe(`Bearer ${accessToken}`);
  });

  it('never sends the token to a plain-HTTP download URL on another origin', async () => {
    const mediaId = server.seedMedia({ bytes: new Uint8Array(Buffer.from('abc')), mimeType: 'image/png' });
    // Same server, but named differently: the media URL (127.0.0.1) is then another origin.
    const elsewhere = { ...target, graphApiUrl: server.url.replace('127.0.0.1', 'localhost') };
    const error = await failureOf(client.downloadMedia(elsewhere, mediaId));
    expect(error.reason).toBe('invalid-response');
    expect(server.requests.map((request) => request.path)).toEqual([`/v23.0/${mediaId}`]);
  });

  it('refuses media larger than the limit', async () => {
    const small = new UndiciGraphClient({
      maxMediaBytes: 4,
      targetPolicy: { allowPrivateNetworkTargets: true },
    });
    try {
      for (const isChunked of [false, true]) {
        const mediaId = server.seedMedia({ bytes: new Uint8Array(10), mimeType: 'image/png', isChunked });
        const error = await failureOf(small.downloadMedia(target, mediaId));
        expect(error.category).toBe('fix-request');
      }
      const fits = server.seedMedia({ bytes: new Uint8Array(4), mimeType: 'image/png', isChunked: true });
      expect((await small.downloadMedia(target, fits)).bytes).toHaveLength(4);
    } finally {
      await small.close();
    }
  });

  it('reports a refused connection as surely not sent', async () => {
    const port = await closedPort();
    const error = await failureOf(
      client.sendMessage({ ...target, graphApiUrl: `http://127.0.0.1:${port}` }, text),
    );
    expect(error).toMatchObject({
      category: 'retry-later',
      outcome: 'not-sent',
      reason: 'connection-failed',
    });
  });

  it('reports an unknown host as surely not sent', async () => {
    const error = await failureOf(
      client.sendMessage({ ...target, graphApiUrl: 'http://coxcox-graph.invalid' }, text),
    );
    expect(error).toMatchObject({
      category: 'retry-later',
      outcome: 'not-sent',
      reason: 'connection-failed',
    });
  });

  it('reports a caller abort in flight as an unknown outcome', async () => {
    server.fail({ kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failureOf(client.sendMessage(target, text, { signal: controller.signal }));
    expect(error).toMatchObject({ category: 'retry-later', outcome: 'unknown', reason: 'aborted' });
  });

  it('validates a send success body: an empty messages list is an unknown outcome', async () => {
    const error = await failureOf(client.getMedia(target, 'nope'));
    expect(error.code).toBe(100);
    server.fail({ kind: 'invalid-response' });
    const invalid = await failureOf(client.sendMessage(target, text));
    expect(invalid.message).toContain('messages');
  });
});

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
