/**
 * Runs `work` again and again while it finds something to do, then sleeps until woken or until the
 * poll interval passes (another instance may have written work this process was not told about).
 * One run at a time; `stop()` waits for the run in progress, which is how SIGTERM finishes in-flight work.
 */
export class PollLoop {
  private readonly work: () => Promise<number>;
  private readonly pollIntervalMs: number;
  private readonly onError: (error: unknown) => void;
  private isRunning = false;
  private isWoken = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeSleeper: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(work: () => Promise<number>, pollIntervalMs: number, onError: (error: unknown) => void) {
    this.work = work;
    this.pollIntervalMs = pollIntervalMs;
    this.onError = onError;
  }

  start(): void {
    if (this.isRunning) return;
    this.isRunning = true;
    this.loop = this.run();
  }

  wake(): void {
    this.isWoken = true;
    this.wakeSleeper?.();
  }

  async stop(): Promise<void> {
    this.isRunning = false;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.isRunning) {
      this.isWoken = false;
      let count = 0;
      try {
        count = await this.work();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.onError(error);
      }
      if (!this.isRunning) break;
      if (count > 0 && failures === 0) {
        // Let waiting I/O (webhook commits, HTTP requests) run between batches.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      if (this.isWoken && failures === 0) continue;
      // After a failure, back off: 1, 2, 4 … up to 30 s.
      const delayMs = failures > 0 ? Math.min(30_000, 1000 * 2 ** (failures - 1)) : this.pollIntervalMs;
      await new Promise<void>((resolve) => {
        this.wakeSleeper = resolve;
        this.timer = setTimeout(resolve, delayMs);
      });
      clearTimeout(this.timer);
      this.wakeSleeper = undefined;
    }
  }
}
