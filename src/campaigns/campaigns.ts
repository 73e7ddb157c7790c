import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError, notFound } from '../http/app-error.ts';
import type { Database } from '../store/schema.ts';
import './campaign-schema.ts';
import { isValidTimeZone } from '../contacts/index.ts';
import { checkMapping, type ParameterMapping, shapeOf } from '../templates/index.ts';
import {
  type Audience,
  type CampaignFollowUp,
  type CampaignRow,
  type CampaignVariant,
  campaignTemplateIds,
  readCampaign,
} from './campaign-definition.ts';
import { campaignFunnel, type Funnel } from './campaign-funnel.ts';
import { pauseCampaign, requeueWithdrawn } from './pause-campaign.ts';
import { formatClockTime, parseClockTime } from './sending-hours.ts';
import { syncCampaign } from './sync-campaign.ts';
import { withdrawCampaignMessages } from './withdraw-campaign-messages.ts';

export interface CampaignInput {
  name: string;
  /** Meta's id of the sending number; the tenant's first number by default. */
  phoneNumberId?: string;
  /** One template for everyone … */
  templateId?: string;
  parameters?: ParameterMapping;
  /** … or A/B variants. */
  variants?: Array<{ name: string; templateId: string; parameters?: ParameterMapping; weight?: number }>;
  followUps?: Array<{ afterHours: number; templateId: string; parameters?: ParameterMapping }>;
  audience?: Audience;
  /** ISO 8601; now by default. */
  startAt?: string;
  /** Local time of each contact; 09:00–20:00 by default. */
  sendingHours?: { from: string; until: string };
  /** IANA zone for contacts whose zone is unknown, and for the daily cap's day; UTC by default. */
  timeZone?: string;
  /** Most campaign messages released per day (first messages and follow-ups). */
  dailyCap?: number | null;
  /** The agent profile that answers replies. */
  agentProfileId?: string | null;
}

export interface CampaignView {
  id: string;
  name: string;
  state: string;
  pauseReason: string | null;
  phoneNumberId: string;
  category: string;
  variants: CampaignVariant[];
  followUps: Array<CampaignFollowUp & { afterHours: number }>;
  audience: Audience;
  startAt: string;
  sendingHours: { from: string; until: string };
  timeZone: string;
  dailyCap: number | null;
  agentProfileId: string | null;
  progress: {
    targeted: number;
    suppressedAtPlanning: number;
    /** Contacts by state. */
    byState: Record<string, number>;
    /** Campaign messages waiting in the outbox. */
    inFlight: number;
    nextTickAt: string | null;
  };
  launchedAt: string | null;
  pausedAt: string | null;
  completedAt: string | null;
  cancelledAt: string | null;
  createdAt: string;
  /** What Meta changed about the campaign's templates that the campaign should know: a scheduled disabling, a new category. */
  warnings: string[];
}

export interface CampaignsOptions {
  db: Kysely<Database>;
  now: () => number;
  /** Called when a campaign is launched or resumed, so the scheduler looks at once. */
  onScheduled: () => void;
}

const HOUR_MS = 60 * 60_000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Campaigns: created (and checked against their templates), launched, paused, resumed and cancelled.
 * The scheduler does the planning and the sending; this is the operator's side.
 */
export class Campaigns {
  private readonly options: CampaignsOptions;

  constructor(options: CampaignsOptions) {
    this.options = options;
  }

