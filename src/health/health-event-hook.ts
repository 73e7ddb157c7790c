import type { Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import type {
  AccountUpdateData,
  EventHook,
  PhoneNumberNameData,
  PhoneNumberQualityData,
} from '../whatsapp/index.ts';
import { applyAccountReview, applyAccountUpdate, parseAccountState } from './account-state.ts';
import type { NumberHealth } from './number-health.ts';
import './health-schema.ts';

/**
 * What a `phone_number_quality_update` says about the rating: FLAGGED means quality fell to low,
 * UNFLAGGED that it recovered (Meta, "phone_number_quality_update"). Other events move the limit only.
 */
const qualityByEvent: Record<string, string> = { FLAGGED: 'RED', UNFLAGGED: 'GREEN' };

const digits = (value: string | null) => value?.replace(/\D/g, '') ?? '';

/** The tenant's numbers an event is about: the number named, or the one with that display number, or the whole WABA. */
async function numbersFor(
  trx: Transaction<Database>,
  tenantId: string,
  wabaId: string | null,
  phoneNumberId: string | null,
  displayPhoneNumber: string | null,
): Promise<string[]> {
  if (phoneNumberId) {
    const row = await trx
      .selectFrom('phone_numbers')
      .select('phone_number_id')
      .where('tenant_id', '=', tenantId)
      .where('phone_number_id', '=', phoneNumberId)
      .executeTakeFirst();
    return row ? [row.phone_number_id] : [];
  }
  if (!wabaId) return [];
  const rows = await trx
    .selectFrom('phone_numbers')
    .select(['phone_number_id', 'display_phone_number'])
    .where('tenant_id', '=', tenantId)
    .where('waba_id', '=', wabaId)
    .execute();
  const wanted = digits(displayPhoneNumber);
  const matching = wanted === '' ? rows : rows.filter((row) => digits(row.display_phone_number) === wanted);
  // A display number we do not have on file (formats differ): the event is about the WABA's numbers.
  return (matching.length > 0 ? matching : rows).map((row) => row.phone_number_id);
}

/**
 * Applies Meta's quality and account webhooks to the numbers, in the transaction that records them. A
 * quality downgrade lowers `messaging_tier`, which the dispatcher reads on every claim, so the pacer
 * follows at once; the number's health is reassessed and the change recorded as an event.
 */
export function createHealthEventHook(deps: { health: NumberHealth; now: () => number }): EventHook {
  return async (trx, applied) => {
    if (!applied.isNew) return;
    const { event, tenantId } = applied;
    const at = event.occurredAt ?? deps.now();
    if (event.kind === 'phone-number-quality-updated') {
      const data: PhoneNumberQualityData = event.data;
      const ids = await numbersFor(trx, tenantId, event.wabaId, event.phoneNumberId, data.displayPhoneNumber);
      const tier = data.messagingLimitTier?.toUpperCase() ?? null;
      const quality = data.event ? (qualityByEvent[data.event.toUpperCase()] ?? null) : null;
      for (const phoneNumberId of ids) {
        await deps.health.ensureRow(trx, phoneNumberId, tenantId);
        if (tier !== null || quality !== null) {
          await trx
            .updateTable('phone_numbers')
            .set({
              ...(tier === null ? {} : { messaging_tier: tier }),
              ...(quality === null ? {} : { quality_rating: quality }),
              updated_at: deps.now(),
            })
            .where('phone_number_id', '=', phoneNumberId)
            .execute();
        }
        await trx
          .updateTable('number_health')
          .set({
            last_quality_update: JSON.stringify({
              event: data.event,
              currentLimit: tier,
              oldLimit: data.oldLimit,
            }),
            last_quality_update_at: at,
            // What Meta says now, so that the next poll does not take it for a new change.
            ...(tier === null ? {} : { graph_messaging_tier: tier }),
            ...(quality === null ? {} : { graph_quality_rating: quality }),
          })
          .where('phone_number_id', '=', phoneNumberId)
          .execute();
        await deps.health.refresh(trx, phoneNumberId);
      }
      return;
    }
    if (event.kind === 'phone-number-name-updated') {
      // An APPROVED display name is the number's verified name from now on (Meta's phone_number_name_update);
      // a rejection leaves the current name, and the event log keeps the reason.
      const data: PhoneNumberNameData = event.data;
      if (data.decision?.toUpperCase() !== 'APPROVED' || !data.requestedVerifiedName) return;
      const ids = await numbersFor(trx, tenantId, event.wabaId, event.phoneNumberId, data.displayPhoneNumber);
      if (ids.length === 0) return;
      await trx
        .updateTable('phone_numbers')
        .set({ verified_name: data.requestedVerifiedName, updated_at: deps.now() })
        .where('phone_number_id', 'in', ids)
        .execute();
      return;
    }
    if (event.kind === 'account-review-updated') {
      const ids = await numbersFor(trx, tenantId, event.wabaId, event.phoneNumberId, null);
      for (const phoneNumberId of ids) {
        await deps.health.ensureRow(trx, phoneNumberId, tenantId);
        const row = await trx
          .selectFrom('number_health')
          .select('account_state')
          .where('phone_number_id', '=', phoneNumberId)
          .executeTakeFirstOrThrow();
        const state = applyAccountReview(parseAccountState(row.account_state), event.data.decision, at);
        await trx
          .updateTable('number_health')
          .set({ account_state: JSON.stringify(state) })
          .where('phone_number_id', '=', phoneNumberId)
          .execute();
        await deps.health.refresh(trx, phoneNumberId);
      }
      return;
    }
    if (event.kind === 'account-updated') {
      const data: AccountUpdateData = event.data;
      const ids = await numbersFor(trx, tenantId, event.wabaId, event.phoneNumberId, data.phoneNumber);
      const summary = {
        event: data.event,
        ...(data.restrictions.length > 0 ? { restrictions: data.restrictions } : {}),
        ...(data.banInfo ? { banInfo: data.banInfo } : {}),
        ...(data.violationType ? { violationType: data.violationType } : {}),
        ...(data.disconnectionInfo ? { disconnectionInfo: data.disconnectionInfo } : {}),
      };
      for (const phoneNumberId of ids) {
        await deps.health.ensureRow(trx, phoneNumberId, tenantId);
        // The transaction holds this number's lock (lockInOrder), so the read and the write cannot interleave.
        const row = await trx
          .selectFrom('number_health')
          .select(['account_state', 'last_account_update_at'])
          .where('phone_number_id', '=', phoneNumberId)
          .executeTakeFirstOrThrow();
        const state = applyAccountUpdate(parseAccountState(row.account_state), data, at);
        const isLatest = row.last_account_update_at === null || at >= row.last_account_update_at;
        await trx
          .updateTable('number_health')
          .set({
            account_state: JSON.stringify(state),
            ...(isLatest ? { last_account_update: JSON.stringify(summary), last_account_update_at: at } : {}),
          })
          .where('phone_number_id', '=', phoneNumberId)
          .execute();
        await deps.health.refresh(trx, phoneNumberId);
      }
    }
  };
}
