import type { AccountUpdateData } from '../whatsapp/index.ts';

/**
 * What Meta's `account_update` webhooks have said about a WABA, one aspect at a time, each with the time
 * of the event that set it. Webhooks arrive in any order (a retried delivery, a replay, a backlog after an
 * outage), so an event only changes an aspect when it is at least as new as what set it: a 2020 event
 * never overrides a 2025 one (cloud-api-details.md §2, account_update).
 */
export interface AccountState {
  /** `DISABLED_UPDATE`'s `ban_info`: SCHEDULE_FOR_DISABLE, DISABLE or REINSTATE, and Meta's date for it. */
  ban: { state: string; date: string | null; at: number } | null;
  /** The restrictions of the latest `ACCOUNT_RESTRICTION` (an empty list lifts them). */
  restrictions: {
    items: { restrictionType: string | null; expiration: number | null }[];
    at: number;
  } | null;
  violation: { type: string | null; at: number } | null;
  /** The solution partner's access: PARTNER_ADDED / PARTNER_APP_INSTALLED against PARTNER_REMOVED / PARTNER_APP_UNINSTALLED. */
  partner: {
    state: 'connected' | 'removed';
    event: string;
    reason: string | null;
    initiatedBy: string | null;
    at: number;
  } | null;
  /** The account's existence: ACCOUNT_OFFBOARDED and ACCOUNT_DELETED against ACCOUNT_RECONNECTED. */
  connection: { state: 'offboarded' | 'deleted' | 'reconnected'; at: number } | null;
  /** MM_LITE_TERMS_SIGNED: the Marketing Messages Lite API may be used. */
  mmLiteTermsSignedAt: number | null;
  /** `account_review_update`: Meta's review of the business (APPROVED, REJECTED, PENDING, DEFERRED). */
  review: { decision: string; at: number } | null;
  /** The newest event of any kind, for display. */
  latest: { event: string; at: number } | null;
}

export const emptyAccountState: AccountState = {
  ban: null,
  restrictions: null,
  violation: null,
  partner: null,
  connection: null,
  mmLiteTermsSignedAt: null,
  review: null,
  latest: null,
};

/** Whether an event at `at` may replace an aspect last set at `current.at`: ties go to the later arrival. */
const isNewer = (current: { at: number } | null, at: number) => current === null || at >= current.at;

/** Folds one `account_update` into the state. Pure, and order-independent for events with distinct times. */
export function applyAccountUpdate(state: AccountState, data: AccountUpdateData, at: number): AccountState {
  const event = data.event?.toUpperCase() ?? 'UNKNOWN';
  const next: AccountState = { ...state };
  if (isNewer(state.latest, at)) next.latest = { event, at };
  switch (event) {
    case 'DISABLED_UPDATE': {
      const banState = data.banInfo?.state?.toUpperCase() ?? null;
      if (banState !== null && isNewer(state.ban, at))
        next.ban = { state: banState, date: data.banInfo?.date ?? null, at };
      break;
    }
    case 'ACCOUNT_RESTRICTION':
      if (isNewer(state.restrictions, at)) next.restrictions = { items: data.restrictions, at };
      break;
    case 'ACCOUNT_VIOLATION':
      if (isNewer(state.violation, at)) next.violation = { type: data.violationType, at };
      break;
    case 'PARTNER_ADDED':
    case 'PARTNER_APP_INSTALLED':
    case 'PARTNER_REMOVED':
    case 'PARTNER_APP_UNINSTALLED':
      if (isNewer(state.partner, at)) {
        next.partner = {
          state: event === 'PARTNER_ADDED' || event === 'PARTNER_APP_INSTALLED' ? 'connected' : 'removed',
          event,
          reason: data.disconnectionInfo?.reason ?? null,
          initiatedBy: data.disconnectionInfo?.initiatedBy ?? null,
          at,
        };
      }
      break;
    case 'ACCOUNT_OFFBOARDED':
    case 'ACCOUNT_DELETED':
    case 'ACCOUNT_RECONNECTED':
      if (isNewer(state.connection, at)) {
        const connection =
          event === 'ACCOUNT_OFFBOARDED'
            ? 'offboarded'
            : event === 'ACCOUNT_DELETED'
              ? 'deleted'
              : 'reconnected';
        next.connection = { state: connection, at };
      }
      break;
    case 'MM_LITE_TERMS_SIGNED':
      next.mmLiteTermsSignedAt = Math.min(state.mmLiteTermsSignedAt ?? at, at);
      break;
  }
  return next;
}

/** Folds one `account_review_update` into the state, by the same rule: never over a newer decision. */
export function applyAccountReview(state: AccountState, decision: string | null, at: number): AccountState {
  if (decision === null || !isNewer(state.review, at)) return state;
  return {
    ...state,
    review: { decision: decision.toUpperCase(), at },
    latest: isNewer(state.latest, at) ? { event: 'ACCOUNT_REVIEW_UPDATE', at } : state.latest,
  };
}

/** Reads a stored state, tolerating rows written before a field existed. */
export function parseAccountState(json: string | null): AccountState {
  if (json === null) return emptyAccountState;
  try {
    return { ...emptyAccountState, ...(JSON.parse(json) as Partial<AccountState>) };
  } catch {
    return emptyAccountState;
  }
}
