import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { RetryLaterError } from '../queue/index.ts';
import type { Database } from '../store/schema.ts';
import {
  type BusinessPhoneNumber,
  type GraphAccess,
  type GraphApp,
  type GraphClient,
  isGraphError,
} from '../whatsapp/graph/index.ts';
import { describeTokenError, findMissingPermissions } from './find-missing-permissions.ts';
import type { NumberHealth } from './number-health.ts';
import { reserveWabaCalls } from './waba-call-budget.ts';
import './health-schema.ts';

/** Messages a second by Meta's throughput level (Meta, "Throughput"; cloud-api-details.md §5.1). */
const messagesPerSecondByLevel: Record<string, number> = { STANDARD: 80, HIGH: 1000 };

/** A problem that holds a number's messages until a new token arrives (addAccessToken clears this prefix). */
const TOKEN_PROBLEM_PREFIX = 'token invalid';

export interface CheckWabaHealthDeps {
  db: Kysely<Database>;
  graph: GraphClient;
  health: NumberHealth;
  logger: Logger;
  now: () => number;
  accessTokenFor: (tenantId: string, wabaId: string) => Promise<string | null>;
  /** The Meta app to ask debug_token as; null skips the token check (the number lookup still catches 190). */
  appFor: (tenantId: string, wabaId: string) => Promise<GraphApp | null>;
  graphApiUrl: string;
  graphApiVersion: string;
  /** Mirrors the WABA's templates (the campaigns domain's sync); optional. */
  syncTemplates?: (tenantId: string, wabaId: string) => Promise<unknown>;
  /** Graph calls one check may make: debug_token, the number list, and a page or two of templates. */
  callsPerCheck?: number;
}

export type WabaCheckOutcome = 'checked' | 'postponed' | 'no-token';

/**
 * Refreshes one WABA from Meta: the token (debug_token: valid, expiry, permissions), the numbers
 * (status, quality, limit, throughput) and the templates; then reassesses its numbers' health. A token
 * Meta refuses holds the numbers' messages at once. Meta's rate limits become a RetryLaterError, so the
 * job backs off instead of pressing on.
 */
export async function checkWabaHealth(
  deps: CheckWabaHealthDeps,
  tenantId: string,
  wabaId: string,
): Promise<WabaCheckOutcome> {
  const { db, graph, health, now } = deps;
  const numbers = await db
    .selectFrom('phone_numbers')
    .select(['phone_number_id', 'health_problem'])
    .where('tenant_id', '=', tenantId)
    .where('waba_id', '=', wabaId)
    .execute();
  const ids = numbers.map((row) => row.phone_number_id);
  // A disconnected number is left alone: nothing of it should be called or changed.
  const connected = numbers
    .filter((row) => !row.health_problem?.startsWith('disconnected'))
    .map((row) => row.phone_number_id);
  const refreshAll = async () => {
    for (const id of ids) await health.refresh(db, id);
  };
  if (connected.length === 0) {
    await refreshAll();
    return 'checked';
  }
  if (!(await reserveWabaCalls(db, wabaId, deps.callsPerCheck ?? 4, now()))) return 'postponed';
  for (const id of ids) await health.ensureRow(db, id, tenantId);
  const token = await deps.accessTokenFor(tenantId, wabaId);
  if (!token) {
    await refreshAll();
    return 'no-token';
  }
  const access: GraphAccess = {
    accessToken: token,
    graphApiUrl: deps.graphApiUrl,
    graphApiVersion: deps.graphApiVersion,
  };

  try {
    const app = await deps.appFor(tenantId, wabaId);
    if (app) {
      try {
        await checkToken(deps, app, token, tenantId, wabaId, connected);
      } catch (error) {
        // debug_token answers an invalid *input* token with is_valid: false. An error means Meta refused
        // the call itself: the app's id or secret (the app token), or a token of another app. That says
        // nothing about the sending token, which the number lookup below still tries for real.
        if (!isGraphError(error) || (error.category !== 'fix-request' && error.category !== 'token-invalid'))
          throw error;
        deps.logger.warn(
          { err: error, tenantId, wabaId, appId: app.appId },
          'debug_token refused the app token: check the app id and secret of this WABA; the number lookup still runs',
        );
      }
    }
    const listed = await graph.listPhoneNumbers(access, wabaId);
    await applyNumbers(deps, connected, listed);
    if (deps.syncTemplates) {
      try {
        await deps.syncTemplates(tenantId, wabaId);
      } catch (error) {
        // Templates are a convenience here; the number's health does not depend on them.
        deps.logger.warn({ err: error, tenantId, wabaId }, 'template sync during the health check failed');
      }
    }
  } catch (error) {
    if (!isGraphError(error)) throw error;
    if (error.category === 'token-invalid') {
      await holdNumbers(
        db,
        connected,
        `${TOKEN_PROBLEM_PREFIX}: Meta refused the token during the health check (${error.metaMessage ?? error.message})`,
        now(),
      );
      await recordTokenCheck(
        db,
        connected,
        { isValid: false, missing: null, error: error.metaMessage ?? error.message },
        now(),
      );
    } else if (error.category === 'retry-later') {
      await refreshAll();
      throw new RetryLaterError(`Meta asked to slow down (${error.message})`, error.retryAfterMs ?? 60_000);
    } else {
      deps.logger.warn({ err: error, tenantId, wabaId }, 'the health check could not read the WABA');
    }
  } finally {
    await db
      .updateTable('waba_call_budgets')
      .set({ last_checked_at: now() })
      .where('waba_id', '=', wabaId)
      .execute();
  }
  await refreshAll();
  return 'checked';
}

