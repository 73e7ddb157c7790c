import { randomInt, randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Logger } from 'pino';
import { describeTokenError, findMissingPermissions } from '../health/index.ts';
import { AppError, notFound } from '../http/app-error.ts';
import type { Database } from '../store/schema.ts';
import type { AccessTokenKind, SecretBox, TenantDirectory } from '../tenants/index.ts';
import type { BusinessPhoneNumber, GraphAccess, GraphApp, GraphClient } from '../whatsapp/graph/index.ts';
import { describeFailure, type OnboardingFailure, OnboardingStepError } from './onboarding-failure.ts';
import {
  type OnboardingMethod,
  type OnboardingStep,
  type StepRecord,
  type StepState,
  stepsFor,
} from './onboarding-steps.ts';
import './onboarding-schema.ts';

type OnboardingRow = Selectable<Database['onboardings']>;

/** The app credentials Coxcox calls Meta with: its own Meta app (the tech provider app). */
export interface AppCredentials {
  appId: string;
  appSecret: string;
}

export interface OnboardingView {
  id: string;
  tenantId: string;
  method: OnboardingMethod;
  /** running, completed or failed. */
  state: string;
  wabaId: string | null;
  phoneNumberId: string | null;
  steps: Array<{
    name: OnboardingStep;
    state: StepState;
    at: string | null;
    detail: Record<string, unknown> | null;
  }>;
  failure: OnboardingFailure | null;
  createdAt: string;
  completedAt: string | null;
}

export interface OnboardingsOptions {
  db: Kysely<Database>;
  box: SecretBox;
  directory: TenantDirectory;
  graph: GraphClient;
  logger: Logger;
  now: () => number;
  graphApiUrl: string;
  graphApiVersion: string;
  /** Coxcox's own Meta app: Embedded Signup's code is exchanged, and tokens debugged, as this app. */
  signupApp: () => Promise<AppCredentials | null>;
  /** A Meta app the tenant connected (POST /apps), by id, with its secret. */
  tenantApp: (tenantId: string, appId: string) => Promise<AppCredentials | null>;
  /** Mirrors the WABA's templates; answers how many. Without it, the templates are listed and counted only. */
  syncTemplates?: (tenantId: string, wabaId: string) => Promise<number>;
  /** Called once a number is saved (and again when the onboarding completes): health reassesses it. */
  onConnected?: (tenantId: string, phoneNumberId: string, observed: ConnectionObserved) => Promise<void>;
}

/** What the steps learned from Meta, for the number's health: the token checked, and the number's status. */
export interface ConnectionObserved {
  /** When debug_token found the token valid with every permission (the check-token step); null if not yet. */
  tokenCheckedAt: number | null;
  /** Meta's status of the number (CONNECTED once registered). */
  graphStatus: string | null;
}

export interface SignupInput {
  code?: string | undefined;
  /** From the WA_EMBEDDED_SIGNUP session info, when the page received it. */
  wabaId?: string | undefined;
  phoneNumberId?: string | undefined;
}

export interface ManualConnectionInput {
  wabaId: string;
  phoneNumberId: string;
  accessToken: string;
  /** The Meta app the token belongs to (connected with POST /apps); Coxcox's own app by default. */
  appId?: string | undefined;
  /** The number's two-step verification PIN, needed only if it is not registered for the Cloud API yet. */
  pin?: string | undefined;
}

const LOCK_MS = 2 * 60_000; // 2 min: a run makes at most a dozen Graph calls of 30 s at most each
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
/** Messages a second by Meta's throughput level (Meta, "Throughput"). */
const messagesPerSecond = (level: string | null) => (level?.toUpperCase() === 'HIGH' ? 1000 : 80);
/** `debug_token`'s type to our token kinds. */
const tokenKindOf = (type: string | null): AccessTokenKind =>
  type === 'USER' ? 'user' : type === 'SYSTEM_USER' ? 'system_user' : 'business_integration_system_user';

interface Discovered {
  wabaName: string | null;
  number: BusinessPhoneNumber;
}

