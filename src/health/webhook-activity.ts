import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { AppliedEvent } from '../whatsapp/index.ts';
import './health-schema.ts';

interface AppActivity {
  lastReceivedAt: number | null;
  signatureFailures: number;
  lastSignatureFailureAt: number | null;
}

/**
 * When webhooks were last seen (per app and per number) and how many failed their signature, kept in
 * memory on the hot path and written every few seconds: a flood of forged POSTs must not turn into a
 * flood of database writes, and ingestion must not pay a write per event.
 */
export class WebhookActivity {
  readonly #apps = new Map<string, AppActivity>();
  /** `tenant|phone:<id>` or `tenant|waba:<id>` → the latest event time. */
  readonly #numbers = new Map<string, number>();

  /** A webhook POST for `appId`: stored (signature good) or refused (signature bad). */
  noteDelivery(appId: string, isSignatureValid: boolean, atMs: number): void {
    const activity = this.#apps.get(appId) ?? {
      lastReceivedAt: null,
      signatureFailures: 0,
      lastSignatureFailureAt: null,
    };
    if (isSignatureValid) activity.lastReceivedAt = Math.max(activity.lastReceivedAt ?? 0, atMs);
    else {
      activity.signatureFailures += 1;
      activity.lastSignatureFailureAt = Math.max(activity.lastSignatureFailureAt ?? 0, atMs);
    }
    this.#apps.set(appId, activity);
  }

  /** Events applied by the inbox worker: the number (or its WABA) was heard from. */
  noteEvents(applied: readonly AppliedEvent[], atMs: number): void {
    for (const { tenantId, event } of applied) {
      const key = event.phoneNumberId
        ? `${tenantId}|phone:${event.phoneNumberId}`
        : event.wabaId
          ? `${tenantId}|waba:${event.wabaId}`
          : null;
      if (key) this.#numbers.set(key, atMs);
    }
  }

  #inFlight: Promise<unknown> = Promise.resolve();

  /**
   * Writes what accumulated since the last flush; returns how many rows it touched. Flushes run one
   * after another, so a caller's flush also waits for one the background loop already started.
   */
  flush(db: Kysely<Database>, nowMs: number): Promise<number> {
    const run = this.#inFlight.then(() => this.#flushNow(db, nowMs));
    this.#inFlight = run.catch(() => {});
    return run;
  }

  async #flushNow(db: Kysely<Database>, nowMs: number): Promise<number> {
    const apps = [...this.#apps];
    const numbers = [...this.#numbers];
    this.#apps.clear();
    this.#numbers.clear();
    if (apps.length === 0 && numbers.length === 0) return 0;
    try {
      await db.transaction().execute(async (trx) => {
        for (const [appId, activity] of apps) {
          await trx
            .insertInto('webhook_app_stats')
            .values({
              app_id: appId,
              last_received_at: activity.lastReceivedAt,
              signature_failures: activity.signatureFailures,
              last_signature_failure_at: activity.lastSignatureFailureAt,
              updated_at: nowMs,
            })
            .onConflict((oc) =>
              oc.column('app_id').doUpdateSet((eb) => ({
                signature_failures: eb(
                  'webhook_app_stats.signature_failures',
                  '+',
                  activity.signatureFailures,
                ),
                ...(activity.lastReceivedAt === null ? {} : { last_received_at: activity.lastReceivedAt }),
                ...(activity.lastSignatureFailureAt === null
                  ? {}
                  : { last_signature_failure_at: activity.lastSignatureFailureAt }),
                updated_at: nowMs,
              })),
            )
            .execute();
        }
        for (const [key, atMs] of numbers) {
          const [tenantId, target] = key.split('|') as [string, string];
          const [kind, id] = target.split(/:(.*)/s) as [string, string];
          const rows = await trx
            .selectFrom('phone_numbers')
            .select('phone_number_id')
            .where('tenant_id', '=', tenantId)
            .where(kind === 'phone' ? 'phone_number_id' : 'waba_id', '=', id)
            .execute();
          for (const row of rows) {
            await trx
              .insertInto('number_health')
              .values({
                phone_number_id: row.phone_number_id,
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
                last_webhook_at: atMs,
                updated_at: nowMs,
              })
              .onConflict((oc) => oc.column('phone_number_id').doUpdateSet({ last_webhook_at: atMs }))
              .execute();
          }
        }
      });
    } catch (error) {
      // Not written: put the counts back so that the next flush carries them.
      for (const [appId, activity] of apps) {
        const current = this.#apps.get(appId);
        this.#apps.set(appId, {
          lastReceivedAt: Math.max(activity.lastReceivedAt ?? 0, current?.lastReceivedAt ?? 0) || null,
          signatureFailures: activity.signatureFailures + (current?.signatureFailures ?? 0),
          lastSignatureFailureAt:
            Math.max(activity.lastSignatureFailureAt ?? 0, current?.lastSignatureFailureAt ?? 0) || null,
        });
      }
      for (const [key, atMs] of numbers) this.#numbers.set(key, Math.max(atMs, this.#numbers.get(key) ?? 0));
      throw error;
    }
    return apps.length + numbers.length;
  }
}
