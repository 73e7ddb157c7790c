import { performance } from 'node:perf_hooks';

interface Task {
  dueAt: number;
  sequence: number;
  run: () => void;
}

function isBefore(left: Task, right: Task): boolean {
  return left.dueAt < right.dueAt || (left.dueAt === right.dueAt && left.sequence < right.sequence);
}

/**
 * One timer for every delayed event (statuses, replies, template reviews): a min-heap by due time, so
 * that thousands of sends a second cost one armed `setTimeout`, and `close()` clears them all. Delays
 * run on real time; timestamps inside the events come from the simulator's clock.
 */
export class TaskScheduler {
  readonly #heap: Task[] = [];
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | null = null;
  #armedFor = Number.POSITIVE_INFINITY;
  #sequence = 0;
  #isPaused = false;
  #isClosed = false;

  constructor(onError: (error: unknown) => void = () => {}) {
    this.#onError = onError;
  }

  get pending(): number {
    return this.#heap.length;
  }

  get isPaused(): boolean {
    return this.#isPaused;
  }

  schedule(delayMs: number, run: () => void): void {
    if (this.#isClosed) return;
    this.#sequence += 1;
    this.#push({ dueAt: performance.now() + Math.max(0, delayMs), sequence: this.#sequence, run });
    this.#arm();
  }

  /** Holds every event until `resume()` or `runAll()`: for tests that inspect in-between states. */
  pause(): void {
    this.#isPaused = true;
    this.#disarm();
  }

  resume(): void {
    this.#isPaused = false;
    this.#arm();
  }

  /** Runs every pending event now, due or not, in due order, including events they schedule. */
  runAll(): number {
    let ran = 0;
    // Bounded: a persona answering an agent that answers back must not spin forever.
    while (this.#heap.length > 0 && ran < 1_000_000) {
      this.#runTask(this.#pop());
      ran += 1;
    }
    this.#arm();
    return ran;
  }

  clear(): void {
    this.#heap.length = 0;
    this.#disarm();
  }

  close(): void {
    this.#isClosed = true;
    this.clear();
  }

  #runTask(task: Task): void {
    try {
      task.run();
    } catch (error) {
      this.#onError(error);
    }
  }

  #fire = (): void => {
    this.#timer = null;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = performance.now();
    while (this.#heap.length > 0 && !this.#isPaused && (this.#heap[0] as Task).dueAt <= now + 0.5) {
      this.#runTask(this.#pop());
    }
    this.#arm();
  };

  #arm(): void {
    if (this.#isPaused || this.#isClosed || this.#heap.length === 0) return;
    const dueAt = (this.#heap[0] as Task).dueAt;
    if (this.#timer !== null && this.#armedFor <= dueAt) return;
    this.#disarm();
    this.#armedFor = dueAt;
    this.#timer = setTimeout(this.#fire, Math.max(0, dueAt - performance.now()));
  }

  #disarm(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#armedFor = Number.POSITIVE_INFINITY;
  }

  #push(task: Task): void {
    const heap = this.#heap;
    heap.push(task);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!isBefore(heap[index] as Task, heap[parent] as Task)) break;
      [heap[index], heap[parent]] = [heap[parent] as Task, heap[index] as Task];
      index = parent;
    }
  }

  #pop(): Task {
    const heap = this.#heap;
    const top = heap[0] as Task;
    const last = heap.pop() as Task;
    if (heap.length > 0) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && isBefore(heap[left] as Task, heap[smallest] as Task)) smallest = left;
        if (right < heap.length && isBefore(heap[right] as Task, heap[smallest] as Task)) smallest = right;
        if (smallest === index) break;
        [heap[index], heap[smallest]] = [heap[smallest] as Task, heap[index] as Task];
        index = smallest;
      }
    }
    return top;
  }
}
