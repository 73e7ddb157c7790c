import { Agent, request } from 'undici';
import type { Clock } from './clock.ts';
import { hubSignature256, hubSignatureSha1 } from './hub-signature.ts';
import { metaJson } from './meta-json.ts';
import type { WebhookDeliveryOptions } from './simulator-options.ts';
import type { SimulatorState } from './simulator-state.ts';
import { buildWebhookBody, type WebhookItem } from './webhook-body.ts';

interface QueuedItem {
  url: string;
  item: WebhookItem;
}

interface Lane {
  queue: QueuedItem[];
  head: number;
  isBusy: boolean;
  isFlushScheduled: boolean;
}

export interface WebhookSenderOptions {
  appSecret: string;
  delivery: WebhookDeliveryOptions;
  /** Where a WABA's webhooks go; null when it has no subscription or no URL (the item is suppressed). */
  resolveUrl: (wabaId: string) => string | null;
  state: SimulatorState;
  clock: Clock;
}

function laneIndex(key: string, lanes: number): number {
  let hash = 2166136261; // FNV-1a
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0) % lanes;
}

/**
 * Posts signed webhooks the way Meta does: bodies serialized like Meta's (`\/`, `\uXXXX`), signed with
 * `X-Hub-Signature-256` over those exact bytes, batched (several items per POST when several are
 * ready), and retried with backoff until the receiver answers 200, a bounded number of times.
 *
 * Items are spread over `concurrency` lanes by customer: each lane has one POST in flight, so the
 * events about one customer arrive in the order they were queued, while customers go in parallel.
 * A lane waits while its POST is retried, keeping that order.
 */
export class WebhookSender {
  readonly #options: WebhookSenderOptions;
  readonly #lanes: Lane[];
  readonly #agent: Agent;
  readonly #abort = new AbortController();
  /** Retry waits, so that `close()` can end them at once. */
  readonly #retryWaits = new Map<NodeJS.Timeout, () => void>();
  #idleWaiters: Array<() => void> = [];
  #isClosed = false;

  constructor(options: WebhookSenderOptions) {
    this.#options = options;
    this.#lanes = Array.from({ length: options.delivery.concurrency }, () => ({
      queue: [],
      head: 0,
      isBusy: false,
      isFlushScheduled: false,
    }));
    this.#agent = new Agent({ keepAliveTimeout: 10_000, connections: options.delivery.concurrency * 2 });
  }

  /** Items queued or in flight. */
  get pending(): number {
    let pending = 0;
    for (const lane of this.#lanes) pending += lane.queue.length - lane.head + (lane.isBusy ? 1 : 0);
    return pending;
  }

  enqueue(item: WebhookItem): void {
    if (this.#isClosed) return;
    const url = this.#options.resolveUrl(item.wabaId);
    if (url === null) {
      this.#options.state.counts.webhooksSuppressed += 1;
      return;
    }
    const lane = this.#lanes[laneIndex(item.laneKey, this.#lanes.length)] as Lane;
    lane.queue.push({ url, item });
    this.#scheduleFlush(lane);
  }

  /** Resolves when nothing is queued, in flight or waiting for a retry. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Drops everything queued (in-flight POSTs finish). */
  clear(): void {
    for (const lane of this.#lanes) {
      lane.queue = [];
      lane.head = 0;
    }
    this.#notifyIfIdle();
  }

  async close(): Promise<void> {
    this.#isClosed = true;
    this.clear();
    for (const [timer, resolve] of this.#retryWaits) {
      clearTimeout(timer);
      resolve();
    }
    this.#retryWaits.clear();
    this.#abort.abort();
    await this.#agent.destroy().catch(() => {});
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #scheduleFlush(lane: Lane): void {
    if (lane.isBusy || lane.isFlushScheduled) return;
    lane.isFlushScheduled = true;
    // One macrotask later: every status that fell due in this tick joins the same POST.
    setImmediate(() => {
      lane.isFlushScheduled = false;
      void this.#flush(lane);
    });
  }

  #takeBatch(lane: Lane): QueuedItem[] {
    const first = lane.queue[lane.head] as QueuedItem;
    const batch: QueuedItem[] = [];
    while (lane.head < lane.queue.length && batch.length < this.#options.delivery.maxBatchSize) {
      const next = lane.queue[lane.head] as QueuedItem;
      if (next.url !== first.url) break;
      batch.push(next);
      lane.head += 1;
    }
    if (lane.head === lane.queue.length) {
      lane.queue = [];
      lane.head = 0;
    } else if (lane.head > 4096) {
      lane.queue = lane.queue.slice(lane.head);
      lane.head = 0;
    }
    return batch;
  }

  async #flush(lane: Lane): Promise<void> {
    if (this.#isClosed || lane.isBusy || lane.head >= lane.queue.length) {
      this.#notifyIfIdle();
      return;
    }
    lane.isBusy = true;
    const batch = this.#takeBatch(lane);
    const body = metaJson(
      buildWebhookBody(
        batch.map((queued) => queued.item),
        Math.floor(this.#options.clock.now() / 1000),
      ),
    );
    await this.#deliver((batch[0] as QueuedItem).url, body);
    lane.isBusy = false;
    if (lane.head < lane.queue.length) this.#scheduleFlush(lane);
    else this.#notifyIfIdle();
  }

  async #deliver(url: string, body: string): Promise<void> {
    const { appSecret, delivery, state } = this.#options;
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'facebookexternalua',
      'x-hub-signature': hubSignatureSha1(body, appSecret),
      'x-hub-signature-256': hubSignature256(body, appSecret),
    };
    for (let attempt = 0; ; attempt += 1) {
      if (this.#isClosed) return;
      if (await this.#post(url, body, headers)) {
        state.counts.webhookPosts += 1;
        return;
      }
      state.counts.webhookFailures += 1;
      const delayMs = delivery.retryDelaysMs[attempt];
      if (delayMs === undefined) {
        state.counts.webhooksDropped += 1;
        return;
      }
      state.counts.webhookRetries += 1;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#retryWaits.delete(timer);
          resolve();
        }, delayMs);
        this.#retryWaits.set(timer, resolve);
      });
    }
  }

  async #post(url: string, body: string, headers: Record<string, string>): Promise<boolean> {
    try {
      const response = await request(url, {
        method: 'POST',
        headers,
        body,
        dispatcher: this.#agent,
        signal: this.#abort.signal,
        headersTimeout: this.#options.delivery.timeoutMs,
        bodyTimeout: this.#options.delivery.timeoutMs,
      });
      await response.body.dump();
      // Meta counts anything but 200 as a failure (cloud-api-details.md §1.3).
      return response.statusCode === 200;
    } catch {
      return false;
    }
  }

  #notifyIfIdle(): void {
    if (this.#idleWaiters.length === 0 || this.pending > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
