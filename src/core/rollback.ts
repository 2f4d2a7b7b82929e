import { errorMessage, GamedayError } from './errors';

/**
 * The rollback stack. Whatever changes the world pushes its undo here *before* the
 * change starts, so that an exception, a stop condition or a signal at any point can
 * still undo it. Undo runs in reverse order; one failing or hanging undo is reported
 * and never prevents the others from running.
 */

export interface RollbackEntry {
  id: string;
  description: string;
  timeoutMs: number;
  /** Undone after every entry without it: the undo needs the others undone first (a failback needs its region back). */
  last?: boolean;
  undo: () => Promise<void>;
}

export interface RollbackOutcome {
  id: string;
  ok: boolean;
  error?: string;
}

export class RollbackTimeoutError extends GamedayError {
  constructor(id: string, timeoutMs: number) {
    super(`rollback of ${id} did not finish within ${timeoutMs} ms`);
  }
}

export class RollbackStack {
  private readonly entries: RollbackEntry[] = [];

  push(entry: RollbackEntry): void {
    this.entries.push(entry);
  }

  has(id: string): boolean {
    return this.entries.some((entry) => entry.id === id);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Undoes one entry now (a fault whose duration ended) and removes it. */
  async runOne(id: string): Promise<RollbackOutcome | undefined> {
    const index = this.entries.findIndex((entry) => entry.id === id);
    if (index < 0) return undefined;
    const [entry] = this.entries.splice(index, 1);
    return runEntry(entry);
  }

  /** Undoes everything left, newest first; entries marked `last` after all the others. */
  async runAll(onEach?: (entry: RollbackEntry) => void): Promise<RollbackOutcome[]> {
    const outcomes: RollbackOutcome[] = [];
    while (this.entries.length > 0) {
      const index = this.entries.findLastIndex((entry) => !entry.last);
      const [entry] = this.entries.splice(index >= 0 ? index : this.entries.length - 1, 1);
      onEach?.(entry);
      outcomes.push(await runEntry(entry));
    }
    return outcomes;
  }
}

async function runEntry(entry: RollbackEntry): Promise<RollbackOutcome> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      entry.undo(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RollbackTimeoutError(entry.id, entry.timeoutMs)), entry.timeoutMs);
      }),
    ]);
    return { id: entry.id, ok: true };
  } catch (error) {
    return { id: entry.id, ok: false, error: errorMessage(error) };
  } finally {
    clearTimeout(timer);
  }
}
