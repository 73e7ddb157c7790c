import type { IncomingHttpHeaders } from 'node:http';
import type { Agent } from 'undici';
import { FormData } from 'undici';
import type { z } from 'zod';
import { createSafeDispatcher, findTargetRefusal, type TargetPolicy } from '../../net/index.ts';
import { buildMarkReadBody, buildSendBody } from './build-send-body.ts';
import type {
  BusinessAccount,
  BusinessPhoneNumber,
  CallOptions,
  CreatedTemplate,
  DownloadedMedia,
  ExchangedToken,
  GraphClient,
  ListTemplatesOptions,
  MarkReadOptions,
  MediaInfo,
  MediaUpload,
  MessageTemplate,
  SendOptions,
  SentMessage,
  SubscribedApp,
  TemplateDraft,
  TokenDebugInfo,
} from './graph-client.ts';
import { GraphError } from './graph-error.ts';
import {
  createdTemplateSchema,
  debugTokenSchema,
  exchangedTokenSchema,
  graphErrorEnvelopeSchema,
  mediaInfoResponseSchema,
  mediaUploadResponseSchema,
  phoneNumberPageSchema,
  phoneNumberSchema,
  sendMessageResponseSchema,
  subscribedAppsResponseSchema,
  successResponseSchema,
  templatePageSchema,
  wabaSchema,
} from './graph-response-schemas.ts';
import type { GraphAccess, GraphApp, GraphTarget } from './graph-target.ts';
import { matchesSha256, sha256Hex } from './media-sha256.ts';
import type { OutboundMessage } from './outbound-message.ts';

export interface UndiciGraphClientOptions {
  /**
   * Keep-alive connections per origin (one pool per Graph host). By Little's law, 128 connections
   * at about 100 ms a send carry about 1,280 requests a second: Meta's top tier for one number is
   * 1,000 messages a second (Meta, "Throughput").
   */
  connectionsPerOrigin?: number;
  /** Sends and mark-as-read: 15 s. A send that times out has an unknown outcome. */
  sendTimeoutMs?: number;
  /** Management calls (templates, numbers, subscriptions): 30 s. */
  requestTimeoutMs?: number;
  /** Media upload and download: 60 s. */
  mediaTimeoutMs?: number;
  /** TCP and TLS connect: 10 s. A connect failure surely sent nothing. */
  connectTimeoutMs?: number;
  /** How long an idle connection is kept: 30 s. */
  keepAliveTimeoutMs?: number;
  /** Largest media download: 100 MB, Meta's limit for documents (Meta, "Media"). */
  maxMediaBytes?: number;
  userAgent?: string;
  /**
   * Which addresses a Graph URL may reach. A number's Graph URL can be set by its tenant, so only the
   * operator's (trustedOrigins) may be private unless allowPrivateNetworkTargets; closed by default.
   */
  targetPolicy?: TargetPolicy;
}

const defaults = {
  connectionsPerOrigin: 128,
  sendTimeoutMs: 15_000, // 15 s
  requestTimeoutMs: 30_000, // 30 s
  mediaTimeoutMs: 60_000, // 60 s
  connectTimeoutMs: 10_000, // 10 s
  keepAliveTimeoutMs: 30_000, // 30 s
  maxMediaBytes: 100 * 1024 * 1024, // 100 MB
  userAgent: 'coxcox-graph-client',
};

/** Graph pages hold up to 100 items; 6,000 templates (Meta's cap for a verified portfolio) is 60 pages. */
const pageSize = 100;
const maxPages = 100;

/** Error codes of a connection that never opened: nothing was written, so nothing was sent. */
const connectPhaseCodes = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
]);

const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

type Method = 'GET' | 'POST';

/** Where a call goes and as whom; `redacted` lists more secrets to keep out of errors (an app secret, a code). */
type CallAccess = GraphAccess & { redacted?: readonly string[] };

