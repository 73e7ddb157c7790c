import type { FastifyReply, FastifyRequest } from 'fastify';
import { withholdAnswer } from './fault-injector.ts';
import type { SimulatorContext } from './simulator-context.ts';

/**
 * One answer the next Graph call gets instead of its real one, for tests and demos that need an exact
 * failure (a given Meta code, a bare HTTP status, a body no client expects, a hang, a reset) rather than
 * the random ones of fault injection.
 */
export type ScriptedResponse =
  | {
      kind: 'meta-error';
      code: number;
      httpStatus: number;
      subcode?: number;
      type?: string;
      message?: string;
      details?: string;
    }
  | { kind: 'http-status'; httpStatus: number }
  | { kind: 'invalid-response' }
  | { kind: 'hang' }
  | { kind: 'reset' };

/** Answers `request` with the next scripted response, if one is queued; returns whether it did. */
export function answerScripted(
  context: SimulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
): boolean {
  const scripted = context.scripted.shift();
  if (!scripted) return false;
  switch (scripted.kind) {
    case 'meta-error':
      reply.code(scripted.httpStatus).send({
        error: {
          message: scripted.message ?? `(#${scripted.code}) Scripted failure`,
          type: scripted.type ?? 'OAuthException',
          code: scripted.code,
          ...(scripted.subcode === undefined ? {} : { error_subcode: scripted.subcode }),
          ...(scripted.details === undefined
            ? {}
            : { error_data: { messaging_product: 'whatsapp', details: scripted.details } }),
          fbtrace_id: context.ids.fbtraceId(),
        },
      });
      return true;
    case 'http-status':
      reply
        .code(scripted.httpStatus)
        .type('text/html')
        .send(`<html><body>${scripted.httpStatus}</body></html>`);
      return true;
    case 'invalid-response':
      reply.code(200).send({ unexpected: 'a body no Graph client expects' });
      return true;
    case 'hang':
    case 'reset':
      withholdAnswer(
        scripted.kind === 'hang' ? 'timeout' : 'reset',
        request,
        reply,
        context.hungSockets,
        context.state.counts,
      );
      return true;
  }
}
