import type { Kysely } from 'kysely';
import type { DialectFlags } from '../store/dialect-flags.ts';
import type { Database } from '../store/schema.ts';

export interface IncomingDelivery {
  appId: string | null;
  body: Buffer;
  receivedAt: number;
}

interface Pending {
  delivery: IncomingDelivery;
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
  private queue: Pending[] = [];
  private isScheduled = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(db: Kysely<Database>, flags: DialectFlags, onCommitted: () => void = () => {}) {
    this.db = db;
    this.onCommitted = onCommitted;
    this.maxRowsPerStatement = Math.min(1000, Math.floor(flags.maxParameters / COLUMNS_PER_ROW));
  }

  /** Resolves once the delivery is durably committed. */
  write(delivery: IncomingDelivery): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ delivery, resolve, reject });
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
      await this.db
        .insertInto('webhook_deliveries')
        .values(
          chunk.map(({ delivery }) => ({
            app_id: delivery.appId,
            received_at: delivery.receivedAt,
            body: delivery.body,
          })),
        )
        .execute();
      for (const pending of chunk) pending.resolve();
      this.onCommitted();
    } catch (error) {
      for (const pending of chunk) pending.reject(error);
    }
  }
}