interface CallInput {
  access: CallAccess;
  /** No Authorization header: the code exchange authenticates with client_id and client_secret. */
  isAnonymous?: boolean;
  method: Method;
  /** Path segments after the version, each URL-encoded here. */
  segments: string[];
  query?: Record<string, string | undefined>;
  json?: unknown;
  form?: FormData;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /** Names the call in error messages: ids and paths are fine there, the token never is. */
  operation: string;
  attempt?: number;
}

/** The Graph API over undici: one keep-alive pool per origin, JSON in and out, zod at the edge. */
export class UndiciGraphClient implements GraphClient {
  readonly #agent: Agent;
  readonly #options: typeof defaults;

  constructor(options: UndiciGraphClientOptions = {}) {
    const { targetPolicy = { allowPrivateNetworkTargets: false }, ...tuning } = options;
    this.#options = { ...defaults, ...withoutUndefined(tuning) };
    this.#agent = createSafeDispatcher({
      ...targetPolicy,
      connectTimeoutMs: this.#options.connectTimeoutMs,
      agent: {
        connections: this.#options.connectionsPerOrigin,
        pipelining: 1, // Graph answers in order anyway; one request per connection keeps a slow one from blocking others.
        keepAliveTimeout: this.#options.keepAliveTimeoutMs,
      },
    });
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  async sendMessage(
    target: GraphTarget,
    message: OutboundMessage,
    options: SendOptions = {},
  ): Promise<SentMessage> {
    const body = buildSendBody(message, options);
    const response = await this.#callJson(
      {
        access: target,
        method: 'POST',
        segments: [target.phoneNumberId, 'messages'],
        json: body,
        timeoutMs: this.#options.sendTimeoutMs,
        signal: options.signal,
        operation: `sendMessage ${message.type} from ${target.phoneNumberId}`,
        attempt: options.attempt ?? 0,
      },
      sendMessageResponseSchema,
    );
    const [accepted] = response.messages;
    return {
      wamid: accepted!.id,
      waId: response.contacts?.[0]?.wa_id ?? null,
      messageStatus: accepted!.message_status ?? null,
    };
  }

  async markRead(target: GraphTarget, wamid: string, options: MarkReadOptions = {}): Promise<void> {
    await this.#callJson(
      {
        access: target,
        method: 'POST',
        segments: [target.phoneNumberId, 'messages'],
        json: buildMarkReadBody(wamid, options),
        timeoutMs: this.#options.sendTimeoutMs,
        signal: options.signal,
        operation: `markRead from ${target.phoneNumberId}`,
      },
      successResponseSchema,
    );
  }

  async uploadMedia(
    target: GraphTarget,
    media: MediaUpload,
    options: CallOptions = {},
  ): Promise<{ id: string }> {
    // Meta's upload form: file, type (the MIME type) and messaging_product (Meta, "Media").
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', media.mimeType);
    form.append('file', new Blob([new Uint8Array(media.bytes)], { type: media.mimeType }), media.filename);
    const response = await this.#callJson(
      {
        access: target,
        method: 'POST',
        segments: [target.phoneNumberId, 'media'],
        form,
        timeoutMs: this.#options.mediaTimeoutMs,
        signal: options.signal,
        operation: `uploadMedia to ${target.phoneNumberId}`,
      },
      mediaUploadResponseSchema,
    );
    return { id: response.id };
  }

  async getMedia(target: GraphTarget, mediaId: string, options: CallOptions = {}): Promise<MediaInfo> {
    const response = await this.#callJson(
      {
        access: target,
        method: 'GET',
        segments: [mediaId],
        // Makes Meta check that the media belongs to this number.
        query: { phone_number_id: target.phoneNumberId },
        timeoutMs: this.#options.requestTimeoutMs,
        signal: options.signal,
        operation: `getMedia ${mediaId}`,
      },
      mediaInfoResponseSchema,
    );
    return {
      url: response.url,
      mimeType: response.mime_type,
      sha256: response.sha256,
      fileSize: response.file_size,
    };
  }

  async downloadMedia(
    target: GraphTarget,
    mediaId: string,
    options: CallOptions = {},
  ): Promise<DownloadedMedia> {
    const info = await this.getMedia(target, mediaId, options);
    const url = new URL(info.url);
    // The download needs the bearer token: never send it in clear text, except to the Graph URL itself
    // (the simulator runs on plain HTTP).
    if (url.protocol !== 'https:' && url.origin !== new URL(target.graphApiUrl).origin) {
      throw GraphError.invalidResponse(
        `getMedia ${mediaId} gave a download URL that is neither HTTPS nor Graph's`,
        {
          httpStatus: 200,
        },
      );
    }
    const operation = `downloadMedia ${mediaId}`;
    const bytes = await this.#withTransport(
      operation,
      target,
      options.signal,
      this.#options.mediaTimeoutMs,
      0,
      async (signal) => {
        const response = await this.#agent.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          headers: { authorization: `Bearer ${target.accessToken}`, 'user-agent': this.#options.userAgent },
          signal,
          headersTimeout: this.#options.mediaTimeoutMs,
          bodyTimeout: this.#options.mediaTimeoutMs,
        });
        if (response.statusCode < 200 || response.statusCode > 299) {
          const text = await response.body.text();
          // An expired URL (about 5 minutes) answers 404: looking the media up again gives a fresh one.
          if (response.statusCode === 404 || response.statusCode === 410) {
            throw new GraphError({
              category: 'retry-later',
              reason: 'http-status',
              message: `${operation}: the download URL answered HTTP ${response.statusCode} (expired)`,
              httpStatus: response.statusCode,
              retryAfterMs: 1_000,
            });
          }
          throw this.#errorFromResponse(response.statusCode, response.headers, text, operation, target, 0);
        }
        const declaredLength = Number(response.headers['content-length'] ?? Number.NaN);
        if (declaredLength > this.#options.maxMediaBytes) {
          // Dropping the body closes the connection; the abort it reports is expected.
          response.body.on('error', () => {});
          response.body.destroy();
          throw tooLarge(operation, this.#options.maxMediaBytes);
        }
        const chunks: Buffer[] = [];
        let received = 0;
        for await (const chunk of response.body) {
          received += (chunk as Buffer).length;
          // Leaving the loop early destroys the body.
          if (received > this.#options.maxMediaBytes) throw tooLarge(operation, this.#options.maxMediaBytes);
          chunks.push(chunk as Buffer);
        }
        return new Uint8Array(Buffer.concat(chunks));
      },
    );
    if (!matchesSha256(bytes, info.sha256)) throw GraphError.mediaHashMismatch(mediaId);
    return { bytes, mimeType: info.mimeType, sha256: sha256Hex(bytes) };
  }

  async listTemplates(
    access: GraphAccess,
    wabaId: string,
    options: ListTemplatesOptions = {},
  ): Promise<MessageTemplate[]> {
    const templates = await this.#getAllPages(
      {
        access,
        method: 'GET',
        segments: [wabaId, 'message_templates'],
        query: {
          fields: 'id,name,language,status,category,parameter_format,components',
          name: options.name,
          status: options.status,
        },
        timeoutMs: this.#options.requestTimeoutMs,
        signal: options.signal,
        operation: `listTemplates of ${wabaId}`,
      },
      templatePageSchema,
    );
    return templates.map((template) => ({
      id: template.id,
      name: template.name,
      language: template.language,
      status: template.status,
      category: template.category,
      parameterFormat: template.parameter_format ?? null,
      components: template.components ?? [],
    }));
  }

  async createTemplate(
    access: GraphAccess,
    wabaId: string,
    template: TemplateDraft,
    options: CallOptions = {},
  ): Promise<CreatedTemplate> {
    return this.#callJson(
      {
        access,
        method: 'POST',
        segments: [wabaId, 'message_templates'],
        json: {
          name: template.name,
          category: template.category,
          language: template.language,
          ...(template.parameterFormat === undefined ? {} : { parameter_format: template.parameterFormat }),
          components: template.components,
        },
        timeoutMs: this.#options.requestTimeoutMs,
        signal: options.signal,
        operation: `createTemplate ${template.name} in ${wabaId}`,
      },
      createdTemplateSchema,
    );
  }

  async listPhoneNumbers(
    access: GraphAccess,
    wabaId: string,
    options: CallOptions = {},
  ): Promise<BusinessPhoneNumber[]> {
    const numbers = await this.#getAllPages(
      {
        access,
        method: 'GET',
        segments: [wabaId, 'phone_numbers'],
        query: { fields: phoneNumberFields },
        timeoutMs: this.#options.requestTimeoutMs,
        signal: options.signal,
        operation: `listPhoneNumbers of ${wabaId}`,
      },
      phoneNumberPageSchema,
    );
    return numbers.map(toBusinessPhoneNumber);
  }

  async getPhoneNumber(
    access: GraphAccess,
    phoneNumberId: string,
    options: CallOptions = {},
  ): Promise<BusinessPhoneNumber> {
    const number = await this.#callJson(
      {
        access,
        method: 'GET',
        segments: [phoneNumberId],
        query: { fields: phoneNumberFields },
        timeoutMs: this.#options.requestTimeoutMs,
        signal: options.signal,
        operation: `getPhoneNumber ${phoneNumberId}`,
      },
      phoneNumberSchema,
    );
    return toBusinessPhoneNumber(number);
  }

  async subscribeApp(access: GraphAccess, wabaId: string, options: CallOptions = {}): Promise<void> {
    await this.#callJson(
      {
        access,
        method: 'POST',
        segments: [wabaId, 'subscribed_apps'],
        timeoutMs: this.#options.requestTimeoutMs,
        signal: options.signal,
        operation: `subscribeApp to ${wabaId}`,
      },
      successResponseSchema,
    );
  }

  async listSubscribedApps(
    access: GraphAccess,
    wabaId: string,
    options: CallOptions = {},
  ): Promise<SubscribedApp[]> {
    const response = await this.#callJson(
      {
        access,
        method: 'GET',
        segments: [wabaId, 'subscribed_apps'],
        timeoutMs: this.#options.requestTimeoutMs,
        signal: options.signal,
        operation: `listSubscribedApps of ${wabaId}`,
      },
      subscribedAppsResponseSchema,
    );
    return response.data.map((app) => ({
      id: app.whatsapp_business_api_data.id,
      name: app.whatsapp_business_api_data.name,
      overrideCallbackUri: app.override_callback_uri ?? null,
    }));
  }

  async registerNumber(
    access: GraphAccess,
    phoneNumberId: string,
    pin: string,
    options: CallOptions = {},
  ): Promise<void> {
    if (!/^\d{6}$/.test(pin))
      throw GraphError.invalidRequest('the two-step verification PIN must be 6 digits');
    await this.#callJson(
      {
        access,
        method: 'POST',
        segments: [phoneNumberId, 'register'],
        json: { messaging_product: 'whatsapp', pin },
        timeoutMs: this.#options.requestTimeoutMs,
        signal: options.signal,
        operation: `registerNumber ${phoneNumberId}`,
      },
      successResponseSchema,
    );
  }

  async getWaba(access: GraphAccess, wabaId: string, options: CallOptions = {}): Promise<BusinessAccount> {
    const waba = await this.#callJson(
      {
        access,
        method: 'GET',
        segments: [wabaId],
        query: { fields: 'id,name' },
        timeoutMs: this.#options.requestTimeoutMs,
        signal: options.signal,
        operation: `getWaba ${wabaId}`,
      },
      wabaSchema,
    );
    return { id: waba.id, name: waba.name ?? null };
  }

  async exchangeCode(app: GraphApp, code: string, options: CallOptions = {}): Promise<ExchangedToken> {
    const response = await this.#callJson(
      {
        access: appAccess(app, [code]),
        isAnonymous: true,
        method: 'GET',
        segments: ['oauth', 'access_token'],
        // Meta's Embedded Signup guide sends the three in the query (cloud-api-details.md §3.7).
        query: { client_id: app.appId, client_secret: app.appSecret, code },
        timeoutMs: this.#options.requestTimeoutMs,
        signal: options.signal,
        operation: `exchangeCode for app ${app.appId}`,
      },
      exchangedTokenSchema,
    );
    return {
      accessToken: response.access_token,
      tokenType: response.token_type ?? 'bearer',
      expiresInSeconds: response.expires_in ?? null,
    };
  }

  async debugToken(app: GraphApp, inputToken: string, options: CallOptions = {}): Promise<TokenDebugInfo> {
    const response = await this.#callJson(
      {
        access: appAccess(app, [inputToken]),
        method: 'GET',
        segments: ['debug_token'],
        query: { input_token: inputToken },
        timeoutMs: this.#options.requestTimeoutMs,
        signal: options.signal,
        operation: `debugToken for app ${app.appId}`,
      },
      debugTokenSchema,
    );
    const data = response.data;
    return {
      isValid: data.is_valid,
      appId: data.app_id ?? null,
      type: data.type ?? null,
      expiresAt: data.expires_at === undefined || data.expires_at === 0 ? null : data.expires_at * 1000,
      scopes: data.scopes ?? [],
      granularScopes: (data.granular_scopes ?? []).map((granted) => ({
        scope: granted.scope,
        targetIds: granted.target_ids ?? null,
      })),
      error: data.error
        ? {
            code: data.error.code ?? null,
            subcode: data.error.subcode ?? null,
            message: data.error.message === undefined ? null : redact(data.error.message, [inputToken]),
          }
        : null,
    };
  }

  /** Follows `paging.next` by its `after` cursor, on our own URL (Meta's `next` carries the token). */
  async #getAllPages<Item>(
    input: CallInput,
    schema: z.ZodType<{ data: Item[]; paging?: { cursors?: { after?: string }; next?: string } | undefined }>,
  ): Promise<Item[]> {
    const items: Item[] = [];
    const seenCursors = new Set<string>();
    let after: string | undefined;
    for (let page = 0; page < maxPages; page += 1) {
      const response = await this.#callJson(
        { ...input, query: { ...input.query, limit: String(pageSize), after } },
        schema,
      );
      items.push(...response.data);
      const next = response.paging?.next;
      if (next === undefined) return items;
      const cursor = response.paging?.cursors?.after ?? afterCursorOf(next);
      if (cursor === undefined || seenCursors.has(cursor)) {
        throw GraphError.invalidResponse(`${input.operation}: paging.next without a new after cursor`, {
          httpStatus: 200,
        });
      }
      seenCursors.add(cursor);
      after = cursor;
    }
    throw GraphError.invalidResponse(`${input.operation}: more than ${maxPages} pages`, { httpStatus: 200 });
  }

  async #callJson<Output>(input: CallInput, schema: z.ZodType<Output>): Promise<Output> {
    const { origin, path } = graphLocation(input.access, input.segments, input.query);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.#options.userAgent,
    };
    if (!input.isAnonymous) headers.authorization = `Bearer ${input.access.accessToken}`;
    let body: string | FormData | undefined;
    if (input.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(input.json);
    } else if (input.form !== undefined) {
      body = input.form; // undici sets the multipart boundary
    }
    const attempt = input.attempt ?? 0;
    const { statusCode, payload } = await this.#withTransport(
      input.operation,
      input.access,
      input.signal,
      input.timeoutMs,
      attempt,
      async (signal) => {
        const response = await this.#agent.request({
          origin,
          path,
          method: input.method,
          headers,
          body,
          signal,
          headersTimeout: input.timeoutMs,
          bodyTimeout: input.timeoutMs,
        });
        const text = await response.body.text();
        if (response.statusCode < 200 || response.statusCode > 299) {
          throw this.#errorFromResponse(
            response.statusCode,
            response.headers,
            text,
            input.operation,
            input.access,
            attempt,
          );
        }
        return { statusCode: response.statusCode, payload: text };
      },
    );
    let json: unknown;
    try {
      json = JSON.parse(payload);
    } catch (error) {
      throw GraphError.invalidResponse(
        `${input.operation}: HTTP ${statusCode} with a body that is not JSON`,
        {
          httpStatus: statusCode,
          cause: error,
        },
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ');
      throw GraphError.invalidResponse(`${input.operation}: unexpected HTTP ${statusCode} body (${issues})`, {
        httpStatus: statusCode,
      });
    }
    return parsed.data;
  }

  /** Runs one HTTP exchange under a deadline, and turns network failures into GraphErrors. */
  async #withTransport<Result>(
    operation: string,
    access: CallAccess,
    callerSignal: AbortSignal | undefined,
    timeoutMs: number,
    attempt: number,
    exchange: (signal: AbortSignal) => Promise<Result>,
  ): Promise<Result> {
    if (callerSignal?.aborted) {
      throw GraphError.transport('aborted', 'not-sent', `${operation}: aborted before sending`, { attempt });
    }
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = callerSignal ? AbortSignal.any([deadline, callerSignal]) : deadline;
    try {
      return await exchange(signal);
    } catch (error) {
      if (error instanceof GraphError) throw error;
      const refusal = findTargetRefusal(error);
      if (refusal) {
        // Nothing was sent, and the same URL is refused again: fix the URL (or the setting), do not retry.
        throw new GraphError({
          category: 'fix-request',
          reason: 'target-refused',
          message: `${operation}: ${refusal.message}`,
          cause: error,
        });
      }
      const token = secretsOf(access);
      if (deadline.aborted) {
        throw GraphError.transport('timeout', 'unknown', `${operation}: no answer within ${timeoutMs} ms`, {
          attempt,
          cause: error,
        });
      }
      if (callerSignal?.aborted) {
        throw GraphError.transport('aborted', 'unknown', `${operation}: aborted while in flight`, {
          attempt,
          cause: error,
        });
      }
      const code = errorCode(error);
      const detail = redact(error instanceof Error ? error.message : String(error), token);
      if (code !== undefined && connectPhaseCodes.has(code)) {
        throw GraphError.transport(
          'connection-failed',
          'not-sent',
          `${operation}: could not connect (${detail})`,
          {
            attempt,
            cause: error,
          },
        );
      }
      if (code !== undefined && timeoutCodes.has(code)) {
        throw GraphError.transport('timeout', 'unknown', `${operation}: timed out (${detail})`, {
          attempt,
          cause: error,
        });
      }
      throw GraphError.transport('connection-lost', 'unknown', `${operation}: connection lost (${detail})`, {
        attempt,
        cause: error,
      });
    }
  }

  #errorFromResponse(
    httpStatus: number,
    headers: IncomingHttpHeaders,
    text: string,
    operation: string,
    access: CallAccess,
    attempt: number,
  ): GraphError {
    const retryAfterHintMs = retryHintMs(headers);
    const envelope = graphErrorEnvelopeSchema.safeParse(safeJson(text));
    if (!envelope.success) {
      return GraphError.fromHttpStatus(httpStatus, { operation, retryAfterHintMs, attempt });
    }
    const error = envelope.data.error;
    const token = secretsOf(access);
    const details =
      typeof error.error_data === 'string'
        ? error.error_data
        : (error.error_data?.details ?? error.error_user_msg);
    return GraphError.fromMeta({
      httpStatus,
      code: error.code,
      subcode: error.error_subcode ?? null,
      type: error.type ?? null,
      message: redactOrNull(error.message, token),
      title: redactOrNull(error.error_user_title, token),
      details: redactOrNull(details, token),
      fbtraceId: error.fbtrace_id ?? null,
      isTransient: error.is_transient ?? null,
      attempt,
      retryAfterHintMs,
    });
  }
}

