import type { Kysely, Selectable, Transaction } from 'kysely';
import { notFound } from '../http/app-error.ts';
import type { DialectFlags } from '../store/dialect-flags.ts';
import type { Database } from '../store/schema.ts';
import { parseAccountState } from './account-state.ts';
import {
  assessNumberHealth,
  type HealthCheck,
  type HealthInputs,
  type HealthStatus,
  overallStatus,
} from './assess-number-health.ts';
import './health-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface NumberHealthView {
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string | null;
  status: HealthStatus;
  checks: HealthCheck[];
  updatedAt: string;
}

export interface HealthEventView {
  id: number;
  tenantId: string;
  phoneNumberId: string;
  check: string;
  previousStatus: string | null;
  status: string;
  summary: string;
  createdAt: string;
}

export interface NumberHealthOptions {
  db: Kysely<Database>;
  flags: DialectFlags;
  now: () => number;
  /** The Graph version a number uses when it sets none (GRAPH_API_VERSION). */
  defaultGraphApiVersion: string;
  /** The app whose webhooks a WABA without an app id receives (the quick-start or sandbox app). */
  defaultAppId: string | null;
  /** Tells the tenant's own systems about a change (a signed webhook), in the transaction that recorded it. */
  announce?: (db: Db, event: HealthEventView) => Promise<void>;
}

const iso = (ms: number) => new Date(ms).toISOString();

const emptyHealthRow = (phoneNumberId: string, tenantId: string, now: number): Database['number_health'] => ({
  phone_number_id: phoneNumberId,
  tenant_id: tenantId,
  status: 'unknown',
  checks: '[]',
  token_is_valid: null,
  token_missing_permissions: '[]',
  token_error: null,
  token_checked_at: null,
  graph_status: null,
  graph_quality_rating: null,
  graph_messaging_tier: null,
  graph_throughput_level: null,
  graph_checked_at: null,
  last_quality_update: null,
  last_quality_update_at: null,
  last_account_update: null,
  last_account_update_at: null,
  account_state: null,
  last_webhook_at: null,
  updated_at: now,
});

/**
 * Each number's health: gathers what is known (the number, its token and its last check with Meta,
 * webhooks, Meta's quality and account updates, the Graph version), assesses it, stores the result, and
 * records an event for every check that changed.
 */
export class NumberHealth {
  private readonly options: NumberHealthOptions;

  constructor(options: NumberHealthOptions) {
    this.options = options;
  }

  /** Makes sure a number has a health row, so that partial updates (a token check, a webhook) can land. */
  async ensureRow(db: Db, phoneNumberId: string, tenantId: string): Promise<void> {
    await db
      .insertInto('number_health')
      .values(emptyHealthRow(phoneNumberId, tenantId, this.options.now()))
      .onConflict((oc) => oc.column('phone_number_id').doNothing())
      .execute();
  }

  /**
   * Records what onboarding learned from Meta (a token found valid with every permission, the number's
   * status), so that a new number's health does not start as "not checked".
   */
  async recordConnection(
    phoneNumberId: string,
    tenantId: string,
    observed: { tokenCheckedAt: number | null; graphStatus: string | null },
  ): Promise<void> {
    const { db } = this.options;
    await this.ensureRow(db, phoneNumberId, tenantId);
    await db
      .updateTable('number_health')
      .set({
        ...(observed.tokenCheckedAt === null
          ? {}
          : {
              token_is_valid: 1,
              token_missing_permissions: '[]',
              token_error: null,
              token_checked_at: observed.tokenCheckedAt,
            }),
        ...(observed.graphStatus === null
          ? {}
          : { graph_status: observed.graphStatus, graph_checked_at: this.options.now() }),
      })
      .where('phone_number_id', '=', phoneNumberId)
      .execute();
  }

  /** Reassesses one number, in the caller's transaction when given one; null when the number is gone. */
  async refresh(db: Db, phoneNumberId: string): Promise<NumberHealthView | null> {
    if (db.isTransaction) return this.refreshIn(db as Transaction<Database>, phoneNumberId);
    return (db as Kysely<Database>).transaction().execute((trx) => this.refreshIn(trx, phoneNumberId));
  }

