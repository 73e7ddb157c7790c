import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GraphClient } from './graph-client.ts';
import { GraphError, type GraphErrorCategory } from './graph-error.ts';
import type { GraphTarget } from './graph-target.ts';
import type { OutboundMessage } from './outbound-message.ts';

/**
 * One behaviour for every GraphClient adapter: the in-memory fake, the undici client against a
 * local Graph, and later the product simulator. A harness says how to reach one; the optional
 * abilities (scripting failures, seeding media) skip their tests where a harness lacks them.
 */
export interface GraphClientHarnessSetup {
  /** The client's deadline for every call, so that a hanging answer fails the test quickly. */
  timeoutMs: number;
}

/** A failure for the next call, as Meta (or the network) would produce it. */
export type ScriptedFailure =
  | {
      kind: 'meta-error';
      httpStatus: number;
      code: number;
      subcode?: number;
      type?: string;
      message?: string;
      details?: string;
    }
  | { kind: 'http-status'; httpStatus: number }
  | { kind: 'invalid-response' }
  | { kind: 'hang' }
  | { kind: 'reset' };

export interface GraphClientHarness {
  client: GraphClient;
  /** A registered number in `wabaId`, with a token the Graph side accepts. */
  target: GraphTarget;
  wabaId: string;
  scriptFailure?: (failure: ScriptedFailure) => void;
  seedMedia?: (media: {
    bytes: Uint8Array;
    mimeType: string;
    corruptSha256?: boolean;
  }) => Promise<string> | string;
  /**
   * A customer's pass through Embedded Signup on the Graph side: a new WABA with one number, and a
   * fresh code for `app` (Coxcox's Meta app) to exchange.
   */
  signup?: () => Promise<SignupOnGraph> | SignupOnGraph;
  close(): Promise<void>;
}

export interface SignupOnGraph {
  app: { appId: string; appSecret: string };
  code: string;
  wabaId: string;
  phoneNumberId: string;
}

export type GraphClientHarnessFactory = (setup: GraphClientHarnessSetup) => Promise<GraphClientHarness>;

const setup: GraphClientHarnessSetup = { timeoutMs: 1_000 }; // 1 s

const customer = '+5511987654321';

/** One message of every type we send. */
export function sampleMessages(to: string): OutboundMessage[] {
  return [
    { to, type: 'text', text: { body: 'Olá! Posso ajudar? https://example.com', previewUrl: true } },
    { to, type: 'image', image: { link: 'https://example.com/a.jpg', caption: 'Catálogo' } },
    { to, type: 'audio', audio: { id: '1001' } },
    { to, type: 'video', video: { id: '1002', caption: 'Demo' } },
    {
      to,
      type: 'document',
      document: { link: 'https://example.com/p.pdf', filename: 'proposta.pdf', caption: 'Proposta' },
    },
    { to, type: 'sticker', sticker: { id: '1003' } },
    {
      to,
      type: 'template',
      template: {
        name: 'follow_up',
        languageCode: 'pt_BR',
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { id: '1004' } }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana', parameterName: 'first_name' },
              { type: 'currency', currency: { fallbackValue: 'R$ 99,90', code: 'BRL', amount1000: 99_900 } },
              { type: 'date_time', dateTime: { fallbackValue: '25 de março' } },
            ],
          },
          {
            type: 'button',
            subType: 'quick_reply',
            index: 0,
            parameters: [{ type: 'payload', payload: 'stop' }],
          },
          { type: 'button', subType: 'url', index: 1, parameters: [{ type: 'text', text: 'abc123' }] },
        ],
      },
    },
    {
      to,
      type: 'interactive',
      interactive: {
        type: 'button',
        header: { type: 'text', text: 'Plano' },
        body: 'Qual plano prefere?',
        footer: 'Coxcox',
        buttons: [
          { id: 'basic', title: 'Básico' },
          { id: 'pro', title: 'Pro' },
        ],
      },
    },
    {
      to,
      type: 'interactive',
      interactive: {
        type: 'list',
        body: 'Escolha um horário',
        buttonText: 'Horários',
        sections: [{ title: 'Amanhã', rows: [{ id: 'slot-9', title: '09:00', description: 'manhã' }] }],
      },
    },
    {
      to,
      type: 'interactive',
      interactive: {
        type: 'cta_url',
        body: 'Veja a proposta',
        displayText: 'Abrir',
        url: 'https://example.com/p',
      },
    },
    {
      to,
      type: 'interactive',
      interactive: {
        type: 'flow',
        body: 'Agende',
        flow: { flowId: '2002', cta: 'Agendar', token: 'outbox-1' },
      },
    },
    {
      to,
      type: 'reaction',
      reaction: { messageId: 'wamid.HBgLNTUxMTk4NzY1NDMyMRUCABIYFDNBMjA=', emoji: '👍' },
    },
    {
      to,
      type: 'location',
      location: { latitude: -23.5613, longitude: -46.6565, name: 'Loja', address: 'Av. Paulista' },
    },
    {
      to,
      type: 'contacts',
      contacts: [
        { name: { formattedName: 'Ana Souza', firstName: 'Ana' }, phones: [{ phone: '+5511900000000' }] },
      ],
    },
  ];
}

