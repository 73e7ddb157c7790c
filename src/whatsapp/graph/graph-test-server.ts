import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * A tiny Graph API for the adapter tests (not the product simulator): it checks URL, version, token
 * and body shapes, answers like Meta (error envelopes, paging, media), records every request, and
 * fails on cue (errors, 429/5xx, a hanging answer, a reset connection).
 */
export interface GraphTestServerOptions {
  accessToken: string;
  graphApiVersion: string;
  phoneNumberId: string;
  wabaId: string;
  /** A path prefix before the version, to check that the client keeps it. */
  pathPrefix?: string;
  /** Templates per page, small so that the client must follow paging. */
  templatePageSize?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, multipart parts, or undefined. */
  body: unknown;
}

export type ServerFault =
  | {
      kind: 'meta-error';
      httpStatus: number;
      code: number;
      subcode?: number;
      type?: string;
      message?: string;
      details?: string;
      headers?: Record<string, string>;
    }
  | { kind: 'http-status'; httpStatus: number; headers?: Record<string, string> }
  | { kind: 'invalid-response' }
  | { kind: 'hang' }
  | { kind: 'reset' };

export interface MultipartPart {
  name: string;
  filename: string | null;
  contentType: string | null;
  data: Buffer;
}

export interface GraphTestServer {
  /** The base URL, with the path prefix: what a target's graphApiUrl is set to. */
  url: string;
  origin: string;
  requests: RecordedRequest[];
  fail(fault: ServerFault): void;
  /** isChunked: served without a Content-Length, so that the client must count the bytes itself. */
  seedMedia(media: {
    bytes: Uint8Array;
    mimeType: string;
    corruptSha256?: boolean;
    isChunked?: boolean;
  }): string;
  close(): Promise<void>;
}

interface StoredMedia {
  bytes: Buffer;
  mimeType: string;
  sha256: string;
  isFileSizeString: boolean;
  isChunked: boolean;
}

interface StoredTemplate {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  parameter_format?: string;
  components: unknown[];
}

type NodeParams = { version: string; nodeId: string };

