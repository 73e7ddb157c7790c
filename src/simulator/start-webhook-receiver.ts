import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny webhook receiver for the simulator's tests (and anyone trying the simulator by hand). It
 * checks `X-Hub-Signature-256` over the raw bytes with its own HMAC code, not the simulator's, so a
 * signing bug cannot hide behind a matching verification bug.
 */

export interface ReceivedWebhook {
  rawBody: Buffer;
  // biome-ignore lint/suspicious/noExplicitAny: webhook JSON is read loosely in tests.
  body: any;
  signature: string | undefined;
  isSignatureValid: boolean;
  /** The status this receiver answered with. */
  answeredWith: number;
}

export interface WebhookStatus {
  id: string;
  status: string;
  timestamp: string;
  recipient_id: string;
  biz_opaque_callback_data?: string;
  conversation?: { id: string; origin: { type: string } };
  pricing?: { billable: boolean; pricing_model: string; category: string };
  errors?: Array<{ code: number; title: string }>;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Every status in every accepted POST, in arrival order. */
  statuses(): WebhookStatus[];
  // biome-ignore lint/suspicious/noExplicitAny: inbound messages are read loosely in tests.
  messages(): any[];
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function isValid(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startWebhookReceiver(options: {
  appSecret: string;
  /** Answers Meta's verification GET (`hub.challenge`) when `hub.verify_token` matches; 403 otherwise. */
  verifyToken?: string;
  /** The status to answer POST number `index` (0-based) with; 200 by default. */
  answer?: (index: number) => number;
}): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let posts = 0;
  const server = createServer(async (request, response) => {
    if (request.method === 'GET') {
      const query = new URL(request.url ?? '/', 'http://receiver').searchParams;
      const isVerified =
        options.verifyToken !== undefined &&
        query.get('hub.mode') === 'subscribe' &&
        query.get('hub.verify_token') === options.verifyToken;
      response
        .writeHead(isVerified ? 200 : 403, { 'content-type': 'text/plain' })
        .end(isVerified ? query.get('hub.challenge') : '');
      return;
    }
    const rawBody = await readBody(request);
    const signature = request.headers['x-hub-signature-256'] as string | undefined;
    const answeredWith = options.answer?.(posts) ?? 200;
    posts += 1;
    let body: unknown = null;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      body = null;
    }
    received.push({
      rawBody,
      body,
      signature,
      isSignatureValid: isValid(rawBody, signature, options.appSecret),
      answeredWith,
    });
    response
      .writeHead(answeredWith, { 'content-type': 'text/plain' })
      .end(answeredWith === 200 ? 'EVENT_RECEIVED' : 'no');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const accepted = () => received.filter((webhook) => webhook.answeredWith === 200);
  type Change = { value?: Record<string, unknown[]> };
  const values = (key: 'statuses' | 'messages') =>
    accepted().flatMap((webhook) =>
      ((webhook.body?.entry ?? []) as Array<{ changes: Change[] }>).flatMap((entry) =>
        entry.changes.flatMap((change) => change.value?.[key] ?? []),
      ),
    );
  return {
    url: `http://127.0.0.1:${port}/webhooks/whatsapp`,
    received,
    statuses: () => values('statuses') as WebhookStatus[],
    messages: () => values('messages'),
    async waitFor(predicate, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`Webhook receiver: condition not met in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
