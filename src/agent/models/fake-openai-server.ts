import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI-compatible chat-completions server on loopback, for tests: it speaks the real protocol (POST
 * /v1/chat/completions, JSON or server-sent events, tool calls, usage, the error envelope), answers what
 * the test scripts, and records every request so that tests can look at the system prompt, the roles and
 * the tools the adapter sent.
 *
 * Protocol reference: OpenAI API reference, "Chat Completions" (create, the chat completion object, the
 * chunk object) and "Error codes".
 */

/** One message of a chat-completions request, as sent on the wire. */
export interface WireMessage {
  role: string;
  content?: unknown;
  tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
  name?: string;
}

export interface RecordedChatRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body. */
  body: Record<string, unknown>;
  model: string;
  messages: WireMessage[];
  /** Every system (or developer) message's text, joined: what the model is told to be. */
  systemPrompt: string;
  /** Tools as declared: name, description and JSON-schema parameters. */
  tools: Array<{ name: string; description: string; parameters: Record<string, unknown> }>;
  isStream: boolean;
}

export type FakeReply =
  | {
      text?: string;
      toolCalls?: Array<{ id?: string; name: string; arguments: unknown }>;
      usage?: { promptTokens: number; completionTokens: number };
      /** Defaults to tool_calls when there are tool calls, else stop. */
      finishReason?: string;
    }
  /** An error in OpenAI's envelope: { error: { message, type, code } }, with headers such as retry-after-ms. */
  | {
      error: { status: number; message: string; type?: string; code?: string };
      headers?: Record<string, string>;
    }
  /** Anything else, byte for byte: a proxy's HTML page, a body that is not a completion. */
  | { raw: { status: number; body: string; contentType?: string }; headers?: Record<string, string> };

export type FakeResponder = (request: RecordedChatRequest, index: number) => FakeReply | Promise<FakeReply>;

export interface FakeOpenAiServer {
  /** The base URL an OpenAI-compatible client is given: http://127.0.0.1:PORT/v1. */
  baseUrl: string;
  requests: RecordedChatRequest[];
  /** Answers the next requests, in order, with these replies. */
  enqueue(...replies: FakeReply[]): void;
  /** Answers every request with a function of it (after the queue is empty). */
  respondWith(responder: FakeResponder): void;
  close(): Promise<void>;
}