  /** Reassesses every number of a tenant (or of every tenant), page by page. */
  async refreshAll(tenantId?: string): Promise<number> {
    let afterId = '';
    let count = 0;
    for (;;) {
      let query = this.options.db
        .selectFrom('phone_numbers')
        .select('phone_number_id')
        .where('phone_number_id', '>', afterId)
        .orderBy('phone_number_id')
        .limit(200);
      if (tenantId !== undefined) query = query.where('tenant_id', '=', tenantId);
      const rows = await query.execute();
      for (const row of rows) {
        await this.refresh(this.options.db, row.phone_number_id);
        count += 1;
      }
      if (rows.length < 200) return count;
      afterId = rows[rows.length - 1]!.phone_number_id;
    }
  }

  async list(tenantId: string): Promise<NumberHealthView[]> {
    const numbers = await this.options.db
      .selectFrom('phone_numbers')
      .select('phone_number_id')
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .execute();
    const views: NumberHealthView[] = [];
    for (const number of numbers) {
      const view = await this.refresh(this.options.db, number.phone_number_id);
      if (view) views.push(view);
    }
    return views;
  }

  async show(tenantId: string, phoneNumberId: string): Promise<NumberHealthView> {
    const owned = await this.options.db
      .selectFrom('phone_numbers')
      .select('phone_number_id')
      .where('tenant_id', '=', tenantId)
      .where('phone_number_id', '=', phoneNumberId)
      .executeTakeFirst();
    if (!owned) throw notFound(`phone number ${phoneNumberId}`);
    const view = await this.refresh(this.options.db, phoneNumberId);
    if (!view) throw notFound(`phone number ${phoneNumberId}`);
    return view;
  }

  async events(
    tenantId: string,
    filter: { phoneNumberId?: string; afterId?: number; limit?: number } = {},
  ): Promise<HealthEventView[]> {
    let query = this.options.db
      .selectFrom('health_events')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('id', 'desc')
      .limit(Math.min(filter.limit ?? 100, 500));
    if (filter.phoneNumberId !== undefined) query = query.where('phone_number_id', '=', filter.phoneNumberId);
    if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
    return (await query.execute()).map(toEventView);
  }