export async function startGraphTestServer(options: GraphTestServerOptions): Promise<GraphTestServer> {
  const prefix = options.pathPrefix ?? '';
  const pageSize = options.templatePageSize ?? 2;
  const requests: RecordedRequest[] = [];
  const faults: ServerFault[] = [];
  const media = new Map<string, StoredMedia>();
  const templates: StoredTemplate[] = [];
  const subscribedWabas = new Set<string>();
  let sequence = 0;
  const nextId = () => {
    sequence += 1;
    return String(900_000_000 + sequence);
  };
  const phoneNumber = {
    id: options.phoneNumberId,
    display_phone_number: '+1 555-0100',
    verified_name: 'Coxcox Test',
    quality_rating: 'GREEN',
    messaging_limit_tier: 'TIER_1K',
    throughput: { level: 'STANDARD' },
  };

  const server = Fastify({ logger: false, forceCloseConnections: true });
  server.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: 20 * 1024 * 1024 },
    (request, body, done) => {
      try {
        done(null, parseMultipart(body as Buffer, String(request.headers['content-type'])));
      } catch (error) {
        done(error as Error);
      }
    },
  );
  let origin = '';

  server.addHook('preHandler', async (request, reply) => {
    const url = new URL(request.url, 'http://local');
    requests.push({
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...request.headers },
      body: request.body,
    });
    if (request.headers.authorization !== `Bearer ${options.accessToken}`) {
      // Meta's answer to a bad token: code 190, HTTP 401.
      return reply
        .code(401)
        .send(metaError(190, 'Invalid OAuth access token - Cannot parse access token', 'OAuthException'));
    }
    const params = request.params as Partial<NodeParams>;
    if (params.version !== undefined && params.version !== options.graphApiVersion) {
      return reply
        .code(400)
        .send(metaError(2500, `Unknown path components: /${params.version}`, 'OAuthException'));
    }
    const fault = faults.shift();
    if (fault) return applyFault(fault, request, reply);
  });

  server.post<{ Params: NodeParams }>(`${prefix}/:version/:nodeId/messages`, async (request, reply) => {
    if (request.params.nodeId !== options.phoneNumberId)
      return reply.code(400).send(unknownObject(request.params.nodeId));
    const body = request.body as Record<string, unknown> | undefined;
    if (body?.messaging_product !== 'whatsapp')
      return reply.code(400).send(invalidParameter('messaging_product'));
    if (body.status === 'read') {
      if (typeof body.message_id !== 'string') return reply.code(400).send(invalidParameter('message_id'));
      return { success: true };
    }
    const type = body.type;
    if (body.recipient_type !== 'individual') return reply.code(400).send(invalidParameter('recipient_type'));
    if (typeof body.to !== 'string' || body.to === '') return reply.code(400).send(invalidParameter('to'));
    if (typeof type !== 'string' || typeof body[type] !== 'object' || body[type] === null) {
      return reply.code(400).send(invalidParameter('type'));
    }
    const callbackData = body.biz_opaque_callback_data;
    if (callbackData !== undefined && (typeof callbackData !== 'string' || callbackData.length > 512)) {
      return reply.code(400).send(invalidParameter('biz_opaque_callback_data'));
    }
    const wamid = `wamid.${Buffer.from(`test-${nextId()}`).toString('base64')}`;
    return {
      messaging_product: 'whatsapp',
      contacts: [{ input: body.to, wa_id: body.to.replace(/\D/g, '') }],
      messages: [type === 'template' ? { id: wamid, message_status: 'accepted' } : { id: wamid }],
    };
  });

  server.post<{ Params: NodeParams }>(`${prefix}/:version/:nodeId/media`, async (request, reply) => {
    const parts = request.body as MultipartPart[] | undefined;
    const field = (name: string) => parts?.find((part) => part.name === name);
    const file = field('file');
    if (field('messaging_product')?.data.toString() !== 'whatsapp' || !file || !field('type')) {
      return reply.code(400).send(invalidParameter('file'));
    }
    const id = nextId();
    const mimeType = field('type')!.data.toString();
    media.set(id, {
      bytes: file.data,
      mimeType,
      sha256: sha256Hex(file.data),
      isFileSizeString: false,
      isChunked: false,
    });
    return { id };
  });

  server.get<{ Params: NodeParams }>(`${prefix}/:version/:nodeId`, async (request, reply) => {
    const nodeId = request.params.nodeId;
    const stored = media.get(nodeId);
    if (stored) {
      return {
        messaging_product: 'whatsapp',
        url: `${origin}/download/${nodeId}?ext=1&hash=opaque`,
        mime_type: stored.mimeType,
        sha256: stored.sha256,
        file_size: stored.isFileSizeString ? String(stored.bytes.length) : stored.bytes.length,
        id: nodeId,
      };
    }
    if (nodeId === options.phoneNumberId) return phoneNumber;
    return reply.code(400).send(unknownObject(nodeId));
  });

  server.get<{ Params: { mediaId: string } }>('/download/:mediaId', async (request, reply) => {
    const stored = media.get(request.params.mediaId);
    if (!stored) return reply.code(404).send('Not Found');
    const body = stored.isChunked
      ? Readable.from([stored.bytes.subarray(0, 1), stored.bytes.subarray(1)])
      : stored.bytes;
    return reply.type(stored.mimeType).send(body);
  });

  server.get<{ Params: NodeParams; Querystring: Record<string, string | undefined> }>(
    `${prefix}/:version/:nodeId/message_templates`,
    async (request, reply) => {
      if (request.params.nodeId !== options.wabaId)
        return reply.code(400).send(unknownObject(request.params.nodeId));
      const { name, status, after } = request.query;
      const limit = Math.min(Number(request.query.limit ?? 25), pageSize);
      const matching = templates.filter(
        (template) =>
          (name === undefined || template.name === name) &&
          (status === undefined || template.status === status),
      );
      const start = after === undefined ? 0 : Number(Buffer.from(after, 'base64url').toString());
      const page = matching.slice(start, start + limit);
      const end = start + page.length;
      const cursor = (index: number) => Buffer.from(String(index)).toString('base64url');
      const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(end) } };
      if (end < matching.length) {
        // Like Meta, `next` repeats the access token: the client must not follow it blindly.
        paging.next = `${origin}${prefix}/${options.graphApiVersion}/${options.wabaId}/message_templates?access_token=${options.accessToken}&limit=${limit}&after=${cursor(end)}`;
      }
      return { data: page, paging };
    },
  );

  server.post<{ Params: NodeParams }>(
    `${prefix}/:version/:nodeId/message_templates`,
    async (request, reply) => {
      if (request.params.nodeId !== options.wabaId)
        return reply.code(400).send(unknownObject(request.params.nodeId));
      const body = request.body as Partial<StoredTemplate> | undefined;
      if (typeof body?.name !== 'string' || !/^[a-z0-9_]{1,512}$/.test(body.name)) {
        return reply.code(400).send(invalidParameter('name'));
      }
      if (
        typeof body.language !== 'string' ||
        typeof body.category !== 'string' ||
        !Array.isArray(body.components)
      ) {
        return reply.code(400).send(invalidParameter('components'));
      }
      if (templates.some((template) => template.name === body.name && template.language === body.language)) {
        return reply
          .code(400)
          .send(
            metaError(100, 'Invalid parameter', 'OAuthException', 'Content in this language already exists'),
          );
      }
      const template: StoredTemplate = {
        id: nextId(),
        name: body.name,
        language: body.language,
        status: 'PENDING',
        category: body.category,
        components: body.components,
        ...(body.parameter_format === undefined ? {} : { parameter_format: body.parameter_format }),
      };
      templates.push(template);
      return { id: template.id, status: template.status, category: template.category };
    },
  );

  server.get<{ Params: NodeParams }>(`${prefix}/:version/:nodeId/phone_numbers`, async (request, reply) => {
    if (request.params.nodeId !== options.wabaId)
      return reply.code(400).send(unknownObject(request.params.nodeId));
    return { data: [phoneNumber], paging: { cursors: { before: 'QVFI', after: 'QVFI' } } };
  });

  server.post<{ Params: NodeParams }>(
    `${prefix}/:version/:nodeId/subscribed_apps`,
    async (request, reply) => {
      if (request.params.nodeId !== options.wabaId)
        return reply.code(400).send(unknownObject(request.params.nodeId));
      subscribedWabas.add(request.params.nodeId);
      return { success: true };
    },
  );

  server.get<{ Params: NodeParams }>(`${prefix}/:version/:nodeId/subscribed_apps`, async (request) => ({
    data: subscribedWabas.has(request.params.nodeId)
      ? [
          {
            whatsapp_business_api_data: {
              id: '424242',
              name: 'Coxcox Test App',
              link: 'https://example.test/',
            },
          },
        ]
      : [],
  }));

  server.post<{ Params: NodeParams }>(`${prefix}/:version/:nodeId/register`, async (request, reply) => {
    const body = request.body as Record<string, unknown> | undefined;
    if (request.params.nodeId !== options.phoneNumberId)
      return reply.code(400).send(unknownObject(request.params.nodeId));
    if (body?.messaging_product !== 'whatsapp' || typeof body.pin !== 'string' || !/^\d{6}$/.test(body.pin)) {
      return reply.code(400).send(invalidParameter('pin'));
    }
    return { success: true };
  });

  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('the test server has no TCP address');
  origin = `http://127.0.0.1:${address.port}`;

  return {
    url: `${origin}${prefix}`,
    origin,
    requests,
    fail(fault) {
      faults.push(fault);
    },
    seedMedia(input) {
      const id = nextId();
      const bytes = Buffer.from(input.bytes);
      const sha256 = input.corruptSha256
        ? sha256Hex(Buffer.concat([bytes, Buffer.from('x')]))
        : sha256Hex(bytes);
      media.set(id, {
        bytes,
        mimeType: input.mimeType,
        sha256,
        isFileSizeString: true,
        isChunked: input.isChunked ?? false,
      });
      return id;
    },
    async close() {
      await server.close();
    },
  };
}

