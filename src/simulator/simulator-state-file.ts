import { existsSync, readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { parseSnapshot, type SimulatorSnapshot } from './simulator-snapshot.ts';

/** At most one write per 200 ms: a burst of sends or signups costs one write, and a crash loses little. */
const SAVE_DELAY_MS = 200;

/**
 * The simulator's state on disk, so that a restart keeps what Meta would keep (`stateFile`). It holds
 * access tokens, so it is written owner-only (0600), and atomically: a temporary file, flushed to disk,
 * then renamed over the old one, so a crash leaves either the old state or the new one.
 */
export class SimulatorStateFile {
  readonly path: string;
  readonly #take: () => SimulatorSnapshot;
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> = Promise.resolve();
  #lastWritten: string | null = null;

  constructor(path: string, take: () => SimulatorSnapshot) {
    this.path = path;
    this.#take = take;
  }

  /** The saved state, or null when there is no file yet. A file that cannot be read stops the start. */
  static read(path: string): SimulatorSnapshot | null {
    if (!existsSync(path)) return null;
    try {
      return parseSnapshot(JSON.parse(readFileSync(path, 'utf8')));
    } catch (error) {
      throw new Error(
        `The simulator state file ${path} cannot be read (${(error as Error).message}); move it away to start over`,
      );
    }
  }

  /** Something changed: save soon. */
  changed(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#enqueueSave();
    }, SAVE_DELAY_MS);
    // A pending save must not keep the process alive; close() flushes it.
    this.#timer.unref();
  }

  /** Saves now if anything changed, after any write in progress. */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    await this.#enqueueSave();
  }

  #enqueueSave(): Promise<void> {
    this.#writing = this.#writing.then(() =>
      this.#save().catch((error: unknown) => {
        // A failed save must not take the simulator down; the next change tries again.
        process.emitWarning(
          `could not save the simulator state to ${this.path}: ${(error as Error).message}`,
        );
      }),
    );
    return this.#writing;
  }

  async #save(): Promise<void> {
    const text = `${JSON.stringify(this.#take())}\n`;
    if (text === this.#lastWritten) return;
    const temporary = `${this.path}.${process.pid}.tmp`;
    const file = await open(temporary, 'w', 0o600);
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, this.path);
    this.#lastWritten = text;
  }
}