  private async refreshIn(
    trx: Transaction<Database>,
    phoneNumberId: string,
  ): Promise<NumberHealthView | null> {
    const { now: clock, flags } = this.options;
    const number = await trx
      .selectFrom('phone_numbers')
      .leftJoin('wabas', 'wabas.waba_id', 'phone_numbers.waba_id')
      .select([
        'phone_numbers.tenant_id',
        'phone_numbers.waba_id',
        'phone_numbers.phone_number_id',
        'phone_numbers.display_phone_number',
        'phone_numbers.is_healthy',
        'phone_numbers.health_problem',
        'phone_numbers.quality_rating',
        'phone_numbers.messaging_tier',
        'phone_numbers.throughput_mps',
        'phone_numbers.graph_api_version',
        'wabas.app_id',
      ])
      .where('phone_numbers.phone_number_id', '=', phoneNumberId)
      .executeTakeFirst();
    if (!number) return null;
    await this.ensureRow(trx, phoneNumberId, number.tenant_id);
    let healthQuery = trx
      .selectFrom('number_health')
      .selectAll()
      .where('phone_number_id', '=', phoneNumberId);
    // One assessment at a time per number, so that a change is recorded once.
    if (flags.supportsSkipLocked) healthQuery = healthQuery.forUpdate();
    const health = await healthQuery.executeTakeFirstOrThrow();
    const now = clock();

    const tokens = await trx
      .selectFrom('access_tokens')
      .select(['waba_id', 'kind', 'expires_at'])
      .where('tenant_id', '=', number.tenant_id)
      .where((eb) => eb.or([eb('waba_id', '=', number.waba_id), eb('waba_id', 'is', null)]))
      .orderBy('created_at', 'desc')
      .execute();
    // The token the dispatcher would use (the newest unexpired, the WABA's before a general one), or
    // failing that the newest of all, so that an expired one is reported as expired.
    const usable = tokens.filter((row) => row.expires_at === null || row.expires_at > now);
    const token =
      usable.find((row) => row.waba_id === number.waba_id) ??
      usable.find((row) => row.waba_id === null) ??
      tokens.find((row) => row.waba_id === number.waba_id) ??
      tokens[0] ??
      null;
    // An app's own counters speak for a number only when the app is this tenant's: the platform's app
    // (the quick start's, the sandbox's, the tech provider's) carries every tenant's traffic, so its last
    // delivery may be another company's, from before this one existed.
    const appId = number.app_id ?? this.options.defaultAppId;
    const isTenantApp =
      appId !== null &&
      (await trx
        .selectFrom('meta_apps')
        .select('id')
        .where('app_id', '=', appId)
        .where('tenant_id', '=', number.tenant_id)
        .executeTakeFirst()) !== undefined;
    const appStats =
      appId !== null && isTenantApp
        ? await trx.selectFrom('webhook_app_stats').selectAll().where('app_id', '=', appId).executeTakeFirst()
        : undefined;

    const inputs: HealthInputs = {
      number: {
        isHealthy: number.is_healthy === 1,
        healthProblem: number.health_problem,
        qualityRating: number.quality_rating,
        messagingTier: number.messaging_tier,
        throughputMps: number.throughput_mps,
        graphApiVersion: number.graph_api_version ?? this.options.defaultGraphApiVersion,
      },
      token: token ? { kind: token.kind, expiresAt: token.expires_at } : null,
      tokenCheck: {
        isValid: health.token_is_valid === null ? null : health.token_is_valid === 1,
        missingPermissions: JSON.parse(health.token_missing_permissions) as string[],
        error: health.token_error,
        checkedAt: health.token_checked_at,
      },
      graphStatus: health.graph_status,
      webhooks: {
        lastWebhookAt: health.last_webhook_at,
        appLastReceivedAt: appStats?.last_received_at ?? null,
        signatureFailures: appStats?.signature_failures ?? 0,
        lastSignatureFailureAt: appStats?.last_signature_failure_at ?? null,
      },
      lastQualityUpdate:
        health.last_quality_update === null || health.last_quality_update_at === null
          ? null
          : {
              ...(JSON.parse(health.last_quality_update) as {
                event: string | null;
                currentLimit: string | null;
                oldLimit: string | null;
              }),
              at: health.last_quality_update_at,
            },
      account: parseAccountState(health.account_state),
    };
    const checks = assessNumberHealth(inputs, now);
    const status = overallStatus(checks);
    const previous = new Map(
      (JSON.parse(health.checks) as HealthCheck[]).map((check) => [check.name, check]),
    );
    const isFirstAssessment = previous.size === 0;
    const changed = checks.filter((check) => {
      const before = previous.get(check.name);
      // A new number reports only what is wrong, not eight "ok"s.
      if (!before)
        return isFirstAssessment ? check.status === 'warning' || check.status === 'critical' : true;
      return before.key !== check.key;
    });
    await trx
      .updateTable('number_health')
      .set({ status, checks: JSON.stringify(checks), tenant_id: number.tenant_id, updated_at: now })
      .where('phone_number_id', '=', phoneNumberId)
      .execute();
    for (const check of changed) {
      const inserted = await trx
        .insertInto('health_events')
        .values({
          tenant_id: number.tenant_id,
          phone_number_id: phoneNumberId,
          check_name: check.name,
          previous_status: previous.get(check.name)?.status ?? null,
          status: check.status,
          summary: check.summary,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.options.announce?.(trx, {
        id: Number(inserted.id),
        tenantId: number.tenant_id,
        phoneNumberId,
        check: check.name,
        previousStatus: previous.get(check.name)?.status ?? null,
        status: check.status,
        summary: check.summary,
        createdAt: iso(now),
      });
    }
    return {
      phoneNumberId,
      wabaId: number.waba_id,
      displayPhoneNumber: number.display_phone_number,
      status,
      checks,
      updatedAt: iso(now),
    };
  }
}

function toEventView(row: Selectable<Database['health_events']>): HealthEventView {
  return {
    id: Number(row.id),
    tenantId: row.tenant_id,
    phoneNumberId: row.phone_number_id,
    check: row.check_name,
    previousStatus: row.previous_status,
    status: row.status,
    summary: row.summary,
    createdAt: iso(row.created_at),
  };
}
