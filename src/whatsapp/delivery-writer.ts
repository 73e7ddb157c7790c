import type { Kysely } from 'kysely';
import type { DialectFlags } from '../store/dialect-flags.ts';
import type { Database } from '../store/schema.ts';
import { findPendingOptOuts, type PendingOptOut } from './find-pending-opt-outs.ts';

export interface IncomingDelivery {
  appId: string | null;
  body: Buffer;
  receivedAt: number;
}

interface Pending {
  delivery: IncomingDelivery;
  optOuts: PendingOptOut[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

const COLUMNS_PER_ROW = 3;

/**
 * Commits raw webhook deliveries in groups: every delivery that arrives within one event-loop tick goes
 * into one multi-row INSERT, and each request is answered only after that commit. One fsync then covers
 * a hundred requests under load instead of one (group commit), while a quiet server still commits each
 * delivery at once.
 */
export class DeliveryWriter {
  private readonly db: Kysely<Database>;
  private readonly maxRowsPerStatement: number;
  private readonly onCommitted: () => void;
  private readonly isOptOutText: ((text: string) => boolean) | null;
  private queue: Pending[] = [];
  private isScheduled = false;
  private readonly inFlight = new Set<Promise<void>>();

  /**
   * `isOptOutText` says whether a customer's text is an opt-out keyword of any tenant (the tenant is not
   * known at intake). A delivery that carries one is stored with a pending opt-out per sender, in the same
   * transaction, so the dispatcher stops sending to that customer from the moment Meta has its 200.
   */
  constructor(
    db: Kysely<Database>,
    flags: DialectFlags,
    onCommitted: () => void = () => {},
    isOptOutText: ((text: string) => boolean) | null = null,
  ) {
    this.db = db;
    this.onCommitted = onCommitted;
    this.isOptOutText = isOptOutText;
    this.maxRowsPerStatement = Math.min(1000, Math.floor(flags.maxParameters / COLUMNS_PER_ROW));
  }

  /** Resolves once the delivery is durably committed. */
  write(delivery: IncomingDelivery): Promise<void> {
    const optOuts = this.isOptOutText ? findPendingOptOuts(delivery.body, this.isOptOutText) : [];
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ delivery, optOuts, resolve, reject });
      if (!this.isScheduled) {
        this.isScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Waits until every delivery handed to `write` so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight.size > 0) {
      if (this.queue.length > 0 && !this.isScheduled) this.flush();
      await Promise.allSettled([...this.inFlight]);
      if (this.queue.length > 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private flush(): void {
    this.isScheduled = false;
    const batch = this.queue;
    this.queue = [];
    for (let start = 0; start < batch.length; start += this.maxRowsPerStatement) {
      const chunk = batch.slice(start, start + this.maxRowsPerStatement);
      const commit = this.commit(chunk).finally(() => this.inFlight.delete(commit));
      this.inFlight.add(commit);
    }
  }

  private async commit(chunk: Pending[]): Promise<void> {
    try {
      const marked = chunk.filter((pending) => pending.optOuts.length > 0);
      if (marked.length === 0) await this.insert(this.db, chunk);
      else {
        // Rare (a customer's STOP): the marked deliveries one by one, for their ids, in the same transaction.
        await this.db.transaction().execute(async (trx) => {
          await this.insert(
            trx,
            chunk.filter((pending) => pending.optOuts.length === 0),
          );
          for (const pending of marked) {
            const row = await trx
              .insertInto('webhook_deliveries')
              .values({
                app_id: pending.delivery.appId,
                received_at: pending.delivery.receivedAt,
                body: pending.delivery.body,
              })
              .returning('id')
              .executeTakeFirstOrThrow();
            await trx
              .insertInto('pending_opt_outs')
              .values(
                pending.optOuts.map((optOut) => ({
                  phone_number_id: optOut.phoneNumberId,
                  wa_id: optOut.waId,
                  delivery_id: Number(row.id),
                  text: optOut.text,
                  received_at: pending.delivery.receivedAt,
                })),
              )
              .onConflict((oc) => oc.columns(['phone_number_id', 'wa_id', 'delivery_id']).doNothing())
              .execute();
          }
        });
      }
      for (const pending of chunk) pending.resolve();
      this.onCommitted();
    } catch (error) {
      for (const pending of chunk) pending.reject(error);
    }
  }

  /** One multi-row INSERT of a chunk's deliveries. */
  private async insert(db: Kysely<Database>, chunk: Pending[]): Promise<void> {
    if (chunk.length === 0) return;
    await db
      .insertInto('webhook_deliveries')
      .values(
        chunk.map(({ delivery }) => ({
          app_id: delivery.appId,
          received_at: delivery.receivedAt,
          body: delivery.body,
        })),
      )
      .execute();
  }
}