async function applyFault(
  fault: ServerFault,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  switch (fault.kind) {
    case 'meta-error':
      return reply
        .code(fault.httpStatus)
        .headers(fault.headers ?? {})
        .send({
          error: {
            message: fault.message ?? `(#${fault.code}) scripted failure`,
            type: fault.type ?? 'OAuthException',
            code: fault.code,
            ...(fault.subcode === undefined ? {} : { error_subcode: fault.subcode }),
            error_data: {
              messaging_product: 'whatsapp',
              details: fault.details ?? 'scripted by the test server',
            },
            fbtrace_id: 'ATestTraceId123',
          },
        });
    case 'http-status':
      return reply
        .code(fault.httpStatus)
        .headers(fault.headers ?? {})
        .type('text/html')
        .send(`<html><body>${fault.httpStatus}</body></html>`);
    case 'invalid-response':
      return reply.code(200).send({ unexpected: true });
    case 'hang':
      // Never answer: the client's deadline must fire. forceCloseConnections ends it on close.
      reply.hijack();
      return undefined;
    case 'reset':
      // The request was fully received, then the connection drops: the outcome is unknown.
      reply.hijack();
      request.raw.socket.destroy();
      return undefined;
  }
}

function metaError(code: number, message: string, type: string, details?: string, subcode?: number) {
  return {
    error: {
      message,
      type,
      code,
      ...(subcode === undefined ? {} : { error_subcode: subcode }),
      ...(details === undefined ? {} : { error_data: { messaging_product: 'whatsapp', details } }),
      fbtrace_id: 'ATestTraceId123',
    },
  };
}

function invalidParameter(parameter: string) {
  return metaError(100, '(#100) Invalid parameter', 'OAuthException', `Invalid value for ${parameter}`);
}

function unknownObject(id: string) {
  return metaError(
    100,
    `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    'GraphMethodException',
    undefined,
    33,
  );
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Just enough multipart/form-data parsing for Meta's upload form. */
function parseMultipart(body: Buffer, contentType: string): MultipartPart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const marker = Buffer.from(`--${boundary?.[1] ?? boundary?.[2] ?? ''}`);
  if (marker.length <= 2) throw new Error('multipart body without a boundary');
  const parts: MultipartPart[] = [];
  let position = body.indexOf(marker);
  while (position !== -1) {
    const start = position + marker.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(marker, start);
    if (next === -1) break;
    const part = body.subarray(start + 2, next - 2); // skip the CRLF after the marker and before the next
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString();
    const disposition = /content-disposition:[^\r\n]*?\bname="([^"]*)"(?:; filename="([^"]*)")?/i.exec(
      headers,
    );
    const type = /content-type:\s*([^\r\n]+)/i.exec(headers);
    parts.push({
      name: disposition?.[1] ?? '',
      filename: disposition?.[2] ?? null,
      contentType: type?.[1]?.trim() ?? null,
      data: Buffer.from(part.subarray(headerEnd + 4)),
    });
    position = next;
  }
  return parts;
}