/** Meta's codes and the HTTP status its table lists for each, with the category we expect. */
const metaErrorCases: { code: number; httpStatus: number; category: GraphErrorCategory }[] = [
  { code: 1, httpStatus: 400, category: 'retry-later' },
  { code: 2, httpStatus: 503, category: 'retry-later' },
  { code: 4, httpStatus: 400, category: 'retry-later' },
  { code: 80007, httpStatus: 400, category: 'retry-later' },
  { code: 130429, httpStatus: 400, category: 'retry-later' },
  { code: 131000, httpStatus: 500, category: 'retry-later' },
  { code: 131016, httpStatus: 500, category: 'retry-later' },
  { code: 131048, httpStatus: 400, category: 'retry-later' },
  { code: 131056, httpStatus: 400, category: 'retry-later' },
  { code: 3, httpStatus: 500, category: 'fix-request' },
  { code: 10, httpStatus: 403, category: 'fix-request' },
  { code: 100, httpStatus: 400, category: 'fix-request' },
  { code: 200, httpStatus: 403, category: 'fix-request' },
  { code: 299, httpStatus: 403, category: 'fix-request' },
  { code: 368, httpStatus: 403, category: 'fix-request' },
  { code: 131008, httpStatus: 400, category: 'fix-request' },
  { code: 131009, httpStatus: 400, category: 'fix-request' },
  { code: 131021, httpStatus: 400, category: 'fix-request' },
  { code: 131031, httpStatus: 403, category: 'fix-request' },
  { code: 131042, httpStatus: 400, category: 'fix-request' },
  { code: 131051, httpStatus: 400, category: 'fix-request' },
  { code: 132000, httpStatus: 400, category: 'fix-request' },
  { code: 132001, httpStatus: 404, category: 'fix-request' },
  { code: 132005, httpStatus: 400, category: 'fix-request' },
  { code: 132007, httpStatus: 400, category: 'fix-request' },
  { code: 132012, httpStatus: 400, category: 'fix-request' },
  { code: 132015, httpStatus: 400, category: 'fix-request' },
  { code: 132016, httpStatus: 400, category: 'fix-request' },
  { code: 133010, httpStatus: 400, category: 'fix-request' },
  { code: 131026, httpStatus: 400, category: 'final-for-recipient' },
  { code: 131049, httpStatus: 400, category: 'final-for-recipient' },
  { code: 131050, httpStatus: 400, category: 'final-for-recipient' },
  { code: 131052, httpStatus: 400, category: 'final-for-recipient' },
  { code: 131053, httpStatus: 400, category: 'final-for-recipient' },
  { code: 0, httpStatus: 401, category: 'token-invalid' },
  { code: 190, httpStatus: 401, category: 'token-invalid' },
  { code: 131047, httpStatus: 400, category: 'window-closed' },
];

async function failureOf(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GraphError);
    return error as GraphError;
  }
  throw new Error('expected the call to fail');
}

function expectNoToken(error: GraphError, token: string): void {
  expect(error.message).not.toContain(token);
  expect(JSON.stringify(error)).not.toContain(token);
  expect(String(error.stack)).not.toContain(token);
}

