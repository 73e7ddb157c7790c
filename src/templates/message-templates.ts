import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { AppError, notFound } from '../http/app-error.ts';
import type { Database } from '../store/schema.ts';
import type { TenantDirectory } from '../tenants/index.ts';
import type { GraphAccess, GraphClient, MessageTemplate, TemplateDraft } from '../whatsapp/graph/index.ts';
import { isGraphError } from '../whatsapp/graph/index.ts';
import type {
  TemplateCategoryData,
  TemplateComponentsData,
  TemplateQualityData,
  TemplateRef,
  TemplateStatusData,
} from '../whatsapp/index.ts';
import '../campaigns/campaign-schema.ts';
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
  /** Meta's quality rating of the template (GREEN, YELLOW, RED, UNKNOWN); null until Meta rates it. */
  qualityScore: string | null;
  /** Set when Meta changed the category (which changes the price): what it was, and when. */
  previousCategory: string | null;
  categoryChangedAt: string | null;
  /** A flagged template's scheduled disabling date: campaigns using it stop sending then. */
  disableAt: string | null;
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
    qualityScore: row.quality_score,
    previousCategory: row.previous_category,
    categoryChangedAt:
      row.category_changed_at === null ? null : new Date(row.category_changed_at).toISOString(),
    disableAt: row.disable_at === null ? null : new Date(row.disable_at).toISOString(),
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
        quality_score: null,
        previous_category: null,
        category_changed_at: null,
        disable_at: null,
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
  const ids = await templateIdsFor(trx, tenantId, wabaId, data);
  if (ids.length === 0) return null;
  const reason = data.reason ?? data.rejectionInfo?.reason ?? data.otherInfo?.description ?? null;
  await trx
    .updateTable('message_templates')
    .set({
      status,
      status_reason: reason === 'NONE' ? null : reason,
      // A FLAGGED template carries the date it will be disabled; approval or reinstatement lifts it.
      ...(data.disableDate !== null
        ? { disable_at: data.disableDate }
        : RESTORED_TEMPLATE_STATUSES.has(status)
          ? { disable_at: null }
          : {}),
      updated_at: now,
    })
    .where('id', 'in', ids)
    .execute();
  return { ids, status };
}

/** Statuses that end a scheduled disabling. */
const RESTORED_TEMPLATE_STATUSES = new Set(['APPROVED', 'REINSTATED', 'UNPAUSED']);

/** The mirrored templates a webhook is about: by Meta's id, else by name and language (not yet synced). */
async function templateIdsFor(
  trx: Transaction<Database>,
  tenantId: string,
  wabaId: string | null,
  ref: TemplateRef,
): Promise<string[]> {
  if (ref.messageTemplateId) {
    const byId = await trx
      .selectFrom('message_templates')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('meta_template_id', '=', ref.messageTemplateId)
      .execute();
    if (byId.length > 0) return byId.map((row) => row.id);
  }
  if (!ref.name || !ref.language) return [];
  let query = trx
    .selectFrom('message_templates')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('name', '=', ref.name)
    .where('language', '=', ref.language);
  if (wabaId) query = query.where('waba_id', '=', wabaId);
  return (await query.execute()).map((row) => row.id);
}

/** Applies a `message_template_quality_update`: the template's quality score. */
export async function applyTemplateQuality(
  trx: Transaction<Database>,
  tenantId: string,
  wabaId: string | null,
  data: TemplateQualityData,
  now: number,
): Promise<string[]> {
  if (!data.newQualityScore) return [];
  const ids = await templateIdsFor(trx, tenantId, wabaId, data);
  if (ids.length === 0) return [];
  await trx
    .updateTable('message_templates')
    .set({ quality_score: data.newQualityScore.toUpperCase(), updated_at: now })
    .where('id', 'in', ids)
    .execute();
  return ids;
}

/**
 * Applies a `template_category_update`: Meta recategorized the template (e.g. UTILITY to MARKETING), which
 * changes its price and, for marketing, who may receive it. Returns the templates that changed.
 */
export async function applyTemplateCategory(
  trx: Transaction<Database>,
  tenantId: string,
  wabaId: string | null,
  data: TemplateCategoryData,
  now: number,
): Promise<string[]> {
  const category = (data.newCategory ?? data.correctCategory)?.toUpperCase();
  if (!category) return [];
  const ids = await templateIdsFor(trx, tenantId, wabaId, data);
  const rows =
    ids.length === 0
      ? []
      : await trx.selectFrom('message_templates').select(['id', 'category']).where('id', 'in', ids).execute();
  const changed = rows.filter((row) => row.category !== category);
  for (const row of changed) {
    await trx
      .updateTable('message_templates')
      .set({
        category,
        previous_category: data.previousCategory?.toUpperCase() ?? row.category,
        category_changed_at: now,
        updated_at: now,
      })
      .where('id', '=', row.id)
      .execute();
  }
  return changed.map((row) => row.id);
}

type Component = Record<string, unknown> & { type?: unknown };
const COMPONENT_ORDER = ['HEADER', 'BODY', 'FOOTER', 'BUTTONS'];

/**
 * The template's components after a `message_template_components_update`: its new body, text header,
 * footer and buttons in place of the old (a media header stays as it is). Pure.
 */
export function withUpdatedComponents(components: Component[], data: TemplateComponentsData): Component[] {
  const byType = new Map(
    components.map((component) => [String(component.type).toUpperCase(), { ...component }]),
  );
  const setText = (type: string, text: string | null) => {
    if (text === null) return;
    const current = byType.get(type);
    if (type === 'HEADER' && current && String(current.format ?? 'TEXT').toUpperCase() !== 'TEXT') return;
    byType.set(type, { ...(current ?? { type, ...(type === 'HEADER' ? { format: 'TEXT' } : {}) }), text });
  };
  setText('HEADER', data.header);
  setText('BODY', data.body);
  setText('FOOTER', data.footer);
  if (data.buttons.length > 0) {
    byType.set('BUTTONS', {
      type: 'BUTTONS',
      buttons: data.buttons.map((button) => ({
        type: button.type?.toUpperCase() ?? 'QUICK_REPLY',
        text: button.text ?? '',
        ...(button.url ? { url: button.url } : {}),
        ...(button.phoneNumber ? { phone_number: button.phoneNumber } : {}),
      })),
    });
  }
  const ordered = COMPONENT_ORDER.flatMap((type) => (byType.has(type) ? [byType.get(type)!] : []));
  const others = [...byType.entries()].filter(([type]) => !COMPONENT_ORDER.includes(type)).map(([, c]) => c);
  return [...ordered, ...others];
}

/** Applies a `message_template_components_update`: the mirror's words follow the edit made in Meta's manager. */
export async function applyTemplateComponents(
  trx: Transaction<Database>,
  tenantId: string,
  wabaId: string | null,
  data: TemplateComponentsData,
  now: number,
): Promise<string[]> {
  const ids = await templateIdsFor(trx, tenantId, wabaId, data);
  if (ids.length === 0) return [];
  const rows = await trx
    .selectFrom('message_templates')
    .select(['id', 'components', 'parameter_format'])
    .where('id', 'in', ids)
    .execute();
  for (const row of rows) {
    const components = withUpdatedComponents(JSON.parse(row.components) as Component[], data);
    await trx
      .updateTable('message_templates')
      .set({
        components: JSON.stringify(components),
        parameter_format: templateShape(components as Array<{ type: string }>, row.parameter_format)
          .parameterFormat,
        updated_at: now,
      })
      .where('id', '=', row.id)
      .execute();
  }
  return ids;
}