const phoneNumberFields =
  'id,display_phone_number,verified_name,quality_rating,messaging_limit_tier,throughput,status';

/** Calls made as the app: the app token `{app-id}|{app-secret}` (Meta's form), with its secrets kept out of errors. */
function appAccess(app: GraphApp, redacted: string[]): CallAccess {
  return {
    accessToken: `${app.appId}|${app.appSecret}`,
    graphApiUrl: app.graphApiUrl,
    graphApiVersion: app.graphApiVersion,
    redacted: [app.appSecret, ...redacted],
  };
}

function secretsOf(access: CallAccess): string[] {
  return [access.accessToken, ...(access.redacted ?? [])];
}

function toBusinessPhoneNumber(number: z.infer<typeof phoneNumberSchema>): BusinessPhoneNumber {
  return {
    id: number.id,
    displayPhoneNumber: number.display_phone_number,
    verifiedName: number.verified_name,
    qualityRating: number.quality_rating ?? null,
    messagingLimitTier:
      number.whatsapp_business_manager_messaging_limit ?? number.messaging_limit_tier ?? null,
    throughputLevel: number.throughput?.level ?? null,
    status: number.status ?? null,
  };
}

/** `{graphApiUrl}/{version}/{segments}?{query}`, split into undici's origin and path. */
function graphLocation(
  access: GraphAccess,
  segments: string[],
  query: Record<string, string | undefined> = {},
): { origin: string; path: string } {
  let base: URL;
  try {
    base = new URL(access.graphApiUrl);
  } catch {
    throw GraphError.invalidRequest(`graphApiUrl "${access.graphApiUrl}" is not a URL`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw GraphError.invalidRequest(`graphApiUrl "${access.graphApiUrl}" is not http(s)`);
  }
  if (!/^v\d+\.\d+$/.test(access.graphApiVersion)) {
    throw GraphError.invalidRequest(`graphApiVersion "${access.graphApiVersion}" is not like v23.0`);
  }
  for (const segment of segments) {
    if (segment === '') throw GraphError.invalidRequest('an id in the Graph path is empty');
  }
  const prefix = base.pathname.replace(/\/+$/, '');
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) search.set(key, value);
  }
  const queryString = search.size > 0 ? `?${search.toString()}` : '';
  const path = `${prefix}/${access.graphApiVersion}/${segments.map(encodeURIComponent).join('/')}${queryString}`;
  return { origin: base.origin, path };
}

