import { describe, expect, it } from 'vitest';
import { DEFAULT_CONSENT_SETTINGS, matchOptOutKeyword } from '../../src/contacts/index.ts';
import { findPendingOptOuts, hasOptOutText } from '../../src/whatsapp/find-pending-opt-outs.ts';
import { metaJson, statusNotification, textMessageNotification } from '../support/meta-body.ts';

const isOptOutText = (text: string) =>
  matchOptOutKeyword(text, DEFAULT_CONSENT_SETTINGS.optOutKeywords) !== null;
const text = (body: string, from = '5511900008001') =>
  Buffer.from(
    metaJson(textMessageNotification({ wabaId: 'waba-1', phoneNumberId: 'pn-1', from, text: body })),
  );
/** A body with one message of another kind than text (a quick-reply tap, an interactive reply, an image). */
const messageOf = (message: Record<string, unknown>) =>
  Buffer.from(
    metaJson({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'waba-1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550000001', phone_number_id: 'pn-1' },
                contacts: [{ profile: { name: 'A' }, wa_id: '5511900008002' }],
                messages: [{ from: '5511900008002', id: 'wamid.X1', timestamp: '1700000000', ...message }],
              },
            },
          ],
        },
      ],
    }),
  );

describe('findPendingOptOuts (intake prefilter)', () => {
  it.each([
    ['STOP'],
    ['stop!'],
    ['  Unsubscribe. '],
    ['Parar promoções'], // sent by Meta as PARAR PROMO\u00c7\u00d5ES
    ['BAJA'],
  ])('marks the text message %j', (body) => {
    expect(findPendingOptOuts(text(body), isOptOutText)).toEqual([
      { phoneNumberId: 'pn-1', waId: '5511900008001', text: body },
    ]);
  });

  it.each([
    ['a sentence', text('please stop sending me the catalogue, I only want the invoice')],
    ['a greeting', text('hello')],
    [
      'a status with an error title',
      Buffer.from(
        metaJson(
          statusNotification({
            wabaId: 'waba-1',
            phoneNumberId: 'pn-1',
            statuses: [
              {
                id: 'wamid.S1',
                status: 'failed',
                recipientId: '5511900008003',
                errors: [{ code: 131026, title: 'Message undeliverable' }],
              },
            ],
          }),
        ),
      ),
    ],
    ['an image captioned STOP', messageOf({ type: 'image', image: { id: 'media-1', caption: 'STOP' } })],
  ])('passes %s without a mark', (_name, body) => {
    expect(findPendingOptOuts(body, isOptOutText)).toEqual([]);
  });

  it('marks a quick-reply tap and an interactive reply whose text is a keyword', () => {
    expect(
      findPendingOptOuts(
        messageOf({ type: 'button', button: { payload: 'unsub', text: 'Stop promotions' } }),
        isOptOutText,
      ),
    ).toEqual([{ phoneNumberId: 'pn-1', waId: '5511900008002', text: 'Stop promotions' }]);
    expect(
      findPendingOptOuts(
        messageOf({
          type: 'interactive',
          interactive: { type: 'button_reply', button_reply: { id: 'b2', title: 'Sair' } },
        }),
        isOptOutText,
      ),
    ).toEqual([{ phoneNumberId: 'pn-1', waId: '5511900008002', text: 'Sair' }]);
  });

  it('reads pretty-printed bodies and escaped quotes, and gives up on long or unterminated values', () => {
    expect(hasOptOutText(Buffer.from('{"text": {\n  "body" :  "STOP"\n}}'), isOptOutText)).toBe(true);
    expect(hasOptOutText(Buffer.from('{"body":"\\"STOP\\""}'), isOptOutText)).toBe(true);
    expect(hasOptOutText(Buffer.from(`{"body":"${'x'.repeat(300)} STOP"}`), isOptOutText)).toBe(false);
    expect(hasOptOutText(Buffer.from('{"body":"STOP'), isOptOutText)).toBe(false);
    expect(hasOptOutText(Buffer.from('{"body":12,"title":null}'), isOptOutText)).toBe(false);
  });
});
