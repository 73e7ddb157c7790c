import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError, notFound } from '../http/app-error.ts';
import { refusalOfUrl, type TargetPolicy } from '../net/index.ts';
import type { Database } from '../store/schema.ts';
import type { SecretBox } from './secret-box.ts';

export type AccessTokenKind = 'system_user' | 'business_integration_system_user' | 'user';

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
}

export interface MetaAppView {
  id: string;
  tenantId: string;
  appId: string;
  /** Never the secret itself: only whether one is set and which key sealed it. */
  hasAppSecret: true;
  createdAt: string;
  updatedAt: string;
}

export interface PhoneNumberView {
  id: string;
  tenantId: string;
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string | null;
  verifiedName: string | null;
  qualityRating: string | null;
  messagingTier: string | null;
  throughputMps: number;
  graphApiUrl: string | null;
  graphApiVersion: string | null;
  isHealthy: boolean;
  healthProblem: string | null;
}

export interface AccessTokenView {
  id: string;
  tenantId: string;
  wabaId: string | null;
  kind: AccessTokenKind;
  /** The last four characters, so an operator can tell tokens apart. */
  hint: string;
  expiresAt: string | null;
  createdAt: string;
}

/** Who sent a webhook: the app's secret and verify token, decrypted, and the owning tenant. */
export interface WebhookApp {
  appId: string;
  tenantId: string;
  appSecret: string;
  verifyToken: string;
}

