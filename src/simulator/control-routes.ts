import type { FastifyInstance } from 'fastify';
import { SimulatedGraphError } from './graph-error.ts';
import { isRecord } from './is-record.ts';
import type { ScriptedResponse } from './scripted-responses.ts';
import type { SimulatorContext } from './simulator-context.ts';
import {
  adjustSimulator,
  resetSimulator,
  type SimulatorAdjustments,
  tickSimulator,
} from './simulator-controls.ts';
import type { Persona } from './simulator-options.ts';

interface SentQuery {
  biz_opaque_callback_data?: string;
  recipient?: string;
  phone_number_id?: string;
  limit?: string;
}

function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** Reads `POST /_simulator/faults`: the fault rates at the top level or under `faults`, plus the other rates. */
function readAdjustments(body: Record<string, unknown>): SimulatorAdjustments {
  const faults = isRecord(body.faults) ? body.faults : body;
  const adjustments: SimulatorAdjustments = {
    faults: {
      rate5xx: asNumber(faults.rate5xx),
      rate429: asNumber(faults.rate429),
      timeoutRate: asNumber(faults.timeoutRate),
      resetRate: asNumber(faults.resetRate),
      acceptedBeforeFaultRate: asNumber(faults.acceptedBeforeFaultRate),
    },
    duplicateRate: asNumber(body.duplicateRate),
    reorderRate: asNumber(body.reorderRate),
  };
  if (isRecord(body.statusDelaysMs))
    adjustments.statusDelaysMs = body.statusDelaysMs as SimulatorAdjustments['statusDelaysMs'];
  if (isRecord(body.pairRateLimit))
    adjustments.pairRateLimit = body.pairRateLimit as SimulatorAdjustments['pairRateLimit'];
  return adjustments;
}

const statusOf = (value: unknown): number | null =>
  typeof value === 'number' && Number.isInteger(value) && value >= 200 && value <= 599 ? value : null;

/** Reads `POST /_simulator/script`, refusing anything it could not answer with (code 100, saying why). */
function readScripted(body: Record<string, unknown>): ScriptedResponse {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  switch (body.kind) {
    case 'meta-error': {
      const httpStatus = statusOf(body.httpStatus);
      if (typeof body.code !== 'number' || httpStatus === null)
        throw new SimulatedGraphError(
          100,
          'meta-error needs a numeric code and an httpStatus from 200 to 599',
        );
      return {
        kind: 'meta-error',
        code: body.code,
        httpStatus,
        ...(typeof body.subcode === 'number' ? { subcode: body.subcode } : {}),
        ...(text(body.type) ? { type: text(body.type) } : {}),
        ...(text(body.message) ? { message: text(body.message) } : {}),
        ...(text(body.details) ? { details: text(body.details) } : {}),
      };
    }
    case 'http-status': {
      const httpStatus = statusOf(body.httpStatus);
      if (httpStatus === null)
        throw new SimulatedGraphError(100, 'http-status needs an httpStatus from 200 to 599');
      return { kind: 'http-status', httpStatus };
    }
    case 'invalid-response':
    case 'hang':
    case 'reset':
      return { kind: body.kind };
    default:
      throw new SimulatedGraphError(
        100,
        'kind must be one of meta-error, http-status, invalid-response, hang or reset',
      );
  }
}

/**
 * `/_simulator/*`: the local controls (no token). Customers write on demand, tests read the counters
 * and the sent log, and faults change while the simulator runs.
 */
export async function controlRoutes(control: FastifyInstance, context: SimulatorContext): Promise<void> {
  control.get('/_simulator/state', async () => ({
    ...context.state.snapshot(),
    pending: { scheduled: context.scheduler.pending, webhooks: context.sender.pending },
    faults: context.settings.faults,
    duplicateRate: context.settings.duplicateRate,
    reorderRate: context.settings.reorderRate,
    statusDelaysMs: context.settings.statusDelays,
    webhookUrl: context.webhook.url,
    personas: context.customers.personas().length,
  }));

  control.get<{ Querystring: SentQuery }>('/_simulator/sent', async (request) => {
    const {
      biz_opaque_callback_data: callbackData,
      recipient,
      phone_number_id: phoneNumberId,
    } = request.query;
    const limit = request.query.limit === undefined ? Number.POSITIVE_INFINITY : Number(request.query.limit);
    const data = context.state.sent.filter(
      (record) =>
        (callbackData === undefined || record.bizOpaqueCallbackData === callbackData) &&
        (recipient === undefined || record.recipient === recipient) &&
        (phoneNumberId === undefined || record.phoneNumberId === phoneNumberId),
    );
    return { data: Number.isFinite(limit) ? data.slice(-limit) : data };
  });

  control.post<{ Params: { waId: string } }>('/_simulator/customers/:waId/messages', async (request) => {
    const body = isRecord(request.body) ? request.body : {};
    const message = context.customers.say({
      from: request.params.waId,
      to: typeof body.to === 'string' ? body.to : undefined,
      text: typeof body.text === 'string' ? body.text : undefined,
      name: typeof body.name === 'string' ? body.name : undefined,
      replyTo: typeof body.reply_to === 'string' ? body.reply_to : undefined,
    });
    return { messages: [message] };
  });

  control.post<{ Params: { waId: string } }>(
    '/_simulator/customers/:waId/stop-marketing',
    async (request) => {
      const body = isRecord(request.body) ? request.body : {};
      context.customers.stopMarketing(request.params.waId, typeof body.to === 'string' ? body.to : undefined);
      return { success: true };
    },
  );

  control.get('/_simulator/personas', async () => ({ data: context.customers.personas() }));

  control.post('/_simulator/personas', async (request) => {
    const body = request.body;
    if (!isRecord(body) || typeof body.waId !== 'string' || typeof body.profile !== 'string') {
      throw new SimulatedGraphError(100, 'A persona needs waId, name, profile, language and replyDelayMs.');
    }
    const persona: Persona = {
      waId: body.waId,
      name: typeof body.name === 'string' ? body.name : `Customer ${body.waId.slice(-4)}`,
      profile: body.profile as Persona['profile'],
      language: (body.language as Persona['language']) ?? 'en',
      replyDelayMs: typeof body.replyDelayMs === 'number' ? body.replyDelayMs : 50,
      ...(Array.isArray(body.script) ? { script: body.script.map(String) } : {}),
      ...(typeof body.maxReplies === 'number' ? { maxReplies: body.maxReplies } : {}),
    };
    try {
      context.customers.addPersona(persona);
    } catch (error) {
      throw new SimulatedGraphError(100, (error as Error).message);
    }
    return { success: true };
  });

  // `{ kind: 'meta-error', code, httpStatus, message?, details? } | { kind: 'http-status', httpStatus }
  // | { kind: 'invalid-response' | 'hang' | 'reset' }`: what the next Graph call answers instead.
  control.post('/_simulator/script', async (request, reply) => {
    const response = readScripted(isRecord(request.body) ? request.body : {});
    context.scripted.push(response);
    return reply.code(201).send({ queued: context.scripted.length });
  });

  control.post('/_simulator/faults', async (request) => {
    try {
      adjustSimulator(context, readAdjustments(isRecord(request.body) ? request.body : {}));
    } catch (error) {
      throw new SimulatedGraphError(100, (error as Error).message);
    }
    return {
      faults: context.settings.faults,
      duplicateRate: context.settings.duplicateRate,
      reorderRate: context.settings.reorderRate,
    };
  });

  control.post('/_simulator/reset', async () => {
    resetSimulator(context);
    return { success: true };
  });

  control.post('/_simulator/tick', async () => ({ ran: await tickSimulator(context) }));
}
