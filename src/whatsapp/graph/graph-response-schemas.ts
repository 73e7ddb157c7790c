import { z } from 'zod';

/**
 * What Graph answers, checked at the edge. Shapes from Meta's OpenAPI spec v23.0 (facebook/openapi)
 * and its response examples. Only the fields we read are described; unknown fields are ignored, and
 * Meta's open enums (statuses, tiers) stay strings.
 */

/** `POST /{phone-number-id}/messages`: acceptance, not delivery. */
export const sendMessageResponseSchema = z.object({
  messaging_product: z.literal('whatsapp').optional(),
  contacts: z.array(z.object({ input: z.string().optional(), wa_id: z.string().optional() })).optional(),
  messages: z.array(z.object({ id: z.string().min(1), message_status: z.string().optional() })).min(1),
});

/** Mark as read, subscribed apps, register. */
export const successResponseSchema = z.object({ success: z.literal(true) });

export const mediaUploadResponseSchema = z.object({ id: z.string().min(1) });

/** `file_size` is a string in the spec's example and a number in real answers: accept both. */
export const mediaInfoResponseSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  mime_type: z.string().min(1),
  sha256: z.string().min(1),
  file_size: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]),
  id: z.string().optional(),
});

const pagingSchema = z
  .object({
    cursors: z.object({ before: z.string().optional(), after: z.string().optional() }).optional(),
    next: z.string().optional(),
  })
  .optional();

export const templateSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  language: z.string(),
  status: z.string(),
  category: z.string(),
  parameter_format: z.string().optional(),
  components: z.array(z.looseObject({ type: z.string() })).optional(),
});

export const templatePageSchema = z.object({ data: z.array(templateSchema), paging: pagingSchema });

export const createdTemplateSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  category: z.string(),
});

export const phoneNumberSchema = z.object({
  id: z.string().min(1),
  display_phone_number: z.string(),
  verified_name: z.string(),
  quality_rating: z.string().optional(),
  /** Deprecated by Meta in favour of the portfolio-level limit; v23 still returns it. */
  messaging_limit_tier: z.string().optional(),
  whatsapp_business_manager_messaging_limit: z.string().optional(),
  throughput: z.object({ level: z.string() }).optional(),
  status: z.string().optional(),
});

export const phoneNumberPageSchema = z.object({ data: z.array(phoneNumberSchema), paging: pagingSchema });

export const subscribedAppsResponseSchema = z.object({
  data: z.array(
    z.object({
      whatsapp_business_api_data: z.object({ id: z.string(), name: z.string(), link: z.string().optional() }),
      override_callback_uri: z.string().optional(),
    }),
  ),
});

export const wabaSchema = z.object({ id: z.string().min(1), name: z.string().optional() });

/** The code exchange: `{access_token, token_type, expires_in?}` (Facebook Login's token answer). */
export const exchangedTokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().int().nonnegative().optional(),
});

/** `GET /debug_token`: `{data:{app_id, type, expires_at, is_valid, scopes, granular_scopes?, error?}}`. */
export const debugTokenSchema = z.object({
  data: z.object({
    app_id: z.union([z.string(), z.number().transform(String)]).optional(),
    type: z.string().optional(),
    /** Seconds; 0 means never. */
    expires_at: z.number().int().nonnegative().optional(),
    is_valid: z.boolean(),
    scopes: z.array(z.string()).optional(),
    granular_scopes: z
      .array(
        z.object({
          scope: z.string(),
          target_ids: z.array(z.union([z.string(), z.number().transform(String)])).optional(),
        }),
      )
      .optional(),
    error: z
      .object({
        code: z.number().int().optional(),
        subcode: z.number().int().optional(),
        message: z.string().optional(),
      })
      .optional(),
  }),
});

/** `{error:{message, type, code, error_subcode?, error_data?{details}, fbtrace_id}}`; lenient but for `code`. */
export const graphErrorEnvelopeSchema = z.object({
  error: z.object({
    code: z.number().int(),
    message: z.string().optional(),
    type: z.string().optional(),
    error_subcode: z.number().int().optional(),
    // Older Graph errors carry error_data as a JSON string.
    error_data: z.union([z.looseObject({ details: z.string().optional() }), z.string()]).optional(),
    error_user_title: z.string().optional(),
    error_user_msg: z.string().optional(),
    is_transient: z.boolean().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

export type GraphErrorEnvelope = z.infer<typeof graphErrorEnvelopeSchema>;
