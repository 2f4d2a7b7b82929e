const flushIntervalMs = 1_000;

/**
 * Rows go to the journal once a second, in one event, so a report can be rebuilt from
 * the journal alone and a killed run loses at most a second of samples.
 */
export class JournalBatcher<Row> {
  private pending: Row[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly write: (rows: Row[]) => void) {
    this.timer = setInterval(() => this.flush(), flushIntervalMs);
  }

  push(row: Row): void {
    this.pending.push(row);
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    this.write(rows);
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

/** Journal rows keep times to 0.1 ms: finer is noise, and it keeps the journal small. */
export function tenths(ms: number): number {
  return Math.round(ms * 10) / 10;
}