/**
 * Connecting a tenant's WhatsApp number, by Embedded Signup (a code) or by hand (a pasted token). Each
 * attempt is a record with the state of every step; running it again skips the steps done and resumes at
 * the one that failed, whose failure names the step and Meta's answer in words a customer can act on.
 */
export class Onboardings {
  private readonly options: OnboardingsOptions;

  constructor(options: OnboardingsOptions) {
    this.options = options;
  }

  async list(tenantId: string): Promise<OnboardingView[]> {
    const rows = await this.options.db
      .selectFrom('onboardings')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((row) => this.view(row));
  }

  async get(tenantId: string, onboardingId: string): Promise<OnboardingView> {
    return this.view(await this.row(tenantId, onboardingId));
  }

  async latestForLink(linkId: string): Promise<OnboardingView | null> {
    const row = await this.latestRowForLink(linkId);
    return row ? this.view(row) : null;
  }

  /**
   * The first attempt of this link that completed, if any: a link is single-use from then on, unless
   * the operator created it to add numbers.
   */
  async completedForLink(
    linkId: string,
  ): Promise<{ phoneNumberId: string | null; completedAt: number } | null> {
    const row = await this.options.db
      .selectFrom('onboardings')
      .select(['phone_number_id', 'completed_at'])
      .where('setup_link_id', '=', linkId)
      .where('state', '=', 'completed')
      .orderBy('completed_at')
      .limit(1)
      .executeTakeFirst();
    return row ? { phoneNumberId: row.phone_number_id, completedAt: row.completed_at ?? 0 } : null;
  }

  /**
   * The signup page's call, with the code Meta gave it. An unfinished attempt of this link is resumed
   * (a new code replaces one that was never exchanged); a finished one is answered as it is when no new
   * code came (a rerun changes nothing); otherwise a new attempt starts, but only on a link that may add
   * numbers: a second run of a used link attached another number (issue 10).
   */
  async completeSignup(
    tenantId: string,
    link: { linkId: string; canAddNumbers: boolean },
    input: SignupInput,
  ): Promise<OnboardingView> {
    const { linkId } = link;
    const latest = await this.latestRowForLink(linkId);
    if (latest && latest.state !== 'completed') {
      await this.updateRequest(latest, input);
      return this.run(latest.id);
    }
    if (latest && input.code === undefined) return this.view(latest);
    if (!link.canAddNumbers && (await this.completedForLink(linkId))) throw usedSetupLink();
    if (input.code === undefined) {
      throw new AppError(
        'validation_failed',
        'code is required: run the signup on the setup page to get one',
      );
    }
    const id = await this.create(tenantId, 'embedded_signup', {
      setup_link_id: linkId,
      code_enc: this.options.box.seal(input.code),
      waba_id: input.wabaId ?? null,
      phone_number_id: input.phoneNumberId ?? null,
    });
    return this.run(id);
  }

  /**
   * A manual connection: the token is checked with Meta (valid, the three permissions, access to the
   * WABA) and the number looked up before anything is saved. A refusal there is a validation error that
   * names what is missing; later steps fail like a signup's, and can be resumed.
   */
  async connectManually(tenantId: string, input: ManualConnectionInput): Promise<OnboardingView> {
    await this.options.directory.getTenant(tenantId);
    if (input.appId !== undefined && !(await this.options.tenantApp(tenantId, input.appId))) {
      throw notFound(`Meta app ${input.appId}`);
    }
    const id = await this.create(tenantId, 'manual', {
      token_enc: this.options.box.seal(input.accessToken),
      waba_id: input.wabaId,
      phone_number_id: input.phoneNumberId,
      app_id: input.appId ?? null,
      pin_enc: input.pin === undefined ? null : this.options.box.seal(input.pin),
    });
    const view = await this.run(id);
    const failure = view.failure;
    if (failure && (failure.step === 'check-token' || failure.step === 'discover-assets')) {
      throw new AppError('validation_failed', failure.message, {
        onboardingId: id,
        step: failure.step,
        reason: failure.reason,
        ...(failure.missingPermissions ? { missingPermissions: failure.missingPermissions } : {}),
        meta: failure.meta,
      });
    }
    return view;
  }

