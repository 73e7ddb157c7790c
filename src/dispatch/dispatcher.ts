import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { DialectFlags } from '../store/dialect-flags.ts';
import type { Database } from '../store/schema.ts';
import { withDeadlockRetry } from '../store/transient-errors.ts';
import type { TenantDirectory } from '../tenants/index.ts';
import {
  backoffDelayMs,
  type GraphClient,
  type GraphTarget,
  isGraphError,
  type OutboundMessage,
} from '../whatsapp/graph/index.ts';
import type { Metrics } from '../whatsapp/index.ts';
import { forgetSettledOptOuts, pendingOptOutsOf } from '../whatsapp/index.ts';
import {
  CUSTOMER_SERVICE_WINDOW_MS,
  msUntil,
  PAIR_RATE_PER_SECOND,
  pairBackoffMs,
  refill,
  TIER_WINDOW_MS,
  throughputBucketShape,
  tierLimit,
} from './pacing.ts';
import { recordOutboundMessage } from './record-outbound.ts';

export interface DispatcherOptions {
  db: Kysely<Database>;
  flags: DialectFlags;
  directory: TenantDirectory;
  graph: GraphClient;
  logger: Logger;
  metrics: Metrics;
  defaultGraphApiUrl: string;
  defaultGraphApiVersion: string;
  /** A name for this process in locks (several instances may share one PostgreSQL). */
  instanceId?: string;
  /** Messages one claim may take (the throughput bucket usually grants fewer). */
  maxBatch?: number;
  /** Sends of one number in flight at once. */
  maxInFlightMessages?: number;
  /** Messages one recipient may get back to back before the 1-per-6-s pace applies. Meta allows about 45. */
  pairBurst?: number;
  /** How long to wait for a status webhook before resending a send whose outcome was lost. */
  reconcileWindowMs?: number;
  /** How long a claimed send stays locked; past it, the claim is presumed lost (crash) and reconciled. */
  sendLockMs?: number;
  /** How often to look for numbers with due messages when not woken. */
  scanIntervalMs?: number;
  /** Retries of a retry-later failure before the message is failed for good. */
  maxAttempts?: number;
  /** After each batch of send outcomes is committed (live updates in the dashboard). */
  onRecorded?: (outcomes: SendOutcome[]) => void;
  /** After a batch that held messages for a token problem is committed (the health domain records the event). */
  onNumberUnhealthy?: (phoneNumberId: string) => Promise<void>;
  /**
   * Whether a text that webhook intake took for an opt-out keyword is one for this tenant (its consent
   * settings). Runs in the claim's transaction, only for a recipient with an opt-out still in the inbox.
   */
  isOptOutText?: (trx: Transaction<Database>, tenantId: string, text: string) => Promise<boolean>;
  now?: () => number;
}

/** One send attempt's outcome, as committed: for listeners that show it (never for deciding anything). */
export interface SendOutcome {
  tenantId: string;
  outboxId: string;
  conversationId: string | null;
  kind: 'sent' | 'failed' | 'retry' | 'unknown' | 'held';
  /** Meta's error title when the send did not go. */
  reason: string | null;
}

interface Claimed {
  id: string;
  tenantId: string;
  recipient: string;
  message: OutboundMessage;
  attempt: number;
  replyToWamid: string | null;
  conversationId: string | null;
  category: string | null;
}

interface NumberRow {
  tenant_id: string;
  waba_id: string;
  phone_number_id: string;
  throughput_mps: number;
  messaging_tier: string | null;
  graph_api_url: string | null;
  graph_api_version: string | null;
  is_healthy: number;
}

type SendResult =
  | { claimed: Claimed; kind: 'sent'; wamid: string; startedAt: number; finishedAt: number }
  | {
      claimed: Claimed;
      kind: 'failed' | 'retry' | 'unknown' | 'held';
      startedAt: number;
      finishedAt: number;
      code: number | null;
      title: string;
      category: string;
      httpStatus: number | null;
      retryAfterMs: number | null;
      isPairRate: boolean;
    };

/** When a campaign message to a customer whose opt-out waits in the inbox is looked at again. */
const OPT_OUT_PENDING_RECHECK_MS = 1000; // 1 s: the inbox applies a delivery within milliseconds when it keeps up

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends what the outbox holds, one lane per phone number. Each claim takes tokens from the number's
 * throughput bucket (a database row, locked, so the limit holds across every instance), applies the
 * per-recipient pace and the daily tier, and marks the claimed rows `sending`. The outbox id travels in
 * `biz_opaque_callback_data`; a send whose outcome is lost becomes `unknown` and is resent only if no
 * status webhook has reconciled it within the reconcile window. Nothing is ever blindly resent.
 */