function afterCursorOf(next: string): string | undefined {
  try {
    return new URL(next).searchParams.get('after') ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * A wait Meta asked for: `Retry-After` (seconds or a date), or the largest
 * `estimated_time_to_regain_access` (minutes) in `x-business-use-case-usage` (Meta, "Rate limits").
 */
function retryHintMs(headers: IncomingHttpHeaders): number | null {
  let hintMs: number | null = null;
  const retryAfter = firstHeader(headers['retry-after']);
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    const dateMs = Date.parse(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) hintMs = seconds * 1_000;
    else if (Number.isFinite(dateMs)) hintMs = Math.max(0, dateMs - Date.now());
  }
  const usage = safeJson(firstHeader(headers['x-business-use-case-usage']) ?? '');
  if (usage !== null && typeof usage === 'object') {
    for (const entries of Object.values(usage)) {
      if (!Array.isArray(entries)) continue;
      for (const entry of entries) {
        const minutes = (entry as { estimated_time_to_regain_access?: unknown })
          .estimated_time_to_regain_access;
        if (typeof minutes === 'number' && minutes > 0) hintMs = Math.max(hintMs ?? 0, minutes * 60_000);
      }
    }
  }
  return hintMs;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function redact(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets) if (secret !== '') redacted = redacted.replaceAll(secret, '[redacted]');
  return redacted;
}

function redactOrNull(text: string | undefined, token: readonly string[]): string | null {
  return text === undefined ? null : redact(text, token);
}

function tooLarge(operation: string, maxBytes: number): GraphError {
  return new GraphError({
    category: 'fix-request',
    reason: 'invalid-response',
    message: `${operation}: the media is larger than ${maxBytes} bytes`,
  });
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
