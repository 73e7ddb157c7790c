import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { AppError, notFound } from '../http/app-error.ts';
import type { Database } from '../store/schema.ts';
import type { TenantDirectory } from '../tenants/index.ts';
import type { GraphAccess, GraphClient, MessageTemplate, TemplateDraft } from '../whatsapp/graph/index.ts';
import { isGraphError } from '../whatsapp/graph/index.ts';
import type { TemplateStatusData } from '../whatsapp/webhook-events.ts';
import './campaign-schema.ts';
import { type TemplateShape, templateShape } from './template-parameters.ts';

type Db = Kysely<Database> | Transaction<Database>;
type TemplateRow = Database['message_templates'];

export interface TemplateView {
  id: string;
  wabaId: string;
  metaTemplateId: string | null;
  name: string;
  language: string;
  category: string;
  status: string;
  statusReason: string | null;
  parameterFormat: string;
  components: unknown[];
  /** The placeholders a campaign must map: header, body (in order) and buttons with parameters. */
  parameters: {
    header: string[];
    body: string[];
    buttons: Array<{ index: number; type: string; parameters: string[] }>;
  };
  updatedAt: string;
}

export interface MessageTemplatesOptions {
  db: Kysely<Database>;
  graph: GraphClient;
  directory: TenantDirectory;
  defaultGraphApiUrl: string;
  defaultGraphApiVersion: string;
  now: () => number;
}

/** Statuses after which a template can no longer be sent (132001, 132015, 132016). */
export const UNSENDABLE_TEMPLATE_STATUSES = new Set([
  'PAUSED',
  'DISABLED',
  'REJECTED',
  'DELETED',
  'PENDING_DELETION',
]);