  /**
   * Creates a draft campaign. Every template must be in the tenant's mirror, on the sending number's
   * WABA and not rejected, and every parameter mapping must fit its template: a mismatch is a
   * `validation_failed` naming each problem, rather than Meta's 132000 at send time.
   */
  async create(tenantId: string, input: CampaignInput): Promise<CampaignView> {
    const { db } = this.options;
    const problems: string[] = [];
    const number = input.phoneNumberId
      ? await db
          .selectFrom('phone_numbers')
          .select(['phone_number_id', 'waba_id'])
          .where('tenant_id', '=', tenantId)
          .where('phone_number_id', '=', input.phoneNumberId)
          .executeTakeFirst()
      : await db
          .selectFrom('phone_numbers')
          .select(['phone_number_id', 'waba_id'])
          .where('tenant_id', '=', tenantId)
          .orderBy('created_at')
          .executeTakeFirst();
    if (!number) {
      throw input.phoneNumberId
        ? notFound(`phone number ${input.phoneNumberId}`)
        : new AppError('validation_failed', 'this tenant has no phone number: connect one first');
    }
    if (input.templateId && input.variants)
      problems.push('give either templateId (one template) or variants (A/B), not both');
    const variants: CampaignVariant[] = input.variants
      ? input.variants.map((variant) => ({
          name: variant.name,
          templateId: variant.templateId,
          parameters: variant.parameters ?? {},
          weight: variant.weight ?? 1,
        }))
      : input.templateId
        ? [{ name: 'A', templateId: input.templateId, parameters: input.parameters ?? {}, weight: 1 }]
        : [];
    if (variants.length === 0) problems.push('templateId: a campaign needs a template (or variants)');
    if (new Set(variants.map((variant) => variant.name)).size !== variants.length)
      problems.push('variants: names must be unique');
    const followUps: CampaignFollowUp[] = (input.followUps ?? []).map((followUp) => ({
      afterMs: Math.round(followUp.afterHours * HOUR_MS),
      templateId: followUp.templateId,
      parameters: followUp.parameters ?? {},
    }));

    const templateIds = campaignTemplateIds({ variants, followUps });
    const templates = new Map(
      (
        await db
          .selectFrom('message_templates')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', templateIds.length > 0 ? templateIds : [''])
          .execute()
      ).map((row) => [row.id, row]),
    );
    /** `prefix` is where in the request the template is: '' or `variants.0.` or `followUps.1.`. */
    const check = (prefix: string, templateId: string, mapping: ParameterMapping) => {
      const template = templates.get(templateId);
      if (!template) {
        problems.push(`${prefix}templateId: template ${templateId} was not found (sync the templates first)`);
        return;
      }
      if (template.waba_id !== number.waba_id) {
        problems.push(
          `${prefix}templateId: template ${template.name} belongs to WABA ${template.waba_id}, not the sending number's`,
        );
      }
      if (['REJECTED', 'DISABLED', 'DELETED'].includes(template.status)) {
        problems.push(
          `${prefix}templateId: template ${template.name} (${template.language}) is ${template.status}`,
        );
      }
      problems.push(...checkMapping(shapeOf(template), mapping, `${prefix}parameters`));
    };
    for (const [index, variant] of variants.entries()) {
      check(input.variants ? `variants.${index}.` : '', variant.templateId, variant.parameters);
    }
    for (const [index, followUp] of followUps.entries()) {
      check(`followUps.${index}.`, followUp.templateId, followUp.parameters);
    }

    const from = parseClockTime(input.sendingHours?.from ?? '09:00');
    const until = parseClockTime(input.sendingHours?.until ?? '20:00');
    if (from === null || until === null)
      problems.push('sendingHours: use HH:MM, as in { from: "09:00", until: "20:00" }');
    else if (from >= until) problems.push('sendingHours: from must be before until (within one local day)');
    const timeZone = input.timeZone ?? 'UTC';
    if (!isValidTimeZone(timeZone))
      problems.push(`timeZone: "${timeZone}" is not an IANA zone such as America/Sao_Paulo`);
    const now = this.options.now();
    const startAt = input.startAt ? Date.parse(input.startAt) : now;
    if (!Number.isFinite(startAt)) problems.push('startAt: not an ISO 8601 time');
    if (input.agentProfileId) {
      const profile = await db
        .selectFrom('agent_profiles')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', input.agentProfileId)
        .executeTakeFirst();
      if (!profile) problems.push(`agentProfileId: agent profile ${input.agentProfileId} was not found`);
    }
    if (problems.length > 0) {
      throw new AppError(
        'validation_failed',
        problems.join('; '),
        problems.map((problem) => ({ problem })),
      );
    }

    const categories = templateIds.map((id) => templates.get(id)!.category);
    const id = `cmp_${randomUUID()}`;
    await db
      .insertInto('campaigns')
      .values({
        id,
        tenant_id: tenantId,
        name: input.name,
        state: 'draft',
        phone_number_id: number.phone_number_id,
        category: categories.includes('MARKETING') ? 'MARKETING' : categories[0]!,
        variants: JSON.stringify(variants),
        follow_ups: JSON.stringify(followUps),
        audience: JSON.stringify(input.audience ?? {}),
        start_at: startAt,
        send_from_minute: from!,
        send_until_minute: until!,
        time_zone: timeZone,
        daily_cap: input.dailyCap ?? null,
        agent_profile_id: input.agentProfileId ?? null,
        pause_reason: null,
        time_zones: '[]',
        targeted_count: 0,
        suppressed_count: 0,
        next_tick_at: null,
        tick_locked_until: null,
        launched_at: null,
        paused_at: null,
        completed_at: null,
        cancelled_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return this.show(tenantId, id);
  }

  async list(tenantId: string, limit: number): Promise<CampaignView[]> {
    const rows = await this.options.db
      .selectFrom('campaigns')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return Promise.all(rows.map((row) => this.view(row)));
  }

  async show(tenantId: string, id: string): Promise<CampaignView> {
    return this.view(await this.row(tenantId, id));
  }

  /** The funnel, after bringing the campaign's states up to date. */
  async funnel(tenantId: string, id: string): Promise<Funnel> {
    const row = await this.row(tenantId, id);
    if (row.state !== 'draft') await syncCampaign(this.options.db, readCampaign(row), this.options.now());
    return campaignFunnel(this.options.db, id);
  }

  /** Starts a draft: the scheduler plans the audience and then sends. Every template must be approved by now. */
  async launch(tenantId: string, id: string): Promise<CampaignView> {
    const row = await this.row(tenantId, id);
    if (row.state !== 'draft')
      throw new AppError('conflict', `campaign ${id} is ${row.state}; only a draft can be launched`);
    const campaign = readCampaign(row);
    const templates = await this.options.db
      .selectFrom('message_templates')
      .select(['name', 'language', 'status'])
      .where('id', 'in', campaignTemplateIds(campaign))
      .execute();
    const unapproved = templates.filter((template) => template.status !== 'APPROVED');
    if (unapproved.length > 0) {
      throw new AppError(
        'validation_failed',
        `not approved by Meta yet: ${unapproved.map((template) => `${template.name} (${template.language}) is ${template.status}`).join(', ')}`,
      );
    }
    const now = this.options.now();
    await this.options.db
      .updateTable('campaigns')
      .set({ state: 'planning', launched_at: now, next_tick_at: now, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', 'draft')
      .execute();
    this.options.onScheduled();
    return this.show(tenantId, id);
  }

  async pause(tenantId: string, id: string): Promise<CampaignView> {
    const row = await this.row(tenantId, id);
    const now = this.options.now();
    const isPaused = await this.options.db
      .transaction()
      .execute((trx) => pauseCampaign(trx, row.id, 'operator', now));
    if (!isPaused && row.state !== 'paused') {
      throw new AppError('conflict', `campaign ${id} is ${row.state}; only a running campaign can be paused`);
    }
    return this.show(tenantId, id);
  }

  async resume(tenantId: string, id: string): Promise<CampaignView> {
    const row = await this.row(tenantId, id);
    if (row.state !== 'paused')
      throw new AppError('conflict', `campaign ${id} is ${row.state}; only a paused campaign can be resumed`);
    const now = this.options.now();
    await this.options.db
      .updateTable('campaigns')
      .set({ state: 'running', pause_reason: null, paused_at: null, next_tick_at: now, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', 'paused')
      .execute();
    this.options.onScheduled();
    return this.show(tenantId, id);
  }

  /** Ends a campaign for good: nothing more is released, and what waits in the outbox is taken back. */
  async cancel(tenantId: string, id: string): Promise<CampaignView> {
    const row = await this.row(tenantId, id);
    if (row.state === 'completed' || row.state === 'cancelled') {
      throw new AppError('conflict', `campaign ${id} is already ${row.state}`);
    }
    const now = this.options.now();
    await this.options.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('campaigns')
        .set({ state: 'cancelled', cancelled_at: now, next_tick_at: null, updated_at: now })
        .where('id', '=', id)
        .execute();
      const withdrawn = await withdrawCampaignMessages(
        trx,
        { tenantId, campaignId: id, reason: 'cancelled' },
        now,
      );
      // Withdrawn contacts go back to waiting (never sent), then nobody waits any more.
      await requeueWithdrawn(trx, id, withdrawn, now);
      await trx
        .updateTable('campaign_contacts')
        .set({ next_step: null, due_at: null, updated_at: now })
        .where('campaign_id', '=', id)
        .execute();
    });
    return this.show(tenantId, id);
  }

  async row(tenantId: string, id: string): Promise<CampaignRow> {
    const row = await this.options.db
      .selectFrom('campaigns')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound(`campaign ${id}`);
    return row;
  }

  private async view(row: CampaignRow): Promise<CampaignView> {
    const { db } = this.options;
    const campaign = readCampaign(row);
    const states = await db
      .selectFrom('campaign_contacts')
      .select((eb) => ['state', eb.fn.countAll<number>().as('count')])
      .where('campaign_id', '=', row.id)
      .groupBy('state')
      .execute();
    const inFlight = await db
      .selectFrom('campaign_messages')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('campaign_id', '=', row.id)
      .where('state', '=', 'queued')
      .executeTakeFirstOrThrow();
    const templateIds = campaignTemplateIds(campaign);
    const templates =
      templateIds.length === 0
        ? []
        : await db.selectFrom('message_templates').selectAll().where('id', 'in', templateIds).execute();
    return {
      id: row.id,
      name: row.name,
      state: row.state,
      pauseReason: row.pause_reason,
      phoneNumberId: row.phone_number_id,
      category: row.category,
      variants: campaign.variants,
      followUps: campaign.followUps.map((followUp) => ({
        ...followUp,
        afterHours: followUp.afterMs / HOUR_MS,
      })),
      audience: campaign.audience,
      startAt: iso(row.start_at)!,
      sendingHours: {
        from: formatClockTime(row.send_from_minute),
        until: formatClockTime(row.send_until_minute),
      },
      timeZone: row.time_zone,
      dailyCap: row.daily_cap,
      agentProfileId: row.agent_profile_id,
      progress: {
        targeted: row.targeted_count,
        suppressedAtPlanning: row.suppressed_count,
        byState: Object.fromEntries(states.map((state) => [state.state, Number(state.count)])),
        inFlight: Number(inFlight.count),
        nextTickAt: iso(row.next_tick_at),
      },
      launchedAt: iso(row.launched_at),
      pausedAt: iso(row.paused_at),
      completedAt: iso(row.completed_at),
      cancelledAt: iso(row.cancelled_at),
      createdAt: iso(row.created_at)!,
      warnings: templateWarnings(templates),
    };
  }
}

/** A campaign's warnings from its templates' webhooks (message_template_status_update, template_category_update). */
export function templateWarnings(
  templates: ReadonlyArray<
    Pick<
      Database['message_templates'],
      'name' | 'language' | 'status' | 'category' | 'previous_category' | 'category_changed_at' | 'disable_at'
    >
  >,
): string[] {
  const warnings: string[] = [];
  for (const template of templates) {
    const name = `${template.name} (${template.language})`;
    if (template.disable_at !== null && template.status !== 'DISABLED')
      warnings.push(
        `Template ${name} is scheduled for disabling on ${iso(template.disable_at)!.slice(0, 10)}: fix or replace it before then.`,
      );
    if (template.category_changed_at !== null && template.previous_category !== template.category)
      warnings.push(
        `Meta changed template ${name} from ${template.previous_category ?? 'another category'} to ${template.category} on ${iso(template.category_changed_at)!.slice(0, 10)}: its price changed.`,
      );
  }
  return warnings;
}
