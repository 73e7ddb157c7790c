import type { FastifyInstance, FastifyRequest } from 'fastify';
import { canSee, visibleNumber } from './graph-access.ts';
import { SimulatedGraphError, unknownObject } from './graph-error.ts';
import { isRecord } from './is-record.ts';
import { mediaJson } from './media-routes.ts';
import type { StoredMedia } from './media-store.ts';
import { phoneNumberView, selectFields } from './phone-number-routes.ts';
import type { SimulatorContext } from './simulator-context.ts';
import { TemplateRegistry, templateJson } from './template-registry.ts';

type ObjectRequest = FastifyRequest<{
  Params: { version: string; objectId: string };
  Querystring: { fields?: string; phone_number_id?: string };
}>;

/** Media this token may see: its number's WABA must be visible, and `?phone_number_id` must match. */
function visibleMedia(context: SimulatorContext, request: ObjectRequest): StoredMedia | undefined {
  const media = context.media.get(request.params.objectId);
  if (!media) return undefined;
  const number = context.directory.phoneNumber(media.phoneNumberId);
  if (!number || !canSee(context, request, number.wabaId)) return undefined;
  const { phone_number_id: phoneNumberId } = request.query;
  if (phoneNumberId !== undefined && phoneNumberId !== media.phoneNumberId) return undefined;
  return media;
}

/**
 * Graph addresses every object by id alone: `GET /{id}` is a phone number, a media object, a WABA or a
 * template, depending on what the id is.
 */
export async function objectRoutes(graph: FastifyInstance, context: SimulatorContext): Promise<void> {
  graph.get('/:version/:objectId', async (request: ObjectRequest) => {
    const { objectId } = request.params;
    const { fields } = request.query;
    if (context.directory.phoneNumber(objectId))
      return phoneNumberView(visibleNumber(context, request, objectId), fields);
    const media = visibleMedia(context, request);
    if (media) return mediaJson(context, request, media);
    const waba = context.directory.waba(objectId);
    if (waba && canSee(context, request, waba.id)) {
      return selectFields(
        {
          id: waba.id,
          name: waba.name,
          currency: 'USD',
          timezone_id: '1',
          message_template_namespace: `sim_${waba.id}`,
        },
        fields,
      );
    }
    const template = context.templates.byId(objectId);
    if (template && canSee(context, request, template.wabaId))
      return selectFields(templateJson(template), fields);
    throw unknownObject(objectId, request.method);
  });

  graph.delete('/:version/:objectId', async (request: ObjectRequest) => {
    const media = visibleMedia(context, request);
    if (!media) throw unknownObject(request.params.objectId, request.method);
    context.media.delete(media.id);
    return { success: true };
  });

  graph.post('/:version/:objectId', async (request: ObjectRequest) => {
    const { objectId } = request.params;
    const body = isRecord(request.body) ? request.body : {};
    if (context.directory.phoneNumber(objectId)) {
      visibleNumber(context, request, objectId);
      // Setting the two-step PIN is all the simulator takes here.
      if (typeof body.pin !== 'string' || !/^\d{6}$/.test(body.pin)) {
        throw new SimulatedGraphError(100, 'The simulator only sets pin (6 digits) on a phone number.');
      }
      return { success: true };
    }
    const template = context.templates.byId(objectId);
    if (template && canSee(context, request, template.wabaId)) {
      context.templates.replaceComponents(template.id, TemplateRegistry.parseComponents(body.components));
      return { success: true };
    }
    throw unknownObject(objectId, request.method);
  });
}