async function checkToken(
  deps: CheckWabaHealthDeps,
  app: GraphApp,
  token: string,
  tenantId: string,
  wabaId: string,
  numbers: string[],
): Promise<void> {
  const { db, now } = deps;
  const info = await deps.graph.debugToken(app, token);
  const missing = info.isValid ? findMissingPermissions(info, wabaId) : [];
  const error = info.isValid ? null : describeTokenError(info);
  await recordTokenCheck(db, numbers, { isValid: info.isValid, missing, error }, now());
  if (info.expiresAt !== null) {
    // Meta knows best when a token expires (a pasted user token may come without a date). The row is the
    // one accessTokenFor chose: the newest unexpired token of the WABA, else the newest general one.
    const rows = await db
      .selectFrom('access_tokens')
      .select(['id', 'waba_id', 'expires_at'])
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .execute();
    const usable = rows.filter((row) => row.expires_at === null || row.expires_at > now());
    const chosen = usable.find((row) => row.waba_id === wabaId) ?? usable.find((row) => row.waba_id === null);
    if (chosen && chosen.expires_at !== info.expiresAt) {
      await db
        .updateTable('access_tokens')
        .set({ expires_at: info.expiresAt })
        .where('id', '=', chosen.id)
        .execute();
    }
  }
  const vital = missing.filter((permission) => permission !== 'business_management');
  if (!info.isValid) {
    await holdNumbers(db, numbers, `${TOKEN_PROBLEM_PREFIX}: ${error}`, now());
  } else if (vital.length > 0) {
    await holdNumbers(
      db,
      numbers,
      `${TOKEN_PROBLEM_PREFIX}: the permission ${vital.join(' and ')} was taken back`,
      now(),
    );
  } else {
    // The token works again (or a permission came back): release what a token problem held.
    await db
      .updateTable('phone_numbers')
      .set({ is_healthy: 1, health_problem: null, updated_at: now() })
      .where('phone_number_id', 'in', numbers)
      .where('health_problem', 'like', `${TOKEN_PROBLEM_PREFIX}%`)
      .execute();
  }
}