/** Who owns a number or WABA, and the app its WABA was connected through. */
export interface AssetOwner {
  tenantId: string;
  wabaId: string;
  connectedAppId: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function hashApiKey(key: string): string {
  // API keys carry 192 random bits, so a fast hash is enough: there is nothing to brute-force.
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Client companies and what they own in Meta: apps, WABAs, phone numbers and access tokens.
 * Secrets go in sealed and come out only through `webhookApp` and `accessTokenFor`.
 */
export class TenantDirectory {
  private readonly db: Kysely<Database>;
  private readonly box: SecretBox;
  private readonly now: () => number;
  private readonly graphTargetPolicy: TargetPolicy;
  /** Decrypted webhook apps by app id, so that signature checks do not decrypt on every request. */
  private readonly appCache = new Map<string, { app: WebhookApp | null; expiresAt: number }>();
  private static readonly appCacheTtlMs = 30_000; // 30 s: other instances see a changed secret within this
  /** Coxcox's own Meta apps (WHATSAPP_APP_ID, SIGNUP_APP_ID, the sandbox app): set by the operator only. */
  private readonly platformAppIds: ReadonlySet<string>;

  /**
   * `graphTargetPolicy`: a number's Graph URL is the tenant's choice, so one whose host is a private address
   * is refused when written (the Graph client refuses it again when connecting), unless it is the operator's.
   */
  constructor(
    db: Kysely<Database>,
    box: SecretBox,
    now: () => number = Date.now,
    platformAppIds: Iterable<string> = [],
    graphTargetPolicy: TargetPolicy = { allowPrivateNetworkTargets: false },
  ) {
    this.db = db;
    this.box = box;
    this.now = now;
    this.platformAppIds = new Set(platformAppIds);
    this.graphTargetPolicy = graphTargetPolicy;
  }

  /** Whether `appId` is one of Coxcox's own apps, entitled to every number connected through them. */
  isPlatformApp(appId: string | null): boolean {
    return appId !== null && this.platformAppIds.has(appId);
  }

  async createTenant(input: { name: string; id?: string }): Promise<Tenant> {
    const tenant = { id: input.id ?? randomUUID(), name: input.name, created_at: this.now() };
    await this.db.insertInto('tenants').values(tenant).execute();
    return { id: tenant.id, name: tenant.name, createdAt: iso(tenant.created_at) };
  }

  async ensureTenant(id: string, name: string): Promise<Tenant> {
    await this.db
      .insertInto('tenants')
      .values({ id, name, created_at: this.now() })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    return this.getTenant(id);
  }

  async getTenant(id: string): Promise<Tenant> {
    const row = await this.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`tenant ${id}`);
    return { id: row.id, name: row.name, createdAt: iso(row.created_at) };
  }

  async listTenants(onlyId?: string): Promise<Tenant[]> {
    let query = this.db.selectFrom('tenants').selectAll().orderBy('created_at').orderBy('id');
    if (onlyId !== undefined) query = query.where('id', '=', onlyId);
    const rows = await query.execute();
    return rows.map((row) => ({ id: row.id, name: row.name, createdAt: iso(row.created_at) }));
  }

  /** Creates an API key; the plaintext is returned once and only its hash is kept. */
  async createApiKey(tenantId: string, name: string): Promise<{ id: string; key: string; prefix: string }> {
    await this.getTenant(tenantId);
    const id = randomUUID();
    const key = `cxk_${randomBytes(24).toString('base64url')}`;
    const prefix = key.slice(0, 10);
    await this.db
      .insertInto('api_keys')
      .values({
        id,
        tenant_id: tenantId,
        name,
        key_hash: hashApiKey(key),
        key_prefix: prefix,
        created_at: this.now(),
        revoked_at: null,
      })
      .execute();
    return { id, key, prefix };
  }

  async listApiKeys(tenantId: string) {
    const rows = await this.db
      .selectFrom('api_keys')
      .select(['id', 'name', 'key_prefix', 'created_at', 'revoked_at'])
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      prefix: row.key_prefix,
      createdAt: iso(row.created_at),
      revokedAt: row.revoked_at === null ? null : iso(row.revoked_at),
    }));
  }

  async revokeApiKey(tenantId: string, keyId: string): Promise<void> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: this.now() })
      .where('id', '=', keyId)
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound(`API key ${keyId}`);
  }

  async tenantIdForApiKey(key: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('api_keys')
      .select('tenant_id')
      .where('key_hash', '=', hashApiKey(key))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row?.tenant_id ?? null;
  }

  /**
   * Creates or updates a Meta app. An app id belongs to one tenant only. A platform app's secret decides
   * whose webhooks reach every tenant, so only the operator (configuration, or the admin token) may set
   * it: a tenant may not register one first, nor change its secret (decision 0009).
   */
  async upsertMetaApp(
    tenantId: string,
    input: { appId: string; appSecret: string; verifyToken: string },
    by: 'operator' | 'tenant' = 'tenant',
  ): Promise<MetaAppView> {
    if (by === 'tenant' && this.isPlatformApp(input.appId)) {
      throw new AppError(
        'forbidden',
        `Meta app ${input.appId} is Coxcox's own app: only the operator (ADMIN_TOKEN) can connect it`,
      );
    }
    const existing = await this.db
      .selectFrom('meta_apps')
      .selectAll()
      .where('app_id', '=', input.appId)
      .executeTakeFirst();
    if (existing && existing.tenant_id !== tenantId) {
      throw connectedElsewhere(`Meta app ${input.appId}`, existing.tenant_id);
    }
    const now = this.now();
    const sealed = {
      app_secret_enc: this.box.seal(input.appSecret),
      verify_token_enc: this.box.seal(input.verifyToken),
    };
    if (existing) {
      await this.db
        .updateTable('meta_apps')
        .set({ ...sealed, updated_at: now })
        .where('id', '=', existing.id)
        .execute();
    } else {
      await this.db
        .insertInto('meta_apps')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          app_id: input.appId,
          ...sealed,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    this.appCache.delete(input.appId);
    return (await this.listMetaApps(tenantId)).find((app) => app.appId === input.appId)!;
  }

  async listMetaApps(tenantId: string): Promise<MetaAppView[]> {
    const rows = await this.db
      .selectFrom('meta_apps')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      appId: row.app_id,
      hasAppSecret: true as const,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
    }));
  }

  /** The app that signs webhooks for `appId`, decrypted, or null when no tenant owns it. */
  async webhookApp(appId: string): Promise<WebhookApp | null> {
    const now = this.now();
    const cached = this.appCache.get(appId);
    if (cached && cached.expiresAt > now) return cached.app;
    const row = await this.db
      .selectFrom('meta_apps')
      .selectAll()
      .where('app_id', '=', appId)
      .executeTakeFirst();
    const app = row
      ? {
          appId: row.app_id,
          tenantId: row.tenant_id,
          appSecret: this.box.open(row.app_secret_enc),
          verifyToken: this.box.open(row.verify_token_enc),
        }
      : null;
    this.appCache.set(appId, { app, expiresAt: now + TenantDirectory.appCacheTtlMs });
    return app;
  }

  async upsertWaba(tenantId: string, input: { wabaId: string; appId?: string | null; name?: string | null }) {
    const existing = await this.db
      .selectFrom('wabas')
      .selectAll()
      .where('waba_id', '=', input.wabaId)
      .executeTakeFirst();
    if (existing && existing.tenant_id !== tenantId) {
      throw connectedElsewhere(`WABA ${input.wabaId}`, existing.tenant_id);
    }
    if (existing) {
      await this.db
        .updateTable('wabas')
        .set({ app_id: input.appId ?? existing.app_id, name: input.name ?? existing.name })
        .where('id', '=', existing.id)
        .execute();
    } else {
      await this.db
        .insertInto('wabas')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          waba_id: input.wabaId,
          app_id: input.appId ?? null,
          name: input.name ?? null,
          created_at: this.now(),
        })
        .execute();
    }
    return (await this.listWabas(tenantId)).find((waba) => waba.wabaId === input.wabaId)!;
  }

  async listWabas(tenantId: string) {
    const rows = await this.db
      .selectFrom('wabas')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      wabaId: row.waba_id,
      appId: row.app_id,
      name: row.name,
      createdAt: iso(row.created_at),
    }));
  }

  private checkGraphApiUrl(value: string): void {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new AppError('validation_failed', `graphApiUrl: "${value}" is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new AppError('validation_failed', 'graphApiUrl: use https://');
    const refusal = refusalOfUrl(url, this.graphTargetPolicy);
    if (refusal) throw new AppError('validation_failed', `graphApiUrl: ${refusal.message}`);
  }

  async upsertPhoneNumber(
    tenantId: string,
    input: {
      wabaId: string;
      phoneNumberId: string;
      displayPhoneNumber?: string | null;
      verifiedName?: string | null;
      throughputMps?: number;
      graphApiUrl?: string | null;
      graphApiVersion?: string | null;
      /** Meta's messaging limit tier (TIER_250 … TIER_UNLIMITED), usually synced from the Graph API. */
      messagingTier?: string | null;
      qualityRating?: string | null;
    },
  ): Promise<PhoneNumberView> {
    const waba = await this.db
      .selectFrom('wabas')
      .select('tenant_id')
      .where('waba_id', '=', input.wabaId)
      .executeTakeFirst();
    if (!waba || waba.tenant_id !== tenantId) throw notFound(`WABA ${input.wabaId}`);
    if (input.graphApiUrl) this.checkGraphApiUrl(input.graphApiUrl);
    const existing = await this.db
      .selectFrom('phone_numbers')
      .selectAll()
      .where('phone_number_id', '=', input.phoneNumberId)
      .executeTakeFirst();
    if (existing && existing.tenant_id !== tenantId) {
      throw connectedElsewhere(`phone number ${input.phoneNumberId}`, existing.tenant_id);
    }
    const now = this.now();
    const values = {
      waba_id: input.wabaId,
      display_phone_number: input.displayPhoneNumber ?? existing?.display_phone_number ?? null,
      verified_name: input.verifiedName ?? existing?.verified_name ?? null,
      throughput_mps: input.throughputMps ?? existing?.throughput_mps ?? 80,
      graph_api_url: input.graphApiUrl ?? existing?.graph_api_url ?? null,
      graph_api_version: input.graphApiVersion ?? existing?.graph_api_version ?? null,
      messaging_tier: input.messagingTier ?? existing?.messaging_tier ?? null,
      quality_rating: input.qualityRating ?? existing?.quality_rating ?? null,
      updated_at: now,
    };
    if (existing) {
      await this.db.updateTable('phone_numbers').set(values).where('id', '=', existing.id).execute();
    } else {
      await this.db
        .insertInto('phone_numbers')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          phone_number_id: input.phoneNumberId,
          is_healthy: 1,
          health_problem: null,
          created_at: now,
          ...values,
        })
        .execute();
    }
    return (await this.listPhoneNumbers(tenantId)).find(
      (number) => number.phoneNumberId === input.phoneNumberId,
    )!;
  }

  async listPhoneNumbers(tenantId: string): Promise<PhoneNumberView[]> {
    const rows = await this.db
      .selectFrom('phone_numbers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      wabaId: row.waba_id,
      phoneNumberId: row.phone_number_id,
      displayPhoneNumber: row.display_phone_number,
      verifiedName: row.verified_name,
      qualityRating: row.quality_rating,
      messagingTier: row.messaging_tier,
      throughputMps: row.throughput_mps,
      graphApiUrl: row.graph_api_url,
      graphApiVersion: row.graph_api_version,
      isHealthy: row.is_healthy === 1,
      healthProblem: row.health_problem,
    }));
  }

  async addAccessToken(
    tenantId: string,
    input: { token: string; kind: AccessTokenKind; wabaId?: string | null; expiresAt?: Date | null },
  ): Promise<AccessTokenView> {
    await this.getTenant(tenantId);
    if (input.wabaId) {
      // A token scoped to another tenant's WABA is answered as one for a missing WABA: the id reveals nothing.
      const waba = await this.db
        .selectFrom('wabas')
        .select('tenant_id')
        .where('waba_id', '=', input.wabaId)
        .executeTakeFirst();
      if (!waba || waba.tenant_id !== tenantId) throw notFound(`WABA ${input.wabaId}`);
    }
    const id = randomUUID();
    await this.db
      .insertInto('access_tokens')
      .values({
        id,
        tenant_id: tenantId,
        waba_id: input.wabaId ?? null,
        kind: input.kind,
        token_enc: this.box.seal(input.token),
        expires_at: input.expiresAt ? input.expiresAt.getTime() : null,
        created_at: this.now(),
      })
      .execute();
    // A new token clears a token problem: the dispatcher then releases the messages it held.
    let healed = this.db
      .updateTable('phone_numbers')
      .set({ is_healthy: 1, health_problem: null, updated_at: this.now() })
      .where('tenant_id', '=', tenantId)
      .where('health_problem', 'like', 'token invalid%');
    if (input.wabaId) healed = healed.where('waba_id', '=', input.wabaId);
    await healed.execute();
    return (await this.listAccessTokens(tenantId)).find((token) => token.id === id)!;
  }

  async listAccessTokens(tenantId: string): Promise<AccessTokenView[]> {
    const rows = await this.db
      .selectFrom('access_tokens')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      wabaId: row.waba_id,
      kind: row.kind as AccessTokenKind,
      hint: `…${this.box.open(row.token_enc).slice(-4)}`,
      expiresAt: row.expires_at === null ? null : iso(row.expires_at),
      createdAt: iso(row.created_at),
    }));
  }

  /** The newest unexpired token for a WABA (or the tenant's newest general one), decrypted. */
  async accessTokenFor(tenantId: string, wabaId: string | null): Promise<string | null> {
    const rows = await this.db
      .selectFrom('access_tokens')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .execute();
    const now = this.now();
    const usable = rows.filter((row) => row.expires_at === null || row.expires_at > now);
    const match = usable.find((row) => row.waba_id === wabaId) ?? usable.find((row) => row.waba_id === null);
    return match ? this.box.open(match.token_enc) : null;
  }

  /**
   * The tenant that owns a phone number id or, failing that, a WABA id. Pass the transaction when
   * calling inside one (SQLite has a single connection).
   */
  async routeTo(
    phoneNumberId: string | null,
    wabaId: string | null,
    db: Kysely<Database> = this.db,
  ): Promise<string | null> {
    return (await this.ownerOf(phoneNumberId, wabaId, db))?.tenantId ?? null;
  }

  /**
   * Who owns a phone number id or, failing that, a WABA id, and which app the WABA was connected through
   * (the number's WABA for a number). Pass the transaction when calling inside one.
   */
  async ownerOf(
    phoneNumberId: string | null,
    wabaId: string | null,
    db: Kysely<Database> = this.db,
  ): Promise<AssetOwner | null> {
    if (phoneNumberId) {
      const row = await db
        .selectFrom('phone_numbers')
        .leftJoin('wabas', 'wabas.waba_id', 'phone_numbers.waba_id')
        .select(['phone_numbers.tenant_id', 'phone_numbers.waba_id', 'wabas.app_id'])
        .where('phone_numbers.phone_number_id', '=', phoneNumberId)
        .executeTakeFirst();
      if (row) return { tenantId: row.tenant_id, wabaId: row.waba_id, connectedAppId: row.app_id ?? null };
    }
    if (wabaId) {
      const row = await db
        .selectFrom('wabas')
        .select(['tenant_id', 'waba_id', 'app_id'])
        .where('waba_id', '=', wabaId)
        .executeTakeFirst();
      if (row) return { tenantId: row.tenant_id, wabaId: row.waba_id, connectedAppId: row.app_id };
    }
    return null;
  }

  /** The tenant that registered a Meta app, or null when none did. Pass the transaction inside one. */
  async tenantOfApp(appId: string, db: Kysely<Database> = this.db): Promise<string | null> {
    const row = await db
      .selectFrom('meta_apps')
      .select('tenant_id')
      .where('app_id', '=', appId)
      .executeTakeFirst();
    return row?.tenant_id ?? null;
  }
}

/**
 * A Meta id that another tenant holds. A tenant's answer names neither that tenant nor the fact that one
 * holds it (ids could be probed one by one); the operator (ADMIN_TOKEN) reads which tenant.
 */
function connectedElsewhere(what: string, ownerTenantId: string): AppError {
  return new AppError(
    'conflict',
    'this id could not be connected to your account: check it, or ask an operator',
    undefined,
    { operatorMessage: `${what} is already connected to tenant ${ownerTenantId}` },
  );
}
