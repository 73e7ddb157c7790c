import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { notFound } from '../http/app-error.ts';
import type { Database } from '../store/schema.ts';
import type { SecretBox } from '../tenants/index.ts';
import type { AgentProfile } from './agent-model.ts';
import {
  agentProfileSchema,
  defaultAgentProfile,
  type WindowClosedTemplate,
  windowClosedTemplateSchema,
} from './agent-profile-schema.ts';
import { type ModelProvider, type ModelSettings, PLAYBOOK_SETTINGS } from './model-settings.ts';
import './agent-schema.ts';

type ProfileRow = Database['agent_profiles'];

/** The profile a turn runs with: the campaign's if it has one, else the tenant's, else the built-in default. */
export interface ResolvedProfile {
  profileId: string | null;
  profile: AgentProfile;
  isEnabled: boolean;
  windowClosedTemplate: WindowClosedTemplate | null;
  modelSettings: ModelSettings;
}

export interface ModelSettingsView {
  provider: ModelProvider;
  baseUrl: string | null;
  model: string | null;
  /** Write-only: the key itself never comes back. */
  hasApiKey: boolean;
  /** True when this profile has no settings of its own and uses the tenant's default profile's. */
  isInherited: boolean;
}

export interface AgentProfileView {
  id: string | null;
  tenantId: string;
  campaignId: string | null;
  /** True when nothing is stored and this is the built-in default. */
  isDefault: boolean;
  isEnabled: boolean;
  profile: AgentProfile;
  windowClosedTemplate: WindowClosedTemplate | null;
  model: ModelSettingsView;
  updatedAt: string | null;
}

export interface ModelSettingsInput {
  provider: ModelProvider;
  baseUrl?: string | null;
  model?: string | null;
  /** Omitted: keep the stored key. Null: remove it. */
  apiKey?: string | null;
}

const campaignKeyOf = (campaignId: string | null | undefined) => campaignId ?? '';

/**
 * Agent profiles per tenant and per campaign, with their model settings. The api key is sealed with the
 * SecretBox on the way in and opened only in `resolve`, for the model adapter.
 */
export class AgentProfiles {
  private readonly db: Kysely<Database>;
  private readonly box: SecretBox;
  private readonly now: () => number;
  /**
   * Resolved profiles by tenant and campaign, for a few seconds: every turn needs one, and parsing and
   * decrypting it each time is most of a turn's own cost. A change here clears it at once; another
   * instance sees it within the TTL.
   */
  private readonly cache = new Map<string, { value: ResolvedProfile; expiresAt: number }>();
  private readonly cacheTtlMs: number;

  constructor(db: Kysely<Database>, box: SecretBox, now: () => number = Date.now, cacheTtlMs = 5000) {
    this.db = db;
    this.box = box;
    this.now = now;
    this.cacheTtlMs = cacheTtlMs;
  }

  async view(tenantId: string, campaignId: string | null): Promise<AgentProfileView> {
    const rows = await this.rowsFor(tenantId, campaignId);
    const own = rows.find((row) => row.campaign_key === campaignKeyOf(campaignId));
    const tenantRow = rows.find((row) => row.campaign_key === '');
    if (!own) {
      const resolved = await this.resolve(tenantId, campaignId);
      return {
        id: null,
        tenantId,
        campaignId,
        isDefault: tenantRow === undefined,
        isEnabled: resolved.isEnabled,
        profile: resolved.profile,
        windowClosedTemplate: resolved.windowClosedTemplate,
        model: this.modelView(undefined, tenantRow),
        updatedAt: null,
      };
    }
    return {
      id: own.id,
      tenantId,
      campaignId,
      isDefault: false,
      isEnabled: own.is_enabled === 1,
      profile: agentProfileSchema.parse(JSON.parse(own.profile)),
      windowClosedTemplate: parseTemplate(own.window_closed_template),
      model: this.modelView(own, tenantRow),
      updatedAt: new Date(own.updated_at).toISOString(),
    };
  }