async function holdNumbers(
  db: Kysely<Database>,
  numbers: string[],
  problem: string,
  nowMs: number,
): Promise<void> {
  if (numbers.length === 0) return;
  // Held, not failed: the dispatcher keeps their messages until the number is healthy again.
  await db
    .updateTable('phone_numbers')
    .set({ is_healthy: 0, health_problem: problem.slice(0, 500), updated_at: nowMs })
    .where('phone_number_id', 'in', numbers)
    .where('is_healthy', '=', 1)
    .execute();
}

async function recordTokenCheck(
  db: Kysely<Database>,
  numbers: string[],
  result: { isValid: boolean; missing: string[] | null; error: string | null },
  nowMs: number,
): Promise<void> {
  if (numbers.length === 0) return;
  await db
    .updateTable('number_health')
    .set({
      token_is_valid: result.isValid ? 1 : 0,
      ...(result.missing === null ? {} : { token_missing_permissions: JSON.stringify(result.missing) }),
      token_error: result.error,
      token_checked_at: nowMs,
    })
    .where('phone_number_id', 'in', numbers)
    .execute();
}

/**
 * Applies what Meta says about each number. A value is applied when Meta's answer changed since we last
 * saw it (or we have none), so an operator's override (a test's throughput, a sandbox tier) stands until
 * Meta itself moves.
 */
async function applyNumbers(
  deps: CheckWabaHealthDeps,
  numbers: string[],
  listed: BusinessPhoneNumber[],
): Promise<void> {
  const { db, now } = deps;
  for (const phoneNumberId of numbers) {
    const seen = listed.find((number) => number.id === phoneNumberId);
    const [ours, observed] = await Promise.all([
      db
        .selectFrom('phone_numbers')
        .selectAll()
        .where('phone_number_id', '=', phoneNumberId)
        .executeTakeFirst(),
      db
        .selectFrom('number_health')
        .selectAll()
        .where('phone_number_id', '=', phoneNumberId)
        .executeTakeFirst(),
    ]);
    if (!ours || !observed) continue;
    if (!seen) {
      await db
        .updateTable('number_health')
        .set({ graph_status: 'NOT_LISTED', graph_checked_at: now() })
        .where('phone_number_id', '=', phoneNumberId)
        .execute();
      continue;
    }
    // The first sight only records Meta's value (unless we have none): ours stands until Meta changes it.
    const isNews = (fromMeta: string | null, lastSeen: string | null, current: string | null) =>
      fromMeta !== null && (current === null || (lastSeen !== null && fromMeta !== lastSeen));
    const changes: Partial<Database['phone_numbers']> = {};
    if (isNews(seen.qualityRating, observed.graph_quality_rating, ours.quality_rating))
      changes.quality_rating = seen.qualityRating;
    if (isNews(seen.messagingLimitTier, observed.graph_messaging_tier, ours.messaging_tier)) {
      changes.messaging_tier = seen.messagingLimitTier;
    }
    const level = seen.throughputLevel?.toUpperCase() ?? null;
    if (
      level !== null &&
      level !== observed.graph_throughput_level &&
      messagesPerSecondByLevel[level] !== undefined
    ) {
      if (observed.graph_throughput_level !== null) changes.throughput_mps = messagesPerSecondByLevel[level];
    }
    if (seen.displayPhoneNumber && ours.display_phone_number === null)
      changes.display_phone_number = seen.displayPhoneNumber;
    if (Object.keys(changes).length > 0) {
      await db
        .updateTable('phone_numbers')
        .set({ ...changes, updated_at: now() })
        .where('phone_number_id', '=', phoneNumberId)
        .execute();
    }
    await db
      .updateTable('number_health')
      .set({
        graph_status: seen.status,
        graph_quality_rating: seen.qualityRating,
        graph_messaging_tier: seen.messagingLimitTier,
        graph_throughput_level: level,
        graph_checked_at: now(),
      })
      .where('phone_number_id', '=', phoneNumberId)
      .execute();
  }
}
