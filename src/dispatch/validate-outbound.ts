import { z } from 'zod';
import { AppError } from '../http/app-error.ts';

const media = z
  .looseObject({ id: z.string().min(1).optional(), link: z.url().optional() })
  .refine(
    (value) => Boolean(value.id) !== Boolean(value.link),
    'give exactly one of id (uploaded media) or link',
  );

/**
 * What each message type must carry, checked before a message is queued, so a bad request is a clear
 * 400 here rather than Meta's 100/131008/131009 later. Limits are Meta's (text body 4,096 characters).
 */
const outbound = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('text'),
    text: z.looseObject({ body: z.string().min(1).max(4096), previewUrl: z.boolean().optional() }),
  }),
  z.looseObject({ type: z.literal('image'), image: media }),
  z.looseObject({ type: z.literal('audio'), audio: media }),
  z.looseObject({ type: z.literal('video'), video: media }),
  z.looseObject({ type: z.literal('document'), document: media }),
  z.looseObject({ type: z.literal('sticker'), sticker: media }),
  z.looseObject({
    type: z.literal('template'),
    template: z.looseObject({
      name: z.string().min(1).max(512),
      languageCode: z.string().min(2).max(15),
      components: z.array(z.looseObject({ type: z.string() })).optional(),
    }),
  }),
  z.looseObject({
    type: z.literal('interactive'),
    interactive: z.looseObject({ type: z.enum(['button', 'list', 'cta_url', 'flow']) }),
  }),
  z.looseObject({
    type: z.literal('reaction'),
    reaction: z.looseObject({ messageId: z.string().min(1), emoji: z.string() }),
  }),
  z.looseObject({
    type: z.literal('location'),
    location: z.looseObject({ latitude: z.number(), longitude: z.number() }),
  }),
  z.looseObject({ type: z.literal('contacts'), contacts: z.array(z.looseObject({})).min(1) }),
]);

export function validateOutboundMessage(message: unknown): void {
  const result = outbound.safeParse(message);
  if (result.success) return;
  const summary = result.error.issues
    .map((issue) => `message.${issue.path.join('.') || 'type'}: ${issue.message}`)
    .join('; ');
  throw new AppError('validation_failed', summary);
}