  /** Replaces the profile (PUT semantics); model settings are kept. */
  async put(
    tenantId: string,
    campaignId: string | null,
    input: { profile: AgentProfile; isEnabled?: boolean; windowClosedTemplate?: WindowClosedTemplate | null },
  ): Promise<AgentProfileView> {
    await this.defaultProfile(tenantId); // 404 for an unknown tenant
    const now = this.now();
    const profile = JSON.stringify(agentProfileSchema.parse(input.profile));
    const template =
      input.windowClosedTemplate === undefined || input.windowClosedTemplate === null
        ? null
        : JSON.stringify(windowClosedTemplateSchema.parse(input.windowClosedTemplate));
    await this.db
      .insertInto('agent_profiles')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        campaign_key: campaignKeyOf(campaignId),
        profile,
        is_enabled: input.isEnabled === false ? 0 : 1,
        window_closed_template: template,
        model_provider: null,
        model_base_url: null,
        model_name: null,
        model_api_key_enc: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'campaign_key']).doUpdateSet({
          profile,
          is_enabled: input.isEnabled === false ? 0 : 1,
          window_closed_template: template,
          updated_at: now,
        }),
      )
      .execute();
    this.cache.clear();
    return this.view(tenantId, campaignId);
  }

  /**
   * The settings `putModelSettings` would store for this input, without storing them: what "Test the
   * connection" tests, so that it answers for the form on screen and not for what was saved before.
   */
  async previewModelSettings(
    tenantId: string,
    campaignId: string | null,
    input: ModelSettingsInput,
  ): Promise<ModelSettings> {
    await this.defaultProfile(tenantId); // 404 for an unknown tenant
    const existing = await this.ownRow(tenantId, campaignId);
    const storedKey = existing?.model_api_key_enc ? this.box.open(existing.model_api_key_enc) : null;
    return {
      provider: input.provider,
      baseUrl: input.baseUrl ?? null,
      model: input.model ?? null,
      apiKey: input.apiKey === undefined ? storedKey : input.apiKey,
    };
  }

  async putModelSettings(
    tenantId: string,
    campaignId: string | null,
    input: ModelSettingsInput,
  ): Promise<ModelSettingsView> {
    const now = this.now();
    const existing = await this.ownRow(tenantId, campaignId);
    const apiKeyEnc =
      input.apiKey === undefined
        ? (existing?.model_api_key_enc ?? null)
        : input.apiKey === null
          ? null
          : this.box.seal(input.apiKey);
    const settings = {
      model_provider: input.provider,
      model_base_url: input.baseUrl ?? null,
      model_name: input.model ?? null,
      model_api_key_enc: apiKeyEnc,
      updated_at: now,
    };
    if (existing) {
      await this.db.updateTable('agent_profiles').set(settings).where('id', '=', existing.id).execute();
    } else {
      // Settings before a profile: store them beside the profile this tenant or campaign resolves to today.
      const resolved = await this.resolve(tenantId, campaignId);
      await this.db
        .insertInto('agent_profiles')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          campaign_key: campaignKeyOf(campaignId),
          profile: JSON.stringify(resolved.profile),
          is_enabled: resolved.isEnabled ? 1 : 0,
          window_closed_template: resolved.windowClosedTemplate
            ? JSON.stringify(resolved.windowClosedTemplate)
            : null,
          created_at: now,
          ...settings,
        })
        .execute();
    }
    this.cache.clear();
    return (await this.view(tenantId, campaignId)).model;
  }

  /** The profile and model for a conversation of this tenant (and campaign, if any). */
  async resolve(tenantId: string, campaignId: string | null): Promise<ResolvedProfile> {
    const key = `${tenantId}|${campaignId ?? ''}`;
    const now = this.now();
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > now) return cached.value;
    const value = await this.load(tenantId, campaignId);
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(key, { value, expiresAt: now + this.cacheTtlMs });
    return value;
  }

  private async load(tenantId: string, campaignId: string | null): Promise<ResolvedProfile> {
    const rows = await this.rowsFor(tenantId, campaignId);
    const campaignRow = campaignId ? rows.find((row) => row.campaign_key === campaignId) : undefined;
    const tenantRow = rows.find((row) => row.campaign_key === '');
    const row = campaignRow ?? tenantRow;
    const settingsRow = campaignRow?.model_provider ? campaignRow : tenantRow;
    return {
      profileId: row?.id ?? null,
      profile: row ? agentProfileSchema.parse(JSON.parse(row.profile)) : await this.defaultProfile(tenantId),
      isEnabled: row ? row.is_enabled === 1 : true,
      windowClosedTemplate: parseTemplate(row?.window_closed_template ?? null),
      modelSettings: settingsRow?.model_provider
        ? {
            provider: settingsRow.model_provider as ModelProvider,
            baseUrl: settingsRow.model_base_url,
            model: settingsRow.model_name,
            apiKey: settingsRow.model_api_key_enc ? this.box.open(settingsRow.model_api_key_enc) : null,
          }
        : PLAYBOOK_SETTINGS,
    };
  }

  private async defaultProfile(tenantId: string): Promise<AgentProfile> {
    const tenant = await this.db
      .selectFrom('tenants')
      .select('name')
      .where('id', '=', tenantId)
      .executeTakeFirst();
    if (!tenant) throw notFound(`tenant ${tenantId}`);
    return defaultAgentProfile(tenant.name);
  }

  /** The row of exactly this tenant or campaign, not the one it inherits from. */
  private async ownRow(tenantId: string, campaignId: string | null): Promise<ProfileRow | undefined> {
    return (await this.rowsFor(tenantId, campaignId)).find(
      (row) => row.campaign_key === campaignKeyOf(campaignId),
    );
  }

  private rowsFor(tenantId: string, campaignId: string | null): Promise<ProfileRow[]> {
    return this.db
      .selectFrom('agent_profiles')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('campaign_key', 'in', campaignId ? ['', campaignId] : [''])
      .execute();
  }

  private modelView(own: ProfileRow | undefined, tenantRow: ProfileRow | undefined): ModelSettingsView {
    const row = own?.model_provider ? own : tenantRow?.model_provider ? tenantRow : undefined;
    return {
      provider: (row?.model_provider as ModelProvider | undefined) ?? 'playbook',
      baseUrl: row?.model_base_url ?? null,
      model: row?.model_name ?? null,
      hasApiKey: Boolean(row?.model_api_key_enc),
      isInherited: row !== undefined && row !== own,
    };
  }
}

function parseTemplate(json: string | null): WindowClosedTemplate | null {
  return json === null ? null : windowClosedTemplateSchema.parse(JSON.parse(json));
}
