import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSharedFixtures, sharedFixtureFiles } from '../../test/support/shared-fixtures.ts';
import {
  createSimulator,
  DEFAULT_PHONE_NUMBER_ID,
  DEFAULT_WABA_ID,
  defaultTemplates,
  type Simulator,
} from './index.ts';

const requestsDirectory = new URL(
  '../../../shared/fixtures/facebook-openapi/send-message-requests/',
  import.meta.url,
);
const responsesDirectory = new URL(
  '../../../shared/fixtures/facebook-openapi/send-message-responses/',
  import.meta.url,
);
const exampleFiles = sharedFixtureFiles(requestsDirectory);
const TOKEN = 'examples-token';
/** Where Meta's `{{Recipient-Phone-Number}}` examples go. */
const PLACEHOLDER_RECIPIENT = '16505551234';

/** The templates Meta's examples name, so that each of them exists and is approved. */
function exampleTemplates() {
  return [
    ...defaultTemplates(),
    {
      name: 'intro_catalog_offer',
      language: 'en_US',
      category: 'MARKETING' as const,
      components: [
        {
          type: 'BODY' as const,
          text: 'Now shop for your favourite products right here on WhatsApp! Get Rs {{1}} off on all orders above {{2}}Rs! Valid for your first {{3}} orders placed on WhatsApp!',
        },
        { type: 'BUTTONS' as const, buttons: [{ type: 'CATALOG', text: 'View catalog' }] },
      ],
    },
    {
      name: '<TEMPLATE_NAME>',
      language: 'en_US',
      category: 'UTILITY' as const,
      components: [
        { type: 'BODY' as const, text: 'Please fill in the form.' },
        { type: 'BUTTONS' as const, buttons: [{ type: 'FLOW', text: 'Open form' }] },
      ],
    },
    {
      name: 'template-name',
      language: 'language-and-locale-code',
      category: 'MARKETING' as const,
      components: [
        { type: 'HEADER' as const, format: 'IMAGE' as const },
        { type: 'BODY' as const, text: 'Hi {{1}}, your order of {{2}} ships on {{3}}.' },
        {
          type: 'BUTTONS' as const,
          buttons: [
            { type: 'QUICK_REPLY', text: 'Yes' },
            { type: 'QUICK_REPLY', text: 'No' },
          ],
        },
      ],
    },
    {
      name: 'sample_issue_resolution',
      language: 'en_US',
      category: 'UTILITY' as const,
      components: [
        { type: 'BODY' as const, text: 'Hi {{1}}, were we able to solve the issue that you were facing?' },
        {
          type: 'BUTTONS' as const,
          buttons: [
            { type: 'QUICK_REPLY', text: 'Yes' },
            { type: 'QUICK_REPLY', text: 'No' },
          ],
        },
      ],
    },
  ];
}

function createExampleSimulator(): Simulator {
  const simulator = createSimulator({
    appSecret: 'examples-secret',
    webhookUrl: null,
    accessTokens: [TOKEN],
    seed: 7,
    placeholderRecipient: PLACEHOLDER_RECIPIENT,
    // Nearly every example goes to the one placeholder customer: more than Meta's burst of about 45.
    pairRateLimit: { burst: 500 },
    wabas: [
      {
        id: DEFAULT_WABA_ID,
        phoneNumbers: [
          { id: DEFAULT_PHONE_NUMBER_ID, displayPhoneNumber: '+1 555-000-0001', throughputLevel: 'HIGH' },
        ],
        templates: exampleTemplates(),
      },
    ],
  });
  // Free-form examples need the customer-service window open: the customer wrote first.
  simulator.customerSays({ from: PLACEHOLDER_RECIPIENT, text: 'Hello!' });
  simulator.customerSays({ from: '16505551234', text: 'Hello again' });
  return simulator;
}

function expectedResponse(file: string): unknown {
  try {
    return JSON.parse(readFileSync(new URL(`200_${file}`, responsesDirectory), 'utf8'));
  } catch {
    return undefined;
  }
}