export function runGraphClientContract(name: string, factory: GraphClientHarnessFactory): void {
  describe(`GraphClient contract: ${name}`, () => {
    let harness: GraphClientHarness;

    beforeEach(async () => {
      harness = await factory(setup);
    });

    afterEach(async () => {
      await harness.close();
    });

    describe('sendMessage', () => {
      it('sends a text and answers with a wamid and the WhatsApp id', async () => {
        const sent = await harness.client.sendMessage(harness.target, {
          to: customer,
          type: 'text',
          text: { body: 'Oi' },
        });
        expect(sent.wamid).toMatch(/^wamid\./);
        expect(sent.waId).toBe('5511987654321');
        expect(sent.messageStatus).toBeNull();
      });

      it('sends every message type, each with its own wamid', async () => {
        const wamids = new Set<string>();
        for (const message of sampleMessages(customer)) {
          const sent = await harness.client.sendMessage(harness.target, message, {
            bizOpaqueCallbackData: `outbox-${wamids.size}`,
          });
          wamids.add(sent.wamid);
        }
        expect(wamids.size).toBe(sampleMessages(customer).length);
      });

      it('replies in context with callback data of exactly 512 characters', async () => {
        const sent = await harness.client.sendMessage(
          harness.target,
          { to: customer, type: 'text', text: { body: 'Sim' } },
          {
            replyToWamid: 'wamid.HBgLNTUxMTk4NzY1NDMyMRUCABIYFDNBMjA=',
            bizOpaqueCallbackData: 'x'.repeat(512),
          },
        );
        expect(sent.wamid).toMatch(/^wamid\./);
      });

      it('refuses callback data over 512 characters before sending', async () => {
        const error = await failureOf(
          harness.client.sendMessage(
            harness.target,
            { to: customer, type: 'text', text: { body: 'Sim' } },
            { bizOpaqueCallbackData: 'x'.repeat(513) },
          ),
        );
        expect(error.category).toBe('fix-request');
        expect(error.reason).toBe('invalid-request');
        expect(error.outcome).toBe('not-sent');
      });

      it('returns a string or null message status for a template', async () => {
        const sent = await harness.client.sendMessage(harness.target, {
          to: customer,
          type: 'template',
          template: { name: 'hello_world', languageCode: 'en_US' },
        });
        expect(sent.messageStatus === null || typeof sent.messageStatus === 'string').toBe(true);
      });

      it('does not send when the signal is already aborted', async () => {
        const error = await failureOf(
          harness.client.sendMessage(
            harness.target,
            { to: customer, type: 'text', text: { body: 'Oi' } },
            { signal: AbortSignal.abort() },
          ),
        );
        expect(error.category).toBe('retry-later');
        expect(error.reason).toBe('aborted');
        expect(error.outcome).toBe('not-sent');
      });
    });

    describe('markRead', () => {
      it('marks a message read, with or without a typing indicator', async () => {
        const wamid = 'wamid.HBgLNTUxMTk4NzY1NDMyMRUCABIYFDNBMjA=';
        await expect(harness.client.markRead(harness.target, wamid)).resolves.toBeUndefined();
        await expect(
          harness.client.markRead(harness.target, wamid, { typingIndicator: true }),
        ).resolves.toBeUndefined();
      });
    });

    describe('media', () => {
      it('uploads media, looks it up and downloads the same bytes', async () => {
        const bytes = new Uint8Array(Buffer.from('%PDF-1.7 proposta'));
        const { id } = await harness.client.uploadMedia(harness.target, {
          bytes,
          mimeType: 'application/pdf',
          filename: 'proposta.pdf',
        });
        expect(id).not.toBe('');
        const info = await harness.client.getMedia(harness.target, id);
        expect(info).toMatchObject({ mimeType: 'application/pdf', fileSize: bytes.length });
        expect(info.url).toMatch(/^https?:\/\//);
        const downloaded = await harness.client.downloadMedia(harness.target, id);
        expect(Buffer.from(downloaded.bytes)).toEqual(Buffer.from(bytes));
        expect(downloaded.mimeType).toBe('application/pdf');
        expect(downloaded.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      });

      it('downloads media a customer sent', async ({ skip }) => {
        if (!harness.seedMedia) return skip();
        const bytes = new Uint8Array(Buffer.from('voice note bytes'));
        const mediaId = await harness.seedMedia({ bytes, mimeType: 'audio/ogg' });
        const downloaded = await harness.client.downloadMedia(harness.target, mediaId);
        expect(Buffer.from(downloaded.bytes)).toEqual(Buffer.from(bytes));
        expect(downloaded.mimeType).toBe('audio/ogg');
      });

      it('fails a download whose bytes do not match the sha256', async ({ skip }) => {
        if (!harness.seedMedia) return skip();
        const mediaId = await harness.seedMedia({
          bytes: new Uint8Array(Buffer.from('tampered')),
          mimeType: 'image/jpeg',
          corruptSha256: true,
        });
        const error = await failureOf(harness.client.downloadMedia(harness.target, mediaId));
        expect(error.reason).toBe('media-hash-mismatch');
        expect(error.category).toBe('retry-later');
      });

      it('answers an unknown media id with Meta code 100', async () => {
        const error = await failureOf(harness.client.getMedia(harness.target, '123456789'));
        expect(error.code).toBe(100);
        expect(error.category).toBe('fix-request');
      });
    });

    describe('templates', () => {
      it('creates templates and lists every one of them across pages', async () => {
        const names = ['offer_a', 'offer_b', 'offer_c', 'offer_d', 'offer_e'];
        for (const templateName of names) {
          const created = await harness.client.createTemplate(harness.target, harness.wabaId, {
            name: templateName,
            category: 'MARKETING',
            language: 'pt_BR',
            components: [{ type: 'BODY', text: 'Olá {{1}}', example: { body_text: [['Ana']] } }],
          });
          expect(created.id).not.toBe('');
          expect(created.category).toBe('MARKETING');
          expect(typeof created.status).toBe('string');
        }
        const templates = await harness.client.listTemplates(harness.target, harness.wabaId);
        const listed = templates
          .map((template) => template.name)
          .filter((listedName) => names.includes(listedName));
        expect(listed.sort()).toEqual(names);
        const offer = templates.find((template) => template.name === 'offer_a');
        expect(offer).toMatchObject({ language: 'pt_BR', category: 'MARKETING' });
        expect(offer?.components[0]).toMatchObject({ type: 'BODY', text: 'Olá {{1}}' });
      });

      it('filters templates by name', async () => {
        for (const templateName of ['reminder_one', 'reminder_two']) {
          await harness.client.createTemplate(harness.target, harness.wabaId, {
            name: templateName,
            category: 'UTILITY',
            language: 'en_US',
            components: [{ type: 'BODY', text: 'Reminder' }],
          });
        }
        const templates = await harness.client.listTemplates(harness.target, harness.wabaId, {
          name: 'reminder_two',
        });
        expect(templates.map((template) => template.name)).toEqual(['reminder_two']);
      });

      it('refuses a second template with the same name and language', async () => {
        const draft = {
          name: 'welcome',
          category: 'UTILITY' as const,
          language: 'en_US',
          components: [{ type: 'BODY', text: 'Welcome' }],
        };
        await harness.client.createTemplate(harness.target, harness.wabaId, draft);
        const error = await failureOf(harness.client.createTemplate(harness.target, harness.wabaId, draft));
        expect(error.category).toBe('fix-request');
        expect(error.code).toBe(100);
      });
    });

    describe('phone numbers and subscriptions', () => {
      it('lists the WABA numbers and reads one by id', async () => {
        const numbers = await harness.client.listPhoneNumbers(harness.target, harness.wabaId);
        const listed = numbers.find((number) => number.id === harness.target.phoneNumberId);
        expect(listed).toBeDefined();
        const number = await harness.client.getPhoneNumber(harness.target, harness.target.phoneNumberId);
        expect(number).toEqual(listed);
        expect(typeof number.displayPhoneNumber).toBe('string');
        expect(typeof number.verifiedName).toBe('string');
        for (const field of [number.qualityRating, number.messagingLimitTier, number.throughputLevel]) {
          expect(field === null || typeof field === 'string').toBe(true);
        }
      });

      it('subscribes the app to the WABA', async () => {
        await harness.client.subscribeApp(harness.target, harness.wabaId);
        const apps = await harness.client.listSubscribedApps(harness.target, harness.wabaId);
        expect(apps.length).toBeGreaterThan(0);
        expect(typeof apps[0]!.id).toBe('string');
      });

      it('registers a number with a six-digit PIN and refuses any other PIN', async () => {
        await expect(
          harness.client.registerNumber(harness.target, harness.target.phoneNumberId, '123456'),
        ).resolves.toBeUndefined();
        const error = await failureOf(
          harness.client.registerNumber(harness.target, harness.target.phoneNumberId, '12ab'),
        );
        expect(error.category).toBe('fix-request');
      });
    });

    describe('onboarding: code exchange, debug_token and discovery', () => {
      const appOf = (signup: SignupOnGraph) => ({
        ...signup.app,
        graphApiUrl: harness.target.graphApiUrl,
        graphApiVersion: harness.target.graphApiVersion,
      });

      it('exchanges a signup code once, for a token whose WABA and number can be discovered', async ({
        skip,
      }) => {
        if (!harness.signup) return skip();
        const signup = await harness.signup();
        const app = appOf(signup);
        const exchanged = await harness.client.exchangeCode(app, signup.code);
        expect(exchanged.accessToken.length).toBeGreaterThan(10);
        expect(exchanged.tokenType.toLowerCase()).toBe('bearer');

        const info = await harness.client.debugToken(app, exchanged.accessToken);
        expect(info).toMatchObject({ isValid: true, error: null });
        expect(info.scopes).toEqual(
          expect.arrayContaining(['whatsapp_business_management', 'whatsapp_business_messaging']),
        );
        const shared = info.granularScopes.find(
          (granted) => granted.scope === 'whatsapp_business_management',
        );
        expect(shared?.targetIds).toContain(signup.wabaId);

        const access = { ...harness.target, accessToken: exchanged.accessToken };
        expect((await harness.client.getWaba(access, signup.wabaId)).id).toBe(signup.wabaId);
        const numbers = await harness.client.listPhoneNumbers(access, signup.wabaId);
        expect(numbers.map((number) => number.id)).toEqual([signup.phoneNumberId]);
        expect(numbers[0]!.status === null || typeof numbers[0]!.status === 'string').toBe(true);

        const reused = await failureOf(harness.client.exchangeCode(app, signup.code));
        expect(reused).toMatchObject({ code: 100, category: 'fix-request' });
        expectNoToken(reused, signup.app.appSecret);
        expectNoToken(reused, signup.code);
      });

      it('refuses the exchange with a wrong app secret, and keeps the secret out of the error', async ({
        skip,
      }) => {
        if (!harness.signup) return skip();
        const signup = await harness.signup();
        const wrong = { ...appOf(signup), appSecret: 'not-the-app-secret-123' };
        const error = await failureOf(harness.client.exchangeCode(wrong, signup.code));
        expect(error.code).toBe(1);
        expectNoToken(error, wrong.appSecret);
      });

      it('says a token it does not know is not valid', async ({ skip }) => {
        if (!harness.signup) return skip();
        const signup = await harness.signup();
        const info = await harness.client.debugToken(appOf(signup), 'EAAG-never-issued-token-0000');
        expect(info.isValid).toBe(false);
        expect(info.error?.code).toBe(190);
      });
    });

    describe('failures', () => {
      const text: OutboundMessage = { to: customer, type: 'text', text: { body: 'Oi' } };

      it.for(metaErrorCases)(
        'classifies Meta code $code (HTTP $httpStatus) as $category',
        async ({ code, httpStatus, category }, { skip }) => {
          if (!harness.scriptFailure) return skip();
          harness.scriptFailure({ kind: 'meta-error', code, httpStatus, details: `details for ${code}` });
          const error = await failureOf(harness.client.sendMessage(harness.target, text));
          expect(error.category).toBe(category);
          expect(error.reason).toBe('meta-error');
          expect(error.code).toBe(code);
          expect(error.httpStatus).toBe(httpStatus);
          expect(error.details).toBe(`details for ${code}`);
          expect(error.outcome).toBe(httpStatus >= 500 ? 'unknown' : 'not-sent');
          expect(error.isMarketingOptOut).toBe(code === 131050);
          if (category === 'retry-later') expect(error.retryAfterMs).toBeGreaterThan(0);
          else expect(error.retryAfterMs).toBeNull();
          expectNoToken(error, harness.target.accessToken);
        },
      );

      it('backs off 4^X seconds on the pair rate limit (131056)', async ({ skip }) => {
        if (!harness.scriptFailure) return skip();
        const delays: (number | null)[] = [];
        for (const attempt of [0, 1, 2, 3]) {
          harness.scriptFailure({ kind: 'meta-error', code: 131056, httpStatus: 400 });
          const error = await failureOf(harness.client.sendMessage(harness.target, text, { attempt }));
          delays.push(error.retryAfterMs);
        }
        expect(delays).toEqual([1_000, 4_000, 16_000, 64_000]);
      });

      it.for([
        { httpStatus: 429, category: 'retry-later', outcome: 'not-sent' },
        { httpStatus: 500, category: 'retry-later', outcome: 'unknown' },
        { httpStatus: 502, category: 'retry-later', outcome: 'unknown' },
        { httpStatus: 503, category: 'retry-later', outcome: 'unknown' },
        { httpStatus: 401, category: 'token-invalid', outcome: 'not-sent' },
        { httpStatus: 404, category: 'fix-request', outcome: 'not-sent' },
      ] as const)(
        'maps HTTP $httpStatus without an error body to $category',
        async ({ httpStatus, category, outcome }, { skip }) => {
          if (!harness.scriptFailure) return skip();
          harness.scriptFailure({ kind: 'http-status', httpStatus });
          const error = await failureOf(harness.client.sendMessage(harness.target, text));
          expect(error).toMatchObject({ category, outcome, reason: 'http-status', httpStatus, code: null });
        },
      );

      it('treats an unknown code by its HTTP status: 5xx retry, 4xx fix', async ({ skip }) => {
        if (!harness.scriptFailure) return skip();
        harness.scriptFailure({ kind: 'meta-error', code: 987654, httpStatus: 503 });
        const serverSide = await failureOf(harness.client.sendMessage(harness.target, text));
        expect(serverSide.category).toBe('retry-later');
        harness.scriptFailure({ kind: 'meta-error', code: 987654, httpStatus: 400 });
        const clientSide = await failureOf(harness.client.sendMessage(harness.target, text));
        expect(clientSide.category).toBe('fix-request');
      });

      it('treats an unexpected success body on a send as an unknown outcome', async ({ skip }) => {
        if (!harness.scriptFailure) return skip();
        harness.scriptFailure({ kind: 'invalid-response' });
        const error = await failureOf(harness.client.sendMessage(harness.target, text));
        expect(error).toMatchObject({
          category: 'retry-later',
          outcome: 'unknown',
          reason: 'invalid-response',
        });
      });

      it('rejects an unexpected success body on a management call', async ({ skip }) => {
        if (!harness.scriptFailure) return skip();
        harness.scriptFailure({ kind: 'invalid-response' });
        const error = await failureOf(harness.client.listTemplates(harness.target, harness.wabaId));
        expect(error).toMatchObject({ category: 'retry-later', reason: 'invalid-response' });
      });

      it('times out a hanging send with an unknown outcome', async ({ skip }) => {
        if (!harness.scriptFailure) return skip();
        harness.scriptFailure({ kind: 'hang' });
        const error = await failureOf(harness.client.sendMessage(harness.target, text));
        expect(error).toMatchObject({ category: 'retry-later', outcome: 'unknown', reason: 'timeout' });
        expectNoToken(error, harness.target.accessToken);
      });

      it('reports a connection reset after the request as an unknown outcome', async ({ skip }) => {
        if (!harness.scriptFailure) return skip();
        harness.scriptFailure({ kind: 'reset' });
        const error = await failureOf(harness.client.sendMessage(harness.target, text));
        expect(error).toMatchObject({
          category: 'retry-later',
          outcome: 'unknown',
          reason: 'connection-lost',
        });
        expectNoToken(error, harness.target.accessToken);
      });

      it('keeps working after a failure', async ({ skip }) => {
        if (!harness.scriptFailure) return skip();
        harness.scriptFailure({ kind: 'reset' });
        await failureOf(harness.client.sendMessage(harness.target, text));
        const sent = await harness.client.sendMessage(harness.target, text);
        expect(sent.wamid).toMatch(/^wamid\./);
      });
    });
  });
}
