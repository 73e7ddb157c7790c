import type { FastifyInstance } from 'fastify';
import { visibleWaba } from './graph-access.ts';
import { SimulatedGraphError } from './graph-error.ts';
import type { SimulatorContext } from './simulator-context.ts';
import { type TemplateRecord, TemplateRegistry, templateJson } from './template-registry.ts';

interface ListQuery {
  name?: string;
  status?: string;
  category?: string;
  language?: string;
  limit?: string;
  after?: string;
}

const encodeCursor = (offset: number) => Buffer.from(String(offset)).toString('base64url');
const decodeCursor = (cursor: string | undefined) =>
  cursor ? Number(Buffer.from(cursor, 'base64url').toString()) || 0 : 0;

/** The `message_template_status_update` webhook Meta sends when a review ends. */
function announceStatus(context: SimulatorContext, record: TemplateRecord): void {
  context.sender.enqueue({
    wabaId: record.wabaId,
    laneKey: record.wabaId,
    field: 'message_template_status_update',
    value: {
      event: record.status,
      message_template_id: Number(record.id),
      message_template_name: record.name,
      message_template_language: record.language,
      reason: 'NONE',
    },
  });
}

/** `GET|POST|DELETE /{waba-id}/message_templates`. */
export async function templateRoutes(graph: FastifyInstance, context: SimulatorContext): Promise<void> {
  graph.get<{ Params: { version: string; wabaId: string }; Querystring: ListQuery }>(
    '/:version/:wabaId/message_templates',
    async (request) => {
      const waba = visibleWaba(context, request, request.params.wabaId);
      const { name, status, category, language } = request.query;
      // Graph pages default to 25 items; Meta caps the page size at 100 here.
      const limit = Math.min(Math.max(Number(request.query.limit ?? 25) || 25, 1), 100);
      const matching = context.templates
        .list(waba.id)
        .filter(
          (record) =>
            (name === undefined || record.name === name) &&
            (status === undefined || record.status === status.toUpperCase()) &&
            (category === undefined || record.category === category.toUpperCase()) &&
            (language === undefined || record.language === language),
        );
      const offset = decodeCursor(request.query.after);
      const page = matching.slice(offset, offset + limit);
      const after = offset + page.length;
      const paging: Record<string, unknown> = {
        cursors: { before: encodeCursor(offset), after: encodeCursor(after) },
      };
      if (after < matching.length) {
        const next = new URL(`${request.protocol}://${request.host}${request.url}`);
        next.searchParams.set('after', encodeCursor(after));
        next.searchParams.set('limit', String(limit));
        paging.next = next.toString();
      }
      return { data: page.map(templateJson), paging };
    },
  );

  graph.post<{ Params: { version: string; wabaId: string } }>(
    '/:version/:wabaId/message_templates',
    async (request) => {
      const waba = visibleWaba(context, request, request.params.wabaId);
      const definition = TemplateRegistry.parseCreation(request.body);
      const isReviewed = context.config.templateReviewMs > 0;
      const record = context.templates.add(waba.id, {
        ...definition,
        status: isReviewed ? 'PENDING' : 'APPROVED',
      });
      context.scheduler.schedule(context.config.templateReviewMs, () => {
        const approved = isReviewed ? context.templates.setStatus(record.id, 'APPROVED') : record;
        if (approved) announceStatus(context, approved);
      });
      return { id: record.id, status: record.status, category: record.category };
    },
  );

  graph.delete<{
    Params: { version: string; wabaId: string };
    Querystring: { name?: string; hsm_id?: string };
  }>('/:version/:wabaId/message_templates', async (request) => {
    const waba = visibleWaba(context, request, request.params.wabaId);
    const { name, hsm_id: templateId } = request.query;
    if (!name) throw new SimulatedGraphError(100, 'The parameter name is required.');
    if (context.templates.delete(waba.id, name, templateId) === 0) {
      throw new SimulatedGraphError(100, `Message template "${name}" was not found.`);
    }
    return { success: true };
  });
}