describe.skipIf(!hasSharedFixtures)("Meta's send-message examples", () => {
  let simulator: Simulator;
  beforeAll(() => {
    simulator = createExampleSimulator();
  });
  afterAll(() => simulator.close());

  it('has the examples to post', () => {
    expect(exampleFiles.length).toBeGreaterThanOrEqual(50);
  });

  it.each(exampleFiles)('accepts %s as Meta does', async (file) => {
    const raw = readFileSync(new URL(file, requestsDirectory));
    const response = await simulator.app.inject({
      method: 'POST',
      url: `/v23.0/${DEFAULT_PHONE_NUMBER_ID}/messages`,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: raw,
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    const example = JSON.parse(raw.toString('utf8'));
    if (example.status === 'read') {
      expect(body).toEqual({ success: true });
      return;
    }
    expect(body.messaging_product).toBe('whatsapp');
    expect(body.contacts).toEqual([{ input: example.to, wa_id: expect.stringMatching(/^\d{8,15}$/) }]);
    expect(body.messages).toHaveLength(1);
    expect(body.messages[0].id).toMatch(/^wamid\.[A-Za-z0-9+/=]+$/);
    // The same keys as Meta's recorded answer, where the spec has one.
    const expected = expectedResponse(file) as Record<string, unknown> | undefined;
    if (expected) expect(Object.keys(body).sort()).toEqual(Object.keys(expected).sort());
  });

  it('issued a distinct wamid for every accepted example', () => {
    const ids = simulator.state.sent.map((record) => record.id);
    expect(ids.length).toBe(exampleFiles.length - 1); // all but the read receipt
    expect(new Set(ids).size).toBe(ids.length);
  });
});

/** Posts with `Transfer-Encoding: chunked` and no Content-Length, as Meta's Node SDK does. */
function postChunked(
  url: string,
  chunks: Buffer[],
  contentType: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': contentType,
        'transfer-encoding': 'chunked',
      },
    });
    request.on('response', async (response) => {
      let body = '';
      for await (const chunk of response) body += chunk;
      resolve({ status: response.statusCode ?? 0, body });
    });
    request.on('error', reject);
    expect(request.getHeader('content-length')).toBeUndefined();
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

describe.skipIf(!hasSharedFixtures)('request bodies over real HTTP', () => {
  let simulator: Simulator;
  let baseUrl: string;
  beforeAll(async () => {
    simulator = createExampleSimulator();
    baseUrl = await simulator.listen(0, '127.0.0.1');
  });
  afterAll(() => simulator.close());

  it('accepts a chunked JSON body without Content-Length, with a charset in the content type', async () => {
    const body = Buffer.from(
      JSON.stringify({
        messaging_product: 'whatsapp',
        to: PLACEHOLDER_RECIPIENT,
        type: 'text',
        text: { body: 'Olá, ¿cómo estás? 👋' },
        biz_opaque_callback_data: 'chunked-1',
      }),
    );
    // Split inside a multi-byte character on purpose.
    const cut = body.indexOf(Buffer.from('á')) + 1;
    const response = await postChunked(
      `${baseUrl}/v23.0/${DEFAULT_PHONE_NUMBER_ID}/messages`,
      [body.subarray(0, 10), body.subarray(10, cut), body.subarray(cut)],
      'application/json; charset=utf-8',
    );
    expect(response.status, response.body).toBe(200);
    expect(JSON.parse(response.body).messages[0].id).toMatch(/^wamid\./);
    expect(simulator.state.sent.at(-1)?.text).toBe('Olá, ¿cómo estás? 👋');
    expect(simulator.state.acceptedByCallbackData.get('chunked-1')).toBe(1);
  });

  it('answers a malformed chunked body with code 100', async () => {
    const response = await postChunked(
      `${baseUrl}/v23.0/${DEFAULT_PHONE_NUMBER_ID}/messages`,
      [Buffer.from('{"messaging_product":'), Buffer.from('"whatsapp",')],
      'application/json',
    );
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toMatchObject({ code: 100, type: 'OAuthException' });
  });

  it('takes every example posted over the network too', async () => {
    for (const file of exampleFiles) {
      const response = await fetch(`${baseUrl}/v24.0/${DEFAULT_PHONE_NUMBER_ID}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: readFileSync(new URL(file, requestsDirectory)),
      });
      expect(response.status, `${file}: ${await response.clone().text()}`).toBe(200);
      await response.arrayBuffer();
    }
  });
});