export class Dispatcher {
  private readonly options: Required<DispatcherOptions>;
  private readonly lanes = new Map<string, Promise<void>>();
  private isRunning = false;
  private scanLoop: Promise<void> | undefined;
  private wakeScan: (() => void) | undefined;
  private isWoken = false;

  constructor(options: DispatcherOptions) {
    this.options = {
      instanceId: `${process.pid}-${randomUUID().slice(0, 8)}`,
      maxBatch: 200,
      maxInFlightMessages: 256,
      pairBurst: 10,
      reconcileWindowMs: 60_000, // 1 min: Meta's status webhooks normally follow within seconds
      sendLockMs: 45_000, // 45 s: the 15 s send timeout, plus room for the batch it went in
      scanIntervalMs: 250,
      maxAttempts: 12,
      onRecorded: () => {},
      onNumberUnhealthy: async () => {},
      isOptOutText: async () => true,
      now: Date.now,
      ...options,
    };
  }

  start(): void {
    if (this.isRunning) return;
    this.isRunning = true;
    this.scanLoop = this.runScanLoop();
  }

  /** New work was queued: look now rather than at the next scan. */
  wake(): void {
    this.isWoken = true;
    this.wakeScan?.();
  }

  /** Stops claiming, and waits for the sends in flight to finish and be recorded. */
  async stop(): Promise<void> {
    this.isRunning = false;
    this.wake();
    await this.scanLoop;
    await Promise.allSettled([...this.lanes.values()]);
  }

  /** One pass, for tests and the CLI: sweeps, then runs every due lane until it runs dry. */
  async runOnce(): Promise<void> {
    const wasRunning = this.isRunning;
    this.isRunning = true;
    try {
      await this.sweep();
      const due = await this.dueNumbers();
      await Promise.all(due.map((id) => this.runLane(id)));
    } finally {
      this.isRunning = wasRunning;
    }
  }

  private async runScanLoop(): Promise<void> {
    while (this.isRunning) {
      this.isWoken = false;
      try {
        await this.sweep();
        for (const phoneNumberId of await this.dueNumbers()) {
          if (this.lanes.has(phoneNumberId)) continue;
          const lane = this.runLane(phoneNumberId)
            .catch((error) =>
              this.options.logger.error({ err: error, phoneNumberId }, 'dispatch lane failed'),
            )
            .finally(() => this.lanes.delete(phoneNumberId));
          this.lanes.set(phoneNumberId, lane);
        }
      } catch (error) {
        this.options.logger.error({ err: error }, 'dispatch scan failed');
      }
      if (!this.isRunning) break;
      if (this.isWoken) continue;
      await new Promise<void>((resolve) => {
        this.wakeScan = resolve;
        setTimeout(resolve, this.options.scanIntervalMs);
      });
      this.wakeScan = undefined;
    }
  }