  /** Runs an attempt again from the step that failed (with a new code or PIN when the step needs one). */
  async resume(
    tenantId: string,
    onboardingId: string,
    input: { code?: string | undefined; pin?: string | undefined } = {},
  ): Promise<OnboardingView> {
    const row = await this.row(tenantId, onboardingId);
    if (row.state === 'completed') return this.view(row);
    await this.updateRequest(row, input);
    return this.run(row.id);
  }

  private async row(tenantId: string, onboardingId: string): Promise<OnboardingRow> {
    const row = await this.options.db
      .selectFrom('onboardings')
      .selectAll()
      .where('id', '=', onboardingId)
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (!row) throw notFound(`onboarding ${onboardingId}`);
    return row;
  }

  private async latestRowForLink(linkId: string): Promise<OnboardingRow | undefined> {
    return this.options.db
      .selectFrom('onboardings')
      .selectAll()
      .where('setup_link_id', '=', linkId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  private async create(
    tenantId: string,
    method: OnboardingMethod,
    values: Partial<Database['onboardings']>,
  ): Promise<string> {
    const now = this.options.now();
    const id = `onb_${randomUUID()}`;
    await this.options.db
      .insertInto('onboardings')
      .values({
        id,
        tenant_id: tenantId,
        setup_link_id: null,
        method,
        state: 'running',
        app_id: null,
        waba_id: null,
        phone_number_id: null,
        code_enc: null,
        token_enc: null,
        token_kind: null,
        token_expires_at: null,
        pin_enc: null,
        steps: '{}',
        failure: null,
        locked_until: null,
        created_at: now,
        updated_at: now,
        completed_at: null,
        ...values,
      })
      .execute();
    return id;
  }

  /** A resumed attempt takes a fresh code (only while the exchange is not done), a PIN, or the session's ids. */
  private async updateRequest(
    row: OnboardingRow,
    input: SignupInput & { pin?: string | undefined },
  ): Promise<void> {
    const steps = JSON.parse(row.steps) as Partial<Record<OnboardingStep, StepRecord>>;
    const changes: Partial<Database['onboardings']> = {};
    if (input.code !== undefined && steps['exchange-code']?.state !== 'done')
      changes.code_enc = this.options.box.seal(input.code);
    if (input.pin !== undefined) changes.pin_enc = this.options.box.seal(input.pin);
    if (steps['discover-assets']?.state !== 'done') {
      if (input.wabaId !== undefined) changes.waba_id = input.wabaId;
      if (input.phoneNumberId !== undefined) changes.phone_number_id = input.phoneNumberId;
    }
    if (Object.keys(changes).length === 0) return;
    await this.options.db
      .updateTable('onboardings')
      .set({ ...changes, updated_at: this.options.now() })
      .where('id', '=', row.id)
      .execute();
  }

  /** Runs every step not yet done, in order, under a short lock (two clicks must not spend one code twice). */
  private async run(onboardingId: string): Promise<OnboardingView> {
    const { db, now } = this.options;
    const claimed = await db
      .updateTable('onboardings')
      .set({ locked_until: now() + LOCK_MS, state: 'running', updated_at: now() })
      .where('id', '=', onboardingId)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now())]))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) {
      throw new AppError('conflict', 'this setup is already running: wait a few seconds and look again');
    }
    let row = await db
      .selectFrom('onboardings')
      .selectAll()
      .where('id', '=', onboardingId)
      .executeTakeFirstOrThrow();
    const steps = JSON.parse(row.steps) as Partial<Record<OnboardingStep, StepRecord>>;
    let failure: OnboardingFailure | null = null;
    try {
      for (const step of stepsFor(row.method as OnboardingMethod)) {
        const done = steps[step];
        if (done && (done.state === 'done' || done.state === 'skipped')) continue;
        try {
          const outcome = await this.runStep(step, row, steps);
          steps[step] = {
            state: outcome.state,
            at: now(),
            ...(outcome.detail ? { detail: outcome.detail } : {}),
          };
          await db
            .updateTable('onboardings')
            .set({ ...outcome.changes, steps: JSON.stringify(steps), failure: null, updated_at: now() })
            .where('id', '=', row.id)
            .execute();
          row = { ...row, ...outcome.changes, steps: JSON.stringify(steps) };
        } catch (error) {
          failure = describeFailure(step, error);
          this.options.logger.warn(
            {
              onboardingId,
              tenantId: row.tenant_id,
              step,
              reason: failure.reason,
              metaCode: failure.meta?.code,
            },
            'an onboarding step failed',
          );
          steps[step] = { state: 'failed', at: now() };
          // A code Meta refused cannot be used again: the customer runs the signup once more.
          const dropCode =
            step === 'exchange-code' && ['code_expired', 'code_used', 'code_invalid'].includes(failure.reason)
              ? { code_enc: null }
              : {};
          await db
            .updateTable('onboardings')
            .set({
              ...dropCode,
              steps: JSON.stringify(steps),
              failure: JSON.stringify(failure),
              state: 'failed',
              updated_at: now(),
            })
            .where('id', '=', row.id)
            .execute();
          break;
        }
      }
      if (!failure) {
        await db
          .updateTable('onboardings')
          .set({ state: 'completed', completed_at: now(), failure: null, updated_at: now() })
          .where('id', '=', row.id)
          .execute();
        if (row.phone_number_id) {
          await this.options.onConnected?.(row.tenant_id, row.phone_number_id, {
            tokenCheckedAt: steps['check-token']?.at ?? null,
            // Registered now, or found registered.
            graphStatus: 'CONNECTED',
          });
        }
      }
    } finally {
      await db
        .updateTable('onboardings')
        .set({ locked_until: null })
        .where('id', '=', onboardingId)
        .execute();
    }
    return this.view(
      await db.selectFrom('onboardings').selectAll().where('id', '=', onboardingId).executeTakeFirstOrThrow(),
    );
  }

  private async runStep(
    step: OnboardingStep,
    row: OnboardingRow,
    steps: Partial<Record<OnboardingStep, StepRecord>>,
  ): Promise<{
    state: 'done' | 'skipped';
    detail?: Record<string, unknown>;
    changes?: Partial<Database['onboardings']>;
  }> {
    switch (step) {
      case 'exchange-code':
        return this.exchangeCode(row);
      case 'check-token':
        return this.checkToken(row);
      case 'discover-assets':
        return this.discoverAssets(row);
      case 'save-connection':
        return this.saveConnection(row, discoveredOf(steps));
      case 'subscribe-app':
        return this.subscribeApp(row);
      case 'register-number':
        return this.registerNumber(row, discoveredOf(steps));
      case 'sync-templates':
        return this.syncTemplates(row);
    }
  }

  private async exchangeCode(row: OnboardingRow) {
    if (row.code_enc === null) {
      throw new OnboardingStepError(
        'code_missing',
        'there is no signup code to exchange. Open the setup link and run the signup again.',
      );
    }
    const app = await this.appOf(row);
    const exchanged = await this.options.graph.exchangeCode(
      this.graphApp(app),
      this.options.box.open(row.code_enc),
    );
    return {
      state: 'done' as const,
      detail: { tokenType: exchanged.tokenType, expiresInSeconds: exchanged.expiresInSeconds },
      changes: {
        code_enc: null,
        app_id: app.appId,
        token_enc: this.options.box.seal(exchanged.accessToken),
        token_expires_at:
          exchanged.expiresInSeconds === null ? null : this.options.now() + exchanged.expiresInSeconds * 1000,
      },
    };
  }

  private async checkToken(row: OnboardingRow) {
    const app = await this.appOf(row);
    const info = await this.options.graph.debugToken(this.graphApp(app), this.tokenOf(row));
    if (!info.isValid) {
      throw new OnboardingStepError(
        'token_invalid',
        `Meta says the access token is not valid: ${describeTokenError(info)}. Use a new token (or run the signup again).`,
      );
    }
    const missing = findMissingPermissions(info, row.waba_id);
    if (missing.length > 0) {
      throw new OnboardingStepError(
        'permission_missing',
        `the access token lacks the permission${missing.length > 1 ? 's' : ''} ${missing.join(', ')}${row.waba_id ? ` for WhatsApp Business Account ${row.waba_id}` : ''}. Grant ${missing.length > 1 ? 'them' : 'it'} (in the signup, keep every permission ticked; for a system user token, assign the account and tick ${missing.join(', ')}), then try again.`,
        { missingPermissions: missing },
      );
    }
    const sharedWabas =
      info.granularScopes.find((scope) => scope.scope === 'whatsapp_business_management')?.targetIds ?? null;
    return {
      state: 'done' as const,
      detail: {
        type: info.type,
        expiresAt: iso(info.expiresAt),
        scopes: info.scopes,
        sharedWabaIds: sharedWabas,
      },
      changes: {
        app_id: app.appId,
        token_kind: tokenKindOf(info.type),
        token_expires_at: info.expiresAt ?? row.token_expires_at,
      },
    };
  }

  private async discoverAssets(row: OnboardingRow) {
    const access = this.accessOf(row);
    let wabaId = row.waba_id;
    const steps = JSON.parse(row.steps) as Partial<Record<OnboardingStep, StepRecord>>;
    const shared = (steps['check-token']?.detail?.sharedWabaIds as string[] | null | undefined) ?? null;
    if (wabaId === null) {
      // No session info: the token's grant names the WABAs the customer shared (Meta's discovery path).
      if (shared === null || shared.length === 0) {
        throw new OnboardingStepError(
          'no_waba_shared',
          'no WhatsApp Business Account was shared with Coxcox. Run the signup again and pick (or create) an account.',
        );
      }
      if (shared.length > 1) {
        throw new OnboardingStepError(
          'waba_ambiguous',
          `several WhatsApp Business Accounts were shared (${shared.join(', ')}): say which one (wabaId).`,
        );
      }
      wabaId = shared[0]!;
    } else if (shared !== null && !shared.includes(wabaId)) {
      throw new OnboardingStepError(
        'waba_not_shared',
        `the access token was not granted WhatsApp Business Account ${wabaId} (it was granted ${shared.join(', ') || 'none'}). Share that account with the app, then try again.`,
      );
    }
    const waba = await this.options.graph.getWaba(access, wabaId);
    const numbers = await this.options.graph.listPhoneNumbers(access, wabaId);
    let number: BusinessPhoneNumber | undefined;
    if (row.phone_number_id !== null) {
      number = numbers.find((candidate) => candidate.id === row.phone_number_id);
      if (!number) {
        throw new OnboardingStepError(
          'number_not_found',
          `WhatsApp Business Account ${wabaId} has no phone number ${row.phone_number_id} (it has ${numbers.map((candidate) => candidate.id).join(', ') || 'none'}).`,
        );
      }
    } else if (numbers.length === 1) {
      number = numbers[0]!;
    } else if (numbers.length === 0) {
      throw new OnboardingStepError(
        'number_not_found',
        `WhatsApp Business Account ${wabaId} has no phone number yet: add one in the signup (or WhatsApp Manager), then try again.`,
      );
    } else {
      throw new OnboardingStepError(
        'number_ambiguous',
        `WhatsApp Business Account ${wabaId} has several numbers (${numbers.map((candidate) => `${candidate.id} ${candidate.displayPhoneNumber}`).join(', ')}): say which one (phoneNumberId).`,
      );
    }
    return {
      state: 'done' as const,
      detail: { wabaName: waba.name, number },
      changes: { waba_id: wabaId, phone_number_id: number.id },
    };
  }

  private async saveConnection(row: OnboardingRow, discovered: Discovered) {
    const { directory, db, now } = this.options;
    const tenantId = row.tenant_id;
    const wabaId = row.waba_id!;
    const number = discovered.number;
    try {
      await directory.upsertWaba(tenantId, { wabaId, appId: row.app_id, name: discovered.wabaName });
      await directory.upsertPhoneNumber(tenantId, {
        wabaId,
        phoneNumberId: number.id,
        displayPhoneNumber: number.displayPhoneNumber,
        verifiedName: number.verifiedName,
        throughputMps: messagesPerSecond(number.throughputLevel),
        ...(number.messagingLimitTier ? { messagingTier: number.messagingLimitTier } : {}),
        ...(number.qualityRating ? { qualityRating: number.qualityRating } : {}),
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'conflict') {
        // The generic message: the setup page and a tenant key read this failure.
        this.options.logger.warn({ tenantId, wabaId, reason: error.operatorMessage }, 'asset held elsewhere');
        throw new OnboardingStepError('already_connected_elsewhere', error.message);
      }
      throw error;
    }
    const token = this.tokenOf(row);
    if ((await directory.accessTokenFor(tenantId, wabaId)) !== token) {
      await directory.addAccessToken(tenantId, {
        token,
        kind: (row.token_kind as AccessTokenKind | null) ?? 'business_integration_system_user',
        wabaId,
        expiresAt: row.token_expires_at === null ? null : new Date(row.token_expires_at),
      });
    }
    const at = now();
    await db
      .insertInto('number_connections')
      .values({
        phone_number_id: number.id,
        tenant_id: tenantId,
        state: 'connected',
        onboarding_id: row.id,
        connected_at: at,
        disconnected_at: null,
        disconnect_reason: null,
      })
      .onConflict((oc) =>
        oc.column('phone_number_id').doUpdateSet({
          state: 'connected',
          onboarding_id: row.id,
          connected_at: at,
          disconnected_at: null,
          disconnect_reason: null,
        }),
      )
      .execute();
    // Connected again after a disconnect: the number may send again.
    await db
      .updateTable('phone_numbers')
      .set({ is_healthy: 1, health_problem: null, updated_at: at })
      .where('phone_number_id', '=', number.id)
      .where('health_problem', 'like', 'disconnected%')
      .execute();
    const steps = JSON.parse(row.steps) as Partial<Record<OnboardingStep, StepRecord>>;
    await this.options.onConnected?.(tenantId, number.id, {
      tokenCheckedAt: steps['check-token']?.at ?? null,
      // Known once registration ran (the onboarding's end); the scheduled check reads it after that.
      graphStatus: null,
    });
    return {
      state: 'done' as const,
      detail: { wabaId, phoneNumberId: number.id, displayPhoneNumber: number.displayPhoneNumber },
    };
  }

  private async subscribeApp(row: OnboardingRow) {
    const access = this.accessOf(row);
    const wabaId = row.waba_id!;
    const apps = await this.options.graph.listSubscribedApps(access, wabaId);
    if (row.app_id !== null && apps.some((app) => app.id === row.app_id)) {
      return {
        state: 'skipped' as const,
        detail: { note: 'the app was already subscribed to the account’s webhooks' },
      };
    }
    await this.options.graph.subscribeApp(access, wabaId);
    return { state: 'done' as const, detail: { subscribedAppId: row.app_id } };
  }

  private async registerNumber(row: OnboardingRow, discovered: Discovered) {
    if (discovered.number.status?.toUpperCase() === 'CONNECTED') {
      return {
        state: 'skipped' as const,
        detail: { note: 'the number is already registered for the Cloud API' },
      };
    }
    let pinEnc = row.pin_enc;
    if (pinEnc === null) {
      if (row.method === 'manual') {
        throw new OnboardingStepError(
          'pin_required',
          `number ${row.phone_number_id} is not registered for the Cloud API yet: give its six-digit two-step verification PIN (pin) to register it.`,
        );
      }
      // A new number from the signup: Coxcox chooses its two-step verification PIN, kept sealed.
      pinEnc = this.options.box.seal(String(randomInt(0, 1_000_000)).padStart(6, '0'));
      await this.options.db
        .updateTable('onboardings')
        .set({ pin_enc: pinEnc })
        .where('id', '=', row.id)
        .execute();
    }
    await this.options.graph.registerNumber(
      this.accessOf(row),
      row.phone_number_id!,
      this.options.box.open(pinEnc),
    );
    return {
      state: 'done' as const,
      detail: { registered: row.phone_number_id },
      changes: { pin_enc: pinEnc },
    };
  }

  private async syncTemplates(row: OnboardingRow) {
    const wabaId = row.waba_id!;
    if (this.options.syncTemplates) {
      const count = await this.options.syncTemplates(row.tenant_id, wabaId);
      return { state: 'done' as const, detail: { templates: count } };
    }
    const templates = await this.options.graph.listTemplates(this.accessOf(row), wabaId);
    return {
      state: 'done' as const,
      detail: {
        templates: templates.length,
        names: templates
          .slice(0, 50)
          .map((template) => `${template.name} (${template.language}, ${template.status})`),
      },
    };
  }

  /** The tenant's own app named for a manual connection, else Coxcox's app. */
  private async appOf(row: OnboardingRow): Promise<AppCredentials> {
    const tenantApp =
      row.method === 'manual' && row.app_id !== null
        ? await this.options.tenantApp(row.tenant_id, row.app_id)
        : null;
    const app = tenantApp ?? (await this.options.signupApp());
    if (!app) {
      throw new OnboardingStepError(
        'app_credentials',
        'Coxcox has no Meta app to call Meta with: the operator must set WHATSAPP_APP_ID (or SIGNUP_APP_ID) and connect the app.',
      );
    }
    return app;
  }

  private graphApp(app: AppCredentials): GraphApp {
    return { ...app, graphApiUrl: this.options.graphApiUrl, graphApiVersion: this.options.graphApiVersion };
  }

  private tokenOf(row: OnboardingRow): string {
    if (row.token_enc === null)
      throw new OnboardingStepError('code_missing', 'there is no access token yet: run the signup again.');
    return this.options.box.open(row.token_enc);
  }

  private accessOf(row: OnboardingRow): GraphAccess {
    return {
      accessToken: this.tokenOf(row),
      graphApiUrl: this.options.graphApiUrl,
      graphApiVersion: this.options.graphApiVersion,
    };
  }

  private view(row: OnboardingRow): OnboardingView {
    const steps = JSON.parse(row.steps) as Partial<Record<OnboardingStep, StepRecord>>;
    return {
      id: row.id,
      tenantId: row.tenant_id,
      method: row.method as OnboardingMethod,
      state: row.state,
      wabaId: row.waba_id,
      phoneNumberId: row.phone_number_id,
      steps: stepsFor(row.method as OnboardingMethod).map((name) => {
        const record = steps[name];
        return {
          name,
          state: record?.state ?? 'pending',
          at: iso(record?.at ?? null),
          detail: record?.detail ?? null,
        };
      }),
      failure: row.failure === null ? null : (JSON.parse(row.failure) as OnboardingFailure),
      createdAt: iso(row.created_at)!,
      completedAt: iso(row.completed_at),
    };
  }
}

function discoveredOf(steps: Partial<Record<OnboardingStep, StepRecord>>): Discovered {
  const detail = steps['discover-assets']?.detail as unknown as Discovered | undefined;
  if (!detail?.number)
    throw new OnboardingStepError(
      'number_not_found',
      'the number was not found yet: the discovery step must run first.',
    );
  return detail;
}

/** What a used single-use setup link answers: it says so, and what to do. */
export function usedSetupLink(): AppError {
  return new AppError(
    'forbidden',
    'this setup link was already used to connect a number, and works only once: to connect another number, ask for a new setup link',
  );
}
