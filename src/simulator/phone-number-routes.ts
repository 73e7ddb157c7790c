import type { FastifyInstance } from 'fastify';
import { type PhoneNumberRecord, phoneNumberJson } from './business-directory.ts';
import { visibleNumber, visibleWaba } from './graph-access.ts';
import { SimulatedGraphError } from './graph-error.ts';
import { isRecord } from './is-record.ts';
import type { SimulatorContext } from './simulator-context.ts';

/** Graph returns only the `fields` asked for (and always `id`); without `fields`, the defaults. */
export function selectFields(
  json: Record<string, unknown>,
  fields: string | undefined,
): Record<string, unknown> {
  if (fields === undefined || fields.trim() === '') return json;
  const wanted = new Set(fields.split(',').map((field) => field.trim()));
  wanted.add('id');
  return Object.fromEntries(Object.entries(json).filter(([key]) => wanted.has(key)));
}

export function phoneNumberView(
  number: PhoneNumberRecord,
  fields: string | undefined,
): Record<string, unknown> {
  return selectFields(phoneNumberJson(number), fields);
}

/** `GET /{waba-id}/phone_numbers`, and `POST /{phone-number-id}/register` and `/deregister`. */
export async function phoneNumberRoutes(graph: FastifyInstance, context: SimulatorContext): Promise<void> {
  graph.get<{ Params: { version: string; wabaId: string }; Querystring: { fields?: string } }>(
    '/:version/:wabaId/phone_numbers',
    async (request) => {
      const waba = visibleWaba(context, request, request.params.wabaId);
      const data = context.directory
        .phoneNumbersOf(waba.id)
        .map((number) => phoneNumberView(number, request.query.fields));
      return { data, paging: { cursors: { before: 'QVFIUg', after: 'QVFIUg' } } };
    },
  );

  graph.post<{ Params: { version: string; phoneNumberId: string } }>(
    '/:version/:phoneNumberId/register',
    async (request) => {
      const number = visibleNumber(context, request, request.params.phoneNumberId);
      const body = isRecord(request.body) ? request.body : {};
      if (body.messaging_product !== 'whatsapp') {
        throw new SimulatedGraphError(
          100,
          'The parameter messaging_product is required and must be whatsapp.',
        );
      }
      // The two-step verification PIN: six digits.
      if (typeof body.pin !== 'string' || !/^\d{6}$/.test(body.pin)) {
        throw new SimulatedGraphError(100, 'The parameter pin is required and must be 6 digits.');
      }
      number.isRegistered = true;
      return { success: true };
    },
  );

  graph.post<{ Params: { version: string; phoneNumberId: string } }>(
    '/:version/:phoneNumberId/deregister',
    async (request) => {
      visibleNumber(context, request, request.params.phoneNumberId).isRegistered = false;
      return { success: true };
    },
  );
}