export interface FakeOpenAiServerOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>`, or they get OpenAI's 401. */
  apiKey?: string;
  responder?: FakeResponder;
}

/** A fixed creation time keeps the responses identical from run to run. */
const CREATED_SECONDS = 1_750_000_000;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === 'object' && 'text' in part ? String(part.text) : ''))
      .join('');
  }
  return '';
}

function record(request: IncomingMessage, body: Record<string, unknown>): RecordedChatRequest {
  const messages = Array.isArray(body.messages) ? (body.messages as WireMessage[]) : [];
  const tools = Array.isArray(body.tools) ? body.tools : [];
  return {
    path: request.url ?? '',
    headers: request.headers,
    body,
    model: typeof body.model === 'string' ? body.model : '',
    messages,
    systemPrompt: messages
      .filter((message) => message.role === 'system' || message.role === 'developer')
      .map((message) => textOf(message.content))
      .join('\n'),
    tools: tools.map(
      (tool: {
        function?: { name?: string; description?: string; parameters?: Record<string, unknown> };
      }) => ({
        name: tool.function?.name ?? '',
        description: tool.function?.description ?? '',
        parameters: tool.function?.parameters ?? {},
      }),
    ),
    isStream: body.stream === true,
  };
}

function sendJson(
  response: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

function sendError(
  response: ServerResponse,
  status: number,
  message: string,
  type: string,
  code: string | null,
  headers: Record<string, string> = {},
): void {
  sendJson(response, status, { error: { message, type, param: null, code } }, headers);
}

type CompletionReply = Extract<FakeReply, { text?: string }>;

function toolCallsOf(reply: CompletionReply, index: number) {
  return (reply.toolCalls ?? []).map((call, position) => ({
    id: call.id ?? `call_${index}_${position + 1}`,
    type: 'function' as const,
    function: {
      name: call.name,
      arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
    },
  }));
}

function usageOf(reply: CompletionReply) {
  const promptTokens = reply.usage?.promptTokens ?? 0;
  const completionTokens = reply.usage?.completionTokens ?? 0;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

function sendCompletion(
  response: ServerResponse,
  request: RecordedChatRequest,
  reply: CompletionReply,
  index: number,
) {
  const toolCalls = toolCallsOf(reply, index);
  sendJson(response, 200, {
    id: `chatcmpl-fake-${index}`,
    object: 'chat.completion',
    created: CREATED_SECONDS,
    model: request.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.text ?? null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
      },
    ],
    usage: usageOf(reply),
  });
}

/** The same reply as server-sent chunks: text in two pieces, each tool call's arguments split across two chunks. */
function streamCompletion(
  response: ServerResponse,
  request: RecordedChatRequest,
  reply: CompletionReply,
  index: number,
) {
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
    response.write(
      `data: ${JSON.stringify({
        id: `chatcmpl-fake-${index}`,
        object: 'chat.completion.chunk',
        created: CREATED_SECONDS,
        model: request.model,
        choices: [{ index: 0, delta, finish_reason: finishReason }],
      })}\n\n`,
    );
  chunk({ role: 'assistant', content: '' });
  const text = reply.text ?? '';
  if (text.length > 0) {
    const middle = Math.ceil(text.length / 2);
    chunk({ content: text.slice(0, middle) });
    chunk({ content: text.slice(middle) });
  }
  toolCallsOf(reply, index).forEach((call, position) => {
    const middle = Math.ceil(call.function.arguments.length / 2);
    chunk({
      tool_calls: [
        {
          index: position,
          id: call.id,
          type: 'function',
          function: { name: call.function.name, arguments: call.function.arguments.slice(0, middle) },
        },
      ],
    });
    chunk({
      tool_calls: [{ index: position, function: { arguments: call.function.arguments.slice(middle) } }],
    });
  });
  const finishReason = reply.finishReason ?? ((reply.toolCalls ?? []).length > 0 ? 'tool_calls' : 'stop');
  chunk({}, finishReason);
  const options = request.body.stream_options as { include_usage?: boolean } | undefined;
  if (options?.include_usage) {
    response.write(
      `data: ${JSON.stringify({ id: `chatcmpl-fake-${index}`, object: 'chat.completion.chunk', created: CREATED_SECONDS, model: request.model, choices: [], usage: usageOf(reply) })}\n\n`,
    );
  }
  response.end('data: [DONE]\n\n');
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeOpenAiServer(
  options: FakeOpenAiServerOptions = {},
): Promise<FakeOpenAiServer> {
  const queue: FakeReply[] = [];
  const requests: RecordedChatRequest[] = [];
  let responder = options.responder ?? null;

  const server = createServer(async (request, response) => {
    try {
      if (request.method !== 'POST' || !request.url?.startsWith('/v1/chat/completions')) {
        await readBody(request);
        sendError(
          response,
          404,
          `Unknown request URL: ${request.method} ${request.url}`,
          'invalid_request_error',
          'unknown_url',
        );
        return;
      }
      if (options.apiKey !== undefined && request.headers.authorization !== `Bearer ${options.apiKey}`) {
        await readBody(request);
        sendError(response, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(await readBody(request)) as Record<string, unknown>;
      } catch {
        sendError(
          response,
          400,
          'We could not parse the JSON body of your request.',
          'invalid_request_error',
          null,
        );
        return;
      }
      const recorded = record(request, body);
      requests.push(recorded);
      const index = requests.length;
      const reply = queue.shift() ?? (responder ? await responder(recorded, index) : null);
      if (!reply) {
        sendError(response, 500, 'fake server: no scripted reply for this request', 'server_error', null);
        return;
      }
      if ('error' in reply) {
        sendError(
          response,
          reply.error.status,
          reply.error.message,
          reply.error.type ?? 'invalid_request_error',
          reply.error.code ?? null,
          reply.headers,
        );
      } else if ('raw' in reply) {
        response.writeHead(reply.raw.status, {
          ...reply.headers,
          'content-type': reply.raw.contentType ?? 'text/html',
        });
        response.end(reply.raw.body);
      } else if (recorded.isStream) {
        streamCompletion(response, recorded, reply, index);
      } else {
        sendCompletion(response, recorded, reply, index);
      }
    } catch (error) {
      if (!response.headersSent)
        sendError(response, 500, `fake server: ${String(error)}`, 'server_error', null);
      else response.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue(...replies) {
      queue.push(...replies);
    },
    respondWith(next) {
      responder = next;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
