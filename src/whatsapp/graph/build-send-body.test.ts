import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasSharedFixtures, sharedFixtureFiles } from '../../../test/support/shared-fixtures.ts';
import { buildMarkReadBody, buildSendBody } from './build-send-body.ts';
import { GraphError } from './graph-error.ts';
import {
  metaFixturesUrl,
  metaSendExamples,
  normalizeMetaSendExample,
  skippedMetaSendExamples,
} from './meta-send-examples.ts';

const requestsUrl = new URL('send-message-requests/', metaFixturesUrl);

function readExample(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(file, requestsUrl), 'utf8')) as Record<string, unknown>;
}

describe.skipIf(!hasSharedFixtures)('buildSendBody against Meta request examples', () => {
  it('covers every example file: built, or skipped with a reason', () => {
    const files = sharedFixtureFiles(requestsUrl);
    expect(files.length).toBeGreaterThan(40);
    const built = new Set(metaSendExamples.map((example) => example.file));
    const unaccounted = files.filter((file) => !built.has(file) && !(file in skippedMetaSendExamples));
    expect(unaccounted).toEqual([]);
    for (const file of built) expect(files).toContain(file);
  });

  it.each(metaSendExamples)('builds $file exactly', ({ file, message, replyToWamid }) => {
    const body = buildSendBody(message, replyToWamid === undefined ? {} : { replyToWamid });
    expect(body).toEqual(normalizeMetaSendExample(readExample(file)));
  });

  it('builds the mark-as-read body with a typing indicator like Meta', () => {
    const example = readExample('send_typing_indicator_and_read_receipt.json');
    expect(buildMarkReadBody(String(example.message_id), { typingIndicator: true })).toEqual(example);
  });

  it('builds a plain mark-as-read body', () => {
    expect(buildMarkReadBody('wamid.X')).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.X',
    });
  });
});

describe('buildSendBody', () => {
  it('puts the common fields, the reply context and the callback data where Meta expects them', () => {
    const body = buildSendBody(
      { to: '+5511987654321', type: 'text', text: { body: 'Oi' } },
      { replyToWamid: 'wamid.A', bizOpaqueCallbackData: 'outbox:42' },
    );
    expect(body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+5511987654321',
      type: 'text',
      text: { body: 'Oi', preview_url: false },
      context: { message_id: 'wamid.A' },
      biz_opaque_callback_data: 'outbox:42',
    });
  });

  it('accepts 512 characters of callback data and refuses 513', () => {
    const message = { to: '+5511987654321', type: 'text', text: { body: 'Oi' } } as const;
    expect(
      buildSendBody(message, { bizOpaqueCallbackData: 'x'.repeat(512) }).biz_opaque_callback_data,
    ).toHaveLength(512);
    expect(() => buildSendBody(message, { bizOpaqueCallbackData: 'x'.repeat(513) })).toThrow(GraphError);
  });

  it('refuses an empty recipient', () => {
    expect(() => buildSendBody({ to: ' ', type: 'text', text: { body: 'Oi' } })).toThrow(GraphError);
  });

  it('builds a CTA URL message', () => {
    const body = buildSendBody({
      to: '+5511987654321',
      type: 'interactive',
      interactive: {
        type: 'cta_url',
        header: { type: 'image', image: { id: '77' } },
        body: 'Veja a proposta',
        footer: 'Coxcox',
        displayText: 'Abrir',
        url: 'https://example.com/p',
      },
    });
    expect(body.interactive).toEqual({
      type: 'cta_url',
      header: { type: 'image', image: { id: '77' } },
      body: { text: 'Veja a proposta' },
      footer: { text: 'Coxcox' },
      action: { name: 'cta_url', parameters: { display_text: 'Abrir', url: 'https://example.com/p' } },
    });
  });

  it('builds named template parameters, a URL button and document and location headers', () => {
    const body = buildSendBody({
      to: '+5511987654321',
      type: 'template',
      template: {
        name: 'order_update',
        languageCode: 'pt_BR',
        components: [
          {
            type: 'header',
            parameters: [{ type: 'document', document: { id: '9', filename: 'pedido.pdf' } }],
          },
          { type: 'body', parameters: [{ type: 'text', text: 'Ana', parameterName: 'first_name' }] },
          { type: 'button', subType: 'url', index: 2, parameters: [{ type: 'text', text: 'abc' }] },
        ],
      },
    });
    expect(body.template).toEqual({
      name: 'order_update',
      language: { code: 'pt_BR' },
      components: [
        { type: 'header', parameters: [{ type: 'document', document: { id: '9', filename: 'pedido.pdf' } }] },
        { type: 'body', parameters: [{ type: 'text', parameter_name: 'first_name', text: 'Ana' }] },
        { type: 'button', sub_type: 'url', index: '2', parameters: [{ type: 'text', text: 'abc' }] },
      ],
    });
    const located = buildSendBody({
      to: '+5511987654321',
      type: 'template',
      template: {
        name: 'store_visit',
        languageCode: 'pt_BR',
        components: [
          {
            type: 'header',
            parameters: [{ type: 'location', location: { latitude: -23.5, longitude: -46.6 } }],
          },
        ],
      },
    });
    expect(located.template).toMatchObject({
      components: [
        {
          type: 'header',
          parameters: [{ type: 'location', location: { latitude: -23.5, longitude: -46.6 } }],
        },
      ],
    });
  });

  it('removes a reaction with an empty emoji', () => {
    const body = buildSendBody({
      to: '+5511987654321',
      type: 'reaction',
      reaction: { messageId: 'wamid.A', emoji: '' },
    });
    expect(body.reaction).toEqual({ message_id: 'wamid.A', emoji: '' });
  });
});