  /**
   * Presumes lost the claims whose lock ran out, and requeues unknown outcomes nobody reconciled. On
   * PostgreSQL it skips rows another transaction holds (a send being recorded, a status webhook being
   * applied): waiting for them while holding others deadlocks with those transactions, and the next sweep
   * sees whatever is still due.
   */
  private async sweep(): Promise<void> {
    const { db, flags } = this.options;
    const now = this.options.now();
    await db
      .updateTable('outbox')
      .set({
        state: 'unknown',
        next_attempt_at: now + this.options.reconcileWindowMs,
        locked_by: null,
        updated_at: now,
      })
      .where('id', 'in', (eb) => {
        const due = eb
          .selectFrom('outbox as due')
          .select('due.id')
          .where('due.state', '=', 'sending')
          .where('due.locked_until', '<', now);
        return flags.supportsSkipLocked ? due.forUpdate().skipLocked() : due;
      })
      .execute();
    // No status webhook named these within the reconcile window, so Meta never accepted them: resend. But
    // only once every webhook received before a row's window closed has been applied: a status that is
    // stored but still waiting in the inbox (a backlog, a restart) names the send just as well.
    const inbox = await db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.min('received_at').as('oldestPendingAt'))
      .where('state', '=', 'pending')
      .executeTakeFirst();
    const oldestPendingAt = inbox?.oldestPendingAt == null ? null : Number(inbox.oldestPendingAt);
    const settledUpTo = oldestPendingAt === null ? now : Math.min(now, oldestPendingAt - 1);
    await db
      .updateTable('outbox')
      .set({ state: 'queued', updated_at: now })
      .where('id', 'in', (eb) => {
        const due = eb
          .selectFrom('outbox as due')
          .select('due.id')
          .where('due.state', '=', 'unknown')
          .where('due.next_attempt_at', '<=', settledUpTo);
        return flags.supportsSkipLocked ? due.forUpdate().skipLocked() : due;
      })
      .execute();
    await forgetSettledOptOuts(db);
    // Numbers that can send again (a new token, a cleared health problem) release their held messages.
    await db
      .updateTable('outbox')
      .set({ state: 'queued', hold_reason: null, next_attempt_at: now, updated_at: now })
      .where('id', 'in', (eb) => {
        const held = eb
          .selectFrom('outbox as held')
          .select('held.id')
          .where('held.state', '=', 'held')
          .where('held.phone_number_id', 'in', (inner) =>
            inner.selectFrom('phone_numbers').select('phone_number_id').where('is_healthy', '=', 1),
          );
        return flags.supportsSkipLocked ? held.forUpdate(['held']).skipLocked() : held;
      })
      .execute();
  }

  /** Numbers with a message due: one index probe per number, not a scan of every queued message. */
  private async dueNumbers(): Promise<string[]> {
    const now = this.options.now();
    const rows = await this.options.db
      .selectFrom('phone_numbers')
      .select('phone_number_id')
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('outbox')
            .select(eb.lit(1).as('one'))
            .where('outbox.state', '=', 'queued')
            .whereRef('outbox.phone_number_id', '=', 'phone_numbers.phone_number_id')
            .where('outbox.next_attempt_at', '<=', now),
        ),
      )
      .execute();
    return rows.map((row) => row.phone_number_id);
  }

  private async runLane(phoneNumberId: string): Promise<void> {
    // Counted per message, not per batch: a batch whose one send hangs until its timeout must not hold
    // back the lane (with 5 % timeouts nearly every batch of 20 would have one).
    let inFlightMessages = 0;
    let wakeLane: (() => void) | undefined;
    const sends = new Set<Promise<void>>();
    try {
      while (this.isRunning) {
        const capacity = this.options.maxInFlightMessages - inFlightMessages;
        if (capacity <= 0) {
          await new Promise<void>((resolve) => {
            wakeLane = resolve;
          });
          continue;
        }
        const { claimed, waitMs, isDry, number } = await this.claim(phoneNumberId, capacity);
        if (claimed.length > 0 && number) {
          inFlightMessages += claimed.length;
          const batch = this.sendAndRecord(number, claimed, () => {
            inFlightMessages -= 1;
            wakeLane?.();
          })
            .catch((error) => this.options.logger.error({ err: error, phoneNumberId }, 'a send batch failed'))
            .finally(() => sends.delete(batch));
          sends.add(batch);
        }
        if (isDry) break;
        if (waitMs > 0) await sleep(Math.min(waitMs, 1000));
      }
    } finally {
      await Promise.allSettled([...sends]);
    }
  }

  private async claim(
    phoneNumberId: string,
    capacity: number,
  ): Promise<{ claimed: Claimed[]; waitMs: number; isDry: boolean; number: NumberRow | null }> {
    const { db, flags } = this.options;
    return db.transaction().execute(async (trx) => {
      const now = this.options.now();
      const number = await trx
        .selectFrom('phone_numbers')
        .select([
          'tenant_id',
          'waba_id',
          'phone_number_id',
          'throughput_mps',
          'messaging_tier',
          'graph_api_url',
          'graph_api_version',
          'is_healthy',
        ])
        .where('phone_number_id', '=', phoneNumberId)
        .executeTakeFirst();
      if (number?.is_healthy !== 1) {
        await trx
          .updateTable('outbox')
          .set({
            state: 'held',
            hold_reason: number ? 'number-unhealthy' : 'number-unknown',
            updated_at: now,
          })
          .where('phone_number_id', '=', phoneNumberId)
          .where('state', '=', 'queued')
          .execute();
        return { claimed: [], waitMs: 0, isDry: true, number: null };
      }

      const shape = throughputBucketShape(number.throughput_mps);
      await trx
        .insertInto('pacers')
        .values({ phone_number_id: phoneNumberId, tokens: shape.capacity, updated_at: now })
        .onConflict((oc) => oc.column('phone_number_id').doNothing())
        .execute();
      let pacerQuery = trx.selectFrom('pacers').selectAll().where('phone_number_id', '=', phoneNumberId);
      if (flags.supportsSkipLocked) pacerQuery = pacerQuery.forUpdate();
      const pacer = await pacerQuery.executeTakeFirstOrThrow();
      const bucket = refill(
        { tokens: pacer.tokens, updatedAtMs: pacer.updated_at },
        now,
        shape.ratePerSecond,
        shape.capacity,
      );
      const grant = Math.min(Math.floor(bucket.tokens), this.options.maxBatch, capacity);
      if (grant < 1) {
        await trx
          .updateTable('pacers')
          .set({ tokens: bucket.tokens, updated_at: now })
          .where('phone_number_id', '=', phoneNumberId)
          .execute();
        return { claimed: [], waitMs: msUntil(bucket, 1, shape.ratePerSecond), isDry: false, number };
      }

      let candidateQuery = trx
        .selectFrom('outbox')
        .leftJoin('conversations', 'conversations.id', 'outbox.conversation_id')
        // The recipient's consent (contacts are unique per tenant and wa_id, which the recipient is).
        .leftJoin('contacts', (join) =>
          join
            .onRef('contacts.tenant_id', '=', 'outbox.tenant_id')
            .onRef('contacts.wa_id', '=', 'outbox.recipient'),
        )
        .select([
          'outbox.id',
          'outbox.tenant_id',
          'outbox.recipient',
          'outbox.message',
          'outbox.attempts',
          'outbox.is_template',
          'outbox.reply_to_wamid',
          'outbox.conversation_id',
          'outbox.category',
          'conversations.last_inbound_at',
          'outbox.source',
          'outbox.campaign_id',
          'contacts.opted_out_at',
          'contacts.marketing_opted_out_at',
        ])
        .where('outbox.phone_number_id', '=', phoneNumberId)
        .where('outbox.state', '=', 'queued')
        .where('outbox.next_attempt_at', '<=', now)
        // The index order (state, number, next attempt): no sort of every queued row on each claim.
        .orderBy('outbox.next_attempt_at')
        .limit(grant);
      if (flags.supportsSkipLocked) candidateQuery = candidateQuery.forUpdate(['outbox']).skipLocked();
      const candidates = await candidateQuery.execute();
      if (candidates.length === 0) {
        await trx
          .updateTable('pacers')
          .set({ tokens: bucket.tokens, updated_at: now })
          .where('phone_number_id', '=', phoneNumberId)
          .execute();
        return { claimed: [], waitMs: 0, isDry: true, number };
      }

      // Per-recipient pace: one bucket per (number, recipient), 1 message per 6 s after a short burst.
      const recipients = [...new Set(candidates.map((candidate) => candidate.recipient))];
      let pairQuery = trx
        .selectFrom('pair_pacers')
        .selectAll()
        .where('phone_number_id', '=', phoneNumberId)
        .where('recipient', 'in', recipients);
      if (flags.supportsSkipLocked) pairQuery = pairQuery.forUpdate();
      const pairs = new Map((await pairQuery.execute()).map((row) => [row.recipient, row]));

      // Customers whose opt-out keyword is stored but not yet applied by the inbox: it was received, so it
      // counts from the moment intake committed it (the inbox records it on the contact a moment later).
      const stopped = new Set<string>();
      for (const pending of await pendingOptOutsOf(trx, phoneNumberId, recipients)) {
        if (stopped.has(pending.waId)) continue;
        if (await this.options.isOptOutText(trx, number.tenant_id, pending.text)) stopped.add(pending.waId);
      }

      // Daily tier: unique recipients of business-initiated messages in a moving 24 h.
      const windowStart = now - TIER_WINDOW_MS;
      const isBusinessInitiated = (candidate: (typeof candidates)[number]) =>
        candidate.is_template === 1 &&
        (candidate.last_inbound_at === null || candidate.last_inbound_at <= now - CUSTOMER_SERVICE_WINDOW_MS);
      const limit = tierLimit(number.messaging_tier);
      let tierCount = 0;
      const tierMembers = new Set<string>();
      if (candidates.some(isBusinessInitiated) && Number.isFinite(limit)) {
        const counted = await trx
          .selectFrom('tier_recipients')
          .select((eb) => eb.fn.countAll().as('count'))
          .where('phone_number_id', '=', phoneNumberId)
          .where('last_initiated_at', '>', windowStart)
          .executeTakeFirstOrThrow();
        tierCount = Number(counted.count);
        const members = await trx
          .selectFrom('tier_recipients')
          .select('recipient')
          .where('phone_number_id', '=', phoneNumberId)
          .where('recipient', 'in', recipients)
          .where('last_initiated_at', '>', windowStart)
          .execute();
        for (const member of members) tierMembers.add(member.recipient);
      }

      const claimed: Claimed[] = [];
      const deferred: Array<{ id: string; at: number; reason: string }> = [];
      const windowClosed: string[] = [];
      const optedOut: string[] = [];
      const stoppedBeforeSend: string[] = [];
      const initiated = new Set<string>();
      const touchedPairs = new Map<
        string,
        { tokens: number; updated_at: number; backoff_level: number; blocked_until: number }
      >();
      for (const candidate of candidates) {
        // A stop that is received but not yet applied takes back everything not yet handed to Meta, except
        // the confirmation of an earlier stop (`system`). A campaign message waits instead: applying the
        // stop withdraws it with the campaign's own bookkeeping (recordOptOut).
        if (stopped.has(candidate.recipient) && candidate.source !== 'system') {
          if (candidate.campaign_id !== null || candidate.source === 'campaign')
            deferred.push({
              id: candidate.id,
              at: now + OPT_OUT_PENDING_RECHECK_MS,
              reason: 'opt-out-pending',
            });
          else stoppedBeforeSend.push(candidate.id);
          continue;
        }
        // Consent, checked at the last moment before a send: a contact who stopped (in the chat, or Meta's
        // marketing stop) never gets a MARKETING template or a campaign message, even one queued earlier.
        // Free-form replies and utility templates still go (the opt-out confirmation is one of them).
        if (
          (candidate.opted_out_at !== null || candidate.marketing_opted_out_at !== null) &&
          (candidate.category === 'MARKETING' ||
            candidate.campaign_id !== null ||
            candidate.source === 'campaign')
        ) {
          optedOut.push(candidate.id);
          continue;
        }
        if (candidate.is_template === 0) {
          const isOpen =
            candidate.last_inbound_at !== null &&
            candidate.last_inbound_at > now - CUSTOMER_SERVICE_WINDOW_MS;
          if (!isOpen) {
            windowClosed.push(candidate.id);
            continue;
          }
        }
        const previous = touchedPairs.get(candidate.recipient) ?? pairs.get(candidate.recipient);
        const pairBucket = refill(
          previous
            ? { tokens: previous.tokens, updatedAtMs: previous.updated_at }
            : { tokens: this.options.pairBurst, updatedAtMs: now },
          now,
          PAIR_RATE_PER_SECOND,
          this.options.pairBurst,
        );
        const blockedUntil = previous?.blocked_until ?? 0;
        if (blockedUntil > now || pairBucket.tokens < 1) {
          deferred.push({
            id: candidate.id,
            at: Math.max(blockedUntil, now + msUntil(pairBucket, 1, PAIR_RATE_PER_SECOND)),
            reason: 'pair-rate',
          });
          continue;
        }
        if (
          isBusinessInitiated(candidate) &&
          Number.isFinite(limit) &&
          !tierMembers.has(candidate.recipient)
        ) {
          if (tierCount >= limit) {
            deferred.push({ id: candidate.id, at: now + 15 * 60_000, reason: 'tier' }); // look again in 15 min
            continue;
          }
          tierCount += 1;
          tierMembers.add(candidate.recipient);
        }
        if (isBusinessInitiated(candidate)) initiated.add(candidate.recipient);
        touchedPairs.set(candidate.recipient, {
          tokens: pairBucket.tokens - 1,
          updated_at: now,
          backoff_level: previous?.backoff_level ?? 0,
          blocked_until: blockedUntil,
        });
        claimed.push({
          id: candidate.id,
          tenantId: candidate.tenant_id,
          recipient: candidate.recipient,
          message: JSON.parse(candidate.message) as OutboundMessage,
          attempt: candidate.attempts,
          replyToWamid: candidate.reply_to_wamid,
          conversationId: candidate.conversation_id,
          category: candidate.category,
        });
      }

      if (claimed.length > 0) {
        await trx
          .updateTable('outbox')
          .set((eb) => ({
            state: 'sending',
            attempts: eb('attempts', '+', 1),
            locked_until: now + this.options.sendLockMs,
            locked_by: this.options.instanceId,
            updated_at: now,
          }))
          .where(
            'id',
            'in',
            claimed.map((row) => row.id),
          )
          .execute();
      }
      for (const row of deferred) {
        await trx
          .updateTable('outbox')
          .set({ next_attempt_at: row.at, hold_reason: row.reason, updated_at: now })
          .where('id', '=', row.id)
          .execute();
      }
      if (windowClosed.length > 0) {
        await trx
          .updateTable('outbox')
          .set({
            state: 'failed',
            error_code: 131047,
            error_title:
              'the 24-hour customer-service window closed before this message could be sent; send a template',
            error_category: 'window-closed',
            updated_at: now,
          })
          .where('id', 'in', windowClosed)
          .execute();
      }
      if (optedOut.length > 0) {
        await trx
          .updateTable('outbox')
          .set({
            state: 'failed',
            error_title: 'the recipient opted out of marketing messages; this message was not sent',
            error_category: 'opted-out',
            updated_at: now,
          })
          .where('id', 'in', optedOut)
          .execute();
      }
      if (stoppedBeforeSend.length > 0) {
        // The same state and reason as a send that applying the stop takes back (recordOptOut).
        await trx
          .updateTable('outbox')
          .set({ state: 'cancelled', hold_reason: 'opted_out', locked_by: null, updated_at: now })
          .where('id', 'in', stoppedBeforeSend)
          .execute();
      }
      if (touchedPairs.size > 0) {
        await trx
          .insertInto('pair_pacers')
          .values(
            [...touchedPairs].map(([recipient, pair]) => ({
              phone_number_id: phoneNumberId,
              recipient,
              ...pair,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['phone_number_id', 'recipient']).doUpdateSet((eb) => ({
              tokens: eb.ref('excluded.tokens'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
      }
      if (initiated.size > 0) {
        await trx
          .insertInto('tier_recipients')
          .values(
            [...initiated].map((recipient) => ({
              phone_number_id: phoneNumberId,
              recipient,
              last_initiated_at: now,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['phone_number_id', 'recipient']).doUpdateSet((eb) => ({
              last_initiated_at: eb.ref('excluded.last_initiated_at'),
            })),
          )
          .execute();
      }
      const remaining = bucket.tokens - claimed.length;
      await trx
        .updateTable('pacers')
        .set({ tokens: remaining, updated_at: now })
        .where('phone_number_id', '=', phoneNumberId)
        .execute();
      return {
        claimed,
        waitMs: remaining >= 1 ? 0 : msUntil({ tokens: remaining, updatedAtMs: now }, 1, shape.ratePerSecond),
        isDry: candidates.length < grant && claimed.length === 0,
        number,
      };
    });
  }

  private async sendAndRecord(number: NumberRow, claimed: Claimed[], onSettled: () => void): Promise<void> {
    const { directory, defaultGraphApiUrl, defaultGraphApiVersion } = this.options;
    const accessToken = await directory.accessTokenFor(number.tenant_id, number.waba_id);
    if (!accessToken) {
      const now = this.options.now();
      await Promise.all(
        claimed.map((row) =>
          this.recordSoon(number, {
            claimed: row,
            kind: 'held' as const,
            startedAt: now,
            finishedAt: now,
            code: null,
            title:
              'no usable access token for this number: add one (POST /api/v1/tenants/{id}/access-tokens)',
            category: 'token-invalid',
            httpStatus: null,
            retryAfterMs: null,
            isPairRate: false,
          }).finally(onSettled),
        ),
      );
      return;
    }
    const target: GraphTarget = {
      phoneNumberId: number.phone_number_id,
      accessToken,
      graphApiUrl: number.graph_api_url ?? defaultGraphApiUrl,
      graphApiVersion: number.graph_api_version ?? defaultGraphApiVersion,
    };
    // Each outcome is recorded as soon as it is known, grouped with the others of the same tick.
    await Promise.all(
      claimed.map(async (row) => {
        try {
          await this.recordSoon(number, await this.sendOne(target, row));
        } finally {
          onSettled();
        }
      }),
    );
  }

  private pendingResults: Array<{
    number: NumberRow;
    result: SendResult;
    resolve: () => void;
    reject: (error: unknown) => void;
  }> = [];
  private isFlushScheduled = false;

  /** Group commit of send outcomes: everything that finished within one tick goes into one transaction. */
  private recordSoon(number: NumberRow, result: SendResult): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pendingResults.push({ number, result, resolve, reject });
      if (!this.isFlushScheduled) {
        this.isFlushScheduled = true;
        setImmediate(() => void this.flushResults());
      }
    });
  }

  private async flushResults(): Promise<void> {
    this.isFlushScheduled = false;
    const pending = this.pendingResults;
    this.pendingResults = [];
    const byNumber = new Map<string, typeof pending>();
    for (const item of pending) {
      const group = byNumber.get(item.number.phone_number_id) ?? [];
      group.push(item);
      byNumber.set(item.number.phone_number_id, group);
    }
    const groups = [...byNumber.values()];
    const failed = (group: typeof pending, error: unknown) => {
      // The claims stay `sending` until their lock runs out, then become `unknown` and are reconciled.
      this.options.logger.error({ err: error }, 'could not record send outcomes');
      for (const item of group) item.reject(error);
    };
    if (!this.options.flags.supportsConcurrentWriters) {
      // SQLite has one writer, and each commit waits for an fsync on the event loop: every number's
      // outcomes of this tick go into one transaction, one fsync for them all.
      try {
        const now = this.options.now();
        await this.options.db.transaction().execute(async (trx) => {
          for (const group of groups)
            await this.writeResults(
              trx,
              group[0]!.number,
              group.map((item) => item.result),
              now,
            );
        });
      } catch (error) {
        for (const group of groups) failed(group, error);
        return;
      }
      for (const group of groups) {
        try {
          await this.afterRecorded(
            group[0]!.number,
            group.map((item) => item.result),
          );
        } catch (error) {
          this.options.logger.error({ err: error }, 'a listener of send outcomes failed');
        } finally {
          for (const item of group) item.resolve(); // committed either way
        }
      }
      return;
    }
    // PostgreSQL: each number's outcomes in a transaction of its own, all at once on the pool.
    await Promise.all(
      groups.map(async (group) => {
        try {
          await withDeadlockRetry(() =>
            this.record(
              group[0]!.number,
              group.map((item) => item.result),
            ),
          );
          for (const item of group) item.resolve();
        } catch (error) {
          failed(group, error);
        }
      }),
    );
  }

  private async sendOne(target: GraphTarget, claimed: Claimed): Promise<SendResult> {
    const startedAt = this.options.now();
    try {
      const sent = await this.options.graph.sendMessage(target, claimed.message, {
        bizOpaqueCallbackData: claimed.id,
        attempt: claimed.attempt,
        ...(claimed.replyToWamid ? { replyToWamid: claimed.replyToWamid } : {}),
      });
      return { claimed, kind: 'sent', wamid: sent.wamid, startedAt, finishedAt: this.options.now() };
    } catch (error) {
      const finishedAt = this.options.now();
      if (!isGraphError(error)) {
        // Not a classified Graph answer: we cannot know whether Meta took it, so reconcile before resending.
        return {
          claimed,
          kind: 'unknown',
          startedAt,
          finishedAt,
          code: null,
          title: error instanceof Error ? error.message : String(error),
          category: 'retry-later',
          httpStatus: null,
          retryAfterMs: null,
          isPairRate: false,
        };
      }
      const base = {
        claimed,
        startedAt,
        finishedAt,
        code: error.code,
        title: error.title ?? error.metaMessage ?? error.message,
        category: error.category,
        httpStatus: error.httpStatus,
        retryAfterMs: error.retryAfterMs,
        isPairRate: error.code === 131056,
      };
      if (error.category === 'token-invalid') return { ...base, kind: 'held' };
      if (error.category === 'retry-later')
        return { ...base, kind: error.outcome === 'unknown' ? 'unknown' : 'retry' };
      return { ...base, kind: 'failed' };
    }
  }

  /** Records one number's outcomes in a transaction of their own, then tells the rest of Coxcox. */
  private async record(number: NumberRow, results: SendResult[]): Promise<void> {
    const now = this.options.now();
    await this.options.db.transaction().execute((trx) => this.writeResults(trx, number, results, now));
    await this.afterRecorded(number, results);
  }

  /** The outcomes' writes: outbox state, message, conversation and attempts, in the caller's transaction. */
  private async writeResults(
    trx: Transaction<Database>,
    number: NumberRow,
    results: SendResult[],
    now: number,
  ): Promise<void> {
    for (const result of results) {
      const row = result.claimed;
      if (result.kind === 'sent') {
        await trx
          .updateTable('outbox')
          .set({
            state: 'sent',
            wamid: result.wamid,
            sent_at: result.finishedAt,
            hold_reason: null,
            locked_by: null,
            locked_until: null,
            updated_at: now,
          })
          .where('id', '=', row.id)
          .where('state', 'in', ['sending', 'unknown', 'queued'])
          .execute();
        await recordOutboundMessage(trx, {
          tenantId: row.tenantId,
          phoneNumberId: number.phone_number_id,
          conversationId: row.conversationId,
          outboxId: row.id,
          wamid: result.wamid,
          message: row.message,
          sentAt: result.finishedAt,
          now,
        });
        continue;
      }
      const attempt = row.attempt + 1;
      if (result.kind === 'held') {
        await this.markUnhealthy(trx, number, result.title, now);
        await trx
          .updateTable('outbox')
          .set({ state: 'held', hold_reason: 'token-invalid', locked_by: null, updated_at: now })
          .where('id', '=', row.id)
          .where('state', '=', 'sending')
          .execute();
      } else if (result.kind === 'unknown') {
        await trx
          .updateTable('outbox')
          .set({
            state: 'unknown',
            next_attempt_at: now + this.options.reconcileWindowMs,
            locked_by: null,
            updated_at: now,
          })
          .where('id', '=', row.id)
          .where('state', '=', 'sending')
          .execute();
      } else if (result.kind === 'retry' && attempt < this.options.maxAttempts) {
        if (result.isPairRate) await this.blockPair(trx, number.phone_number_id, row.recipient, now);
        const delayMs =
          result.retryAfterMs ??
          backoffDelayMs({ firstDelayMs: 1000, factor: 2, maxDelayMs: 60_000 }, attempt);
        const jitterMs = Math.floor(Math.random() * Math.min(1000, delayMs / 4 + 1));
        await trx
          .updateTable('outbox')
          .set({
            state: 'queued',
            next_attempt_at: now + delayMs + jitterMs,
            error_code: result.code,
            error_title: result.title,
            error_category: result.category,
            locked_by: null,
            updated_at: now,
          })
          .where('id', '=', row.id)
          .where('state', '=', 'sending')
          .execute();
      } else {
        await trx
          .updateTable('outbox')
          .set({
            state: 'failed',
            error_code: result.code,
            error_title:
              result.kind === 'retry' ? `gave up after ${attempt} attempts: ${result.title}` : result.title,
            error_category: result.category,
            locked_by: null,
            updated_at: now,
          })
          .where('id', '=', row.id)
          .where('state', '=', 'sending')
          .execute();
      }
    }
    await trx
      .insertInto('outbox_attempts')
      .values(
        results.map((result) => ({
          outbox_id: result.claimed.id,
          attempt: result.claimed.attempt + 1,
          started_at: result.startedAt,
          finished_at: result.finishedAt,
          outcome: result.kind,
          http_status: result.kind === 'sent' ? 200 : result.httpStatus,
          error_code: result.kind === 'sent' ? null : result.code,
          error_message: result.kind === 'sent' ? null : result.title.slice(0, 500),
        })),
      )
      .execute();
  }

  /** After the commit: live updates, an unhealthy number reported, metrics. */
  private async afterRecorded(number: NumberRow, results: SendResult[]): Promise<void> {
    const { metrics, logger } = this.options;
    this.options.onRecorded(
      results.map((result) => ({
        tenantId: result.claimed.tenantId,
        outboxId: result.claimed.id,
        conversationId: result.claimed.conversationId,
        kind: result.kind,
        reason: result.kind === 'sent' ? null : result.title,
      })),
    );
    if (results.some((result) => result.kind === 'held')) {
      await this.options
        .onNumberUnhealthy(number.phone_number_id)
        .catch((error: unknown) =>
          logger.error(
            { err: error, phoneNumberId: number.phone_number_id },
            'could not report an unhealthy number',
          ),
        );
    }
    for (const result of results) {
      metrics.increment('coxcox_outbound_sends_total', 'Outbound send attempts by outcome', {
        outcome: result.kind,
      });
      if (result.kind === 'failed') {
        logger.warn(
          { outboxId: result.claimed.id, code: result.code, reason: result.title },
          'outbound message failed',
        );
      }
    }
  }

  private async blockPair(trx: Transaction<Database>, phoneNumberId: string, recipient: string, now: number) {
    const existing = await trx
      .selectFrom('pair_pacers')
      .selectAll()
      .where('phone_number_id', '=', phoneNumberId)
      .where('recipient', '=', recipient)
      .executeTakeFirst();
    const level = existing?.backoff_level ?? 0;
    await trx
      .insertInto('pair_pacers')
      .values({
        phone_number_id: phoneNumberId,
        recipient,
        tokens: 0,
        updated_at: now,
        backoff_level: level + 1,
        blocked_until: now + pairBackoffMs(level),
      })
      .onConflict((oc) =>
        oc.columns(['phone_number_id', 'recipient']).doUpdateSet({
          tokens: 0,
          updated_at: now,
          backoff_level: level + 1,
          blocked_until: now + pairBackoffMs(level),
        }),
      )
      .execute();
  }

  private async markUnhealthy(trx: Transaction<Database>, number: NumberRow, problem: string, now: number) {
    const updated = await trx
      .updateTable('phone_numbers')
      .set({ is_healthy: 0, health_problem: `token invalid: ${problem}`.slice(0, 500), updated_at: now })
      .where('phone_number_id', '=', number.phone_number_id)
      .where('is_healthy', '=', 1)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) {
      this.options.logger.error(
        { phoneNumberId: number.phone_number_id, tenantId: number.tenant_id },
        'the access token for this number is invalid; sends are held until a new token is added',
      );
      this.options.metrics.increment('coxcox_numbers_unhealthy_total', 'Numbers marked unhealthy', {
        reason: 'token-invalid',
      });
    }
  }
}
