import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

export interface ReplaySelection {
  /** Every stored delivery. */
  all?: boolean;
  /** Deliveries with these ids. */
  ids?: number[];
  /** Deliveries from this id on. */
  fromId?: number;
  /** Deliveries in these states (for example `invalid` or `failed` after a fix). */
  states?: string[];
  /** Only deliveries that had events for an unknown number or WABA. */
  isUnrouted?: boolean;
  /** Only deliveries with events refused because their app was not entitled to the number or WABA. */
  isRefused?: boolean;
}

/**
 * Marks stored deliveries pending again so the inbox worker re-processes them. Processing is keyed by
 * unique constraints, so a replay applies only what was missing (an event for a number added since)
 * and otherwise changes nothing. A replayed event passes the same entitlement check as a new one (the
 * worker decides it again from the delivery's app and today's owners): a replay never applies an event
 * that its app may not carry. Returns how many deliveries were queued again.
 */
export async function replayDeliveries(db: Kysely<Database>, selection: ReplaySelection): Promise<number> {
  const hasFilter =
    selection.all === true ||
    (selection.ids?.length ?? 0) > 0 ||
    selection.fromId !== undefined ||
    (selection.states?.length ?? 0) > 0 ||
    selection.isUnrouted === true ||
    selection.isRefused === true;
  if (!hasFilter)
    throw new Error('choose what to replay: --all, --id N, --from N, --state S, --unrouted or --refused');
  let update = db.updateTable('webhook_deliveries').set({ state: 'pending', attempts: 0 });
  if (selection.ids?.length) update = update.where('id', 'in', selection.ids);
  if (selection.fromId !== undefined) update = update.where('id', '>=', selection.fromId);
  if (selection.states?.length) update = update.where('state', 'in', selection.states);
  if (selection.isUnrouted) update = update.where('unrouted_count', '>', 0);
  if (selection.isRefused) update = update.where('refused_count', '>', 0);
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
