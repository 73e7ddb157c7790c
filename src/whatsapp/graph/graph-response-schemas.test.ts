import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasSharedFixtures, sharedFixtureFiles } from '../../../test/support/shared-fixtures.ts';
import {
  graphErrorEnvelopeSchema,
  mediaInfoResponseSchema,
  sendMessageResponseSchema,
  successResponseSchema,
} from './graph-response-schemas.ts';
import { metaFixturesUrl } from './meta-send-examples.ts';

const responsesUrl = new URL('send-message-responses/', metaFixturesUrl);
const responseFiles = sharedFixtureFiles(responsesUrl);
const readResponse = (file: string): unknown => JSON.parse(readFileSync(new URL(file, responsesUrl), 'utf8'));

describe.skipIf(!hasSharedFixtures)('Meta 200 response examples', () => {
  it('are all here', () => {
    expect(responseFiles.length).toBeGreaterThan(40);
  });

  it.each(responseFiles.filter((file) => file !== '200_send_typing_indicator_and_read_receipt.json'))(
    '%s validates as a send response',
    (file) => {
      const parsed = sendMessageResponseSchema.safeParse(readResponse(file));
      expect(parsed.success).toBe(true);
      expect(parsed.data?.messages[0]?.id).toMatch(/^wamid\./);
    },
  );

  it('the typing indicator example validates as a success response', () => {
    expect(
      successResponseSchema.safeParse(readResponse('200_send_typing_indicator_and_read_receipt.json'))
        .success,
    ).toBe(true);
  });
});

describe('response schemas', () => {
  it('refuses a send response without a message id', () => {
    expect(sendMessageResponseSchema.safeParse({ messaging_product: 'whatsapp', messages: [] }).success).toBe(
      false,
    );
    expect(
      sendMessageResponseSchema.safeParse({ messaging_product: 'whatsapp', messages: [{}] }).success,
    ).toBe(false);
    expect(sendMessageResponseSchema.safeParse({ success: true }).success).toBe(false);
  });

  it('keeps a template pacing status', () => {
    const parsed = sendMessageResponseSchema.parse({
      messaging_product: 'whatsapp',
      contacts: [{ input: '+16505551234', wa_id: '16505551234' }],
      messages: [{ id: 'wamid.A', message_status: 'held_for_quality_assessment' }],
    });
    expect(parsed.messages[0]?.message_status).toBe('held_for_quality_assessment');
  });

  it('reads file_size as a number or as a string of digits', () => {
    const base = { url: 'https://lookaside.fbsbx.com/x', mime_type: 'image/png', sha256: 'ab' };
    expect(mediaInfoResponseSchema.parse({ ...base, file_size: 182859 }).file_size).toBe(182859);
    expect(mediaInfoResponseSchema.parse({ ...base, file_size: '303833' }).file_size).toBe(303833);
    expect(mediaInfoResponseSchema.safeParse({ ...base, file_size: 'big' }).success).toBe(false);
  });

  it('reads an error envelope whose error_data is a string, as older Graph errors have it', () => {
    const parsed = graphErrorEnvelopeSchema.parse({
      error: { message: 'x', type: 'OAuthException', code: 100, error_data: '{"foo":1}', fbtrace_id: 'A' },
    });
    expect(parsed.error.code).toBe(100);
  });
});