export function toTemplateView(row: TemplateRow): TemplateView {
  const shape = shapeOf(row);
  return {
    id: row.id,
    wabaId: row.waba_id,
    metaTemplateId: row.meta_template_id,
    name: row.name,
    language: row.language,
    category: row.category,
    status: row.status,
    statusReason: row.status_reason,
    parameterFormat: row.parameter_format,
    components: JSON.parse(row.components) as unknown[],
    parameters: { header: shape.header, body: shape.body, buttons: shape.buttons },
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function shapeOf(row: Pick<TemplateRow, 'components' | 'parameter_format'>): TemplateShape {
  return templateShape(JSON.parse(row.components) as Array<{ type: string }>, row.parameter_format);
}

/**
 * The tenant's message templates, mirrored from its WABAs: synced through the Graph API, created there,
 * and kept current by `message_template_status_update` webhooks. Campaigns check their parameters
 * against this mirror before anything is sent.
 */
export class MessageTemplates {
  private readonly options: MessageTemplatesOptions;

  constructor(options: MessageTemplatesOptions) {
    this.options = options;
  }

  /** Reads every template of the tenant's WABAs (or one WABA) from Meta into the mirror. */
  async sync(tenantId: string, wabaId?: string): Promise<TemplateView[]> {
    const wabas = (await this.options.directory.listWabas(tenantId)).filter(
      (waba) => wabaId === undefined || waba.wabaId === wabaId,
    );
    if (wabaId !== undefined && wabas.length === 0) throw notFound(`WABA ${wabaId}`);
    for (const waba of wabas) {
      const access = await this.accessFor(tenantId, waba.wabaId);
      let templates: MessageTemplate[];
      try {
        templates = await this.options.graph.listTemplates(access, waba.wabaId);
      } catch (error) {
        if (isGraphError(error)) {
          // A refused Graph URL is the number's setting to fix, not an outage to wait out.
          throw new AppError(
            error.reason === 'target-refused' ? 'validation_failed' : 'unavailable',
            `could not list the templates of WABA ${waba.wabaId}: ${error.message}`,
          );
        }
        throw error;
      }
      const now = this.options.now();
      await this.options.db.transaction().execute(async (trx) => {
        for (const template of templates) await this.upsert(trx, tenantId, waba.wabaId, template, now);
        // Templates deleted in Meta's manager disappear from the list: keep them, marked, for old campaigns.
        const names = templates.map((template) => `${template.name}\u0000${template.language}`);
        const known = await trx
          .selectFrom('message_templates')
          .select(['id', 'name', 'language'])
          .where('tenant_id', '=', tenantId)
          .where('waba_id', '=', waba.wabaId)
          .execute();
        const gone = known
          .filter((row) => !names.includes(`${row.name}\u0000${row.language}`))
          .map((row) => row.id);
        if (gone.length > 0) {
          await trx
            .updateTable('message_templates')
            .set({ status: 'DELETED', updated_at: now })
            .where('id', 'in', gone)
            .execute();
        }
      });
    }
    return this.list(tenantId);
  }

  /** Submits a template to Meta for review; it is mirrored as PENDING until its status webhook arrives. */
  async create(tenantId: string, wabaId: string | undefined, draft: TemplateDraft): Promise<TemplateView> {
    const wabas = await this.options.directory.listWabas(tenantId);
    const waba = wabaId === undefined ? wabas[0] : wabas.find((candidate) => candidate.wabaId === wabaId);
    if (!waba)
      throw wabaId === undefined
        ? new AppError('validation_failed', 'this tenant has no WABA: connect one first')
        : notFound(`WABA ${wabaId}`);
    const access = await this.accessFor(tenantId, waba.wabaId);
    let created: { id: string; status: string; category: string };
    try {
      created = await this.options.graph.createTemplate(access, waba.wabaId, draft);
    } catch (error) {
      if (isGraphError(error)) {
        throw new AppError(
          error.category === 'fix-request' ? 'validation_failed' : 'unavailable',
          `Meta refused the template: ${error.title ?? error.metaMessage ?? error.message}`,
          { code: error.code },
        );
      }
      throw error;
    }
    const now = this.options.now();
    const id = await this.upsert(
      this.options.db,
      tenantId,
      waba.wabaId,
      {
        id: created.id,
        name: draft.name,
        language: draft.language,
        status: created.status,
        category: created.category,
        parameterFormat: draft.parameterFormat ?? null,
        components: draft.components,
      },
      now,
    );
    return this.show(tenantId, id);
  }

  async list(tenantId: string): Promise<TemplateView[]> {
    const rows = await this.options.db
      .selectFrom('message_templates')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .orderBy('language')
      .execute();
    return rows.map(toTemplateView);
  }

  async show(tenantId: string, id: string): Promise<TemplateView> {
    return toTemplateView(await this.row(tenantId, id));
  }

  async row(tenantId: string, id: string, db: Db = this.options.db): Promise<TemplateRow> {
    const row = await db
      .selectFrom('message_templates')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound(`template ${id}`);
    return row;
  }

  private async accessFor(tenantId: string, wabaId: string): Promise<GraphAccess> {
    const accessToken = await this.options.directory.accessTokenFor(tenantId, wabaId);
    if (!accessToken) {
      throw new AppError(
        'validation_failed',
        `no access token for WABA ${wabaId}: add one (POST /api/v1/tenants/{id}/access-tokens)`,
      );
    }
    const number = await this.options.db
      .selectFrom('phone_numbers')
      .select(['graph_api_url', 'graph_api_version'])
      .where('tenant_id', '=', tenantId)
      .where('waba_id', '=', wabaId)
      .orderBy('created_at')
      .executeTakeFirst();
    return {
      accessToken,
      graphApiUrl: number?.graph_api_url ?? this.options.defaultGraphApiUrl,
      graphApiVersion: number?.graph_api_version ?? this.options.defaultGraphApiVersion,
    };
  }

  private async upsert(
    db: Db,
    tenantId: string,
    wabaId: string,
    template: MessageTemplate,
    now: number,
  ): Promise<string> {
    const components = JSON.stringify(template.components);
    const parameterFormat = templateShape(template.components, template.parameterFormat).parameterFormat;
    const values = {
      meta_template_id: template.id,
      category: template.category.toUpperCase(),
      status: template.status.toUpperCase(),
      parameter_format: parameterFormat,
      components,
      updated_at: now,
    };
    await db
      .insertInto('message_templates')
      .values({
        id: `tpl_${randomUUID()}`,
        tenant_id: tenantId,
        waba_id: wabaId,
        name: template.name,
        language: template.language,
        status_reason: null,
        created_at: now,
        ...values,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'waba_id', 'name', 'language']).doUpdateSet(values))
      .execute();
    const row = await db
      .selectFrom('message_templates')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('waba_id', '=', wabaId)
      .where('name', '=', template.name)
      .where('language', '=', template.language)
      .executeTakeFirstOrThrow();
    return row.id;
  }
}

/**
 * Applies a `message_template_status_update` webhook to the mirror, in the recording transaction.
 * Returns the template ids that can no longer be sent, so running campaigns using them can be paused.
 */
export async function applyTemplateStatus(
  trx: Transaction<Database>,
  tenantId: string,
  wabaId: string | null,
  data: TemplateStatusData,
  now: number,
): Promise<{ ids: string[]; status: string } | null> {
  if (!data.event) return null;
  const status = data.event.toUpperCase();
  const byId = data.messageTemplateId
    ? await trx
        .selectFrom('message_templates')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('meta_template_id', '=', data.messageTemplateId)
        .execute()
    : [];
  // Name and language, when the id is unknown here (a template created in Meta's manager, not yet synced).
  let byName: Array<{ id: string }> = [];
  if (byId.length === 0 && data.name && data.language) {
    let query = trx
      .selectFrom('message_templates')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('name', '=', data.name)
      .where('language', '=', data.language);
    if (wabaId) query = query.where('waba_id', '=', wabaId);
    byName = await query.execute();
  }
  const ids = [...byId, ...byName].map((row) => row.id);
  if (ids.length === 0) return null;
  const reason = data.reason ?? data.rejectionInfo?.reason ?? data.otherInfo?.description ?? null;
  await trx
    .updateTable('message_templates')
    .set({ status, status_reason: reason === 'NONE' ? null : reason, updated_at: now })
    .where('id', 'in', ids)
    .execute();
  return { ids, status };
}
