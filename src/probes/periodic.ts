import { now, sleep } from '../core/clock';
import type { CheckRow } from '../core/events';
import type { Journal } from '../core/journal';
import { JournalBatcher, tenths } from './batcher';

/** What one check found: ok or not, why not, and a small value worth keeping (answers, a row, a return value). */
export interface CheckResult {
  ok: boolean;
  error?: string;
  value?: unknown;
}

/** A check gets a signal that aborts when its timeout expires, and its 1-based call number. */
export type Check = (signal: AbortSignal, seq: number) => Promise<CheckResult>;

export interface PeriodicSpec {
  name: string;
  kind: string;
  /** Between the scheduled starts of two checks, ms. */
  every: number;
  timeout: number;
}

const maxErrorLength = 500;

/**
 * A probe that checks something at a fixed interval (dns, sql, function probes), one check
 * at a time: a check still running when the next is due delays it, and slots missed that
 * way are skipped rather than fired in a burst, so a hanging dependency is sampled no
 * faster than it answers. Each check is bounded by the timeout; anything it throws or
 * rejects with is a failed sample, never an error of the run. Samples go to the journal
 * as `check.samples`.
 */
export class PeriodicCheck {
  private readonly batcher: JournalBatcher<CheckRow>;
  private readonly stopController = new AbortController();
  private loop: Promise<void> | null = null;
  checks = 0;
  failures = 0;

  constructor(
    private readonly spec: PeriodicSpec,
    private readonly journal: Journal,
    readonly url: string,
    private readonly check: Check,
    private readonly redact: (text: string) => string = (text) => text,
    /** Releases what the checks hold (a kept connection) once the last one is done. */
    private readonly release: () => Promise<void> | void = () => undefined,
  ) {
    this.batcher = new JournalBatcher((rows) => journal.append({ type: 'check.samples', probe: spec.name, rows }));
  }

  get name(): string {
    return this.spec.name;
  }

  start(): void {
    if (this.loop) return;
    this.journal.append({
      type: 'probe.started',
      probe: this.spec.name,
      kind: this.spec.kind,
      url: this.url,
      rate: 1000 / this.spec.every,
    });
    this.loop = this.run();
  }

  /** Stops scheduling and waits for the check in flight (bounded by its timeout). */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopController.abort();
    await this.loop;
    this.loop = null;
    await this.release();
    this.batcher.close();
    this.journal.append({ type: 'probe.stopped', probe: this.spec.name, requests: this.checks, errors: this.failures });
  }

  private async run(): Promise<void> {
    const t0 = now();
    let slot = 0;
    while (!this.stopController.signal.aborted) {
      const due = t0 + slot * this.spec.every;
      await sleep(due - now(), this.stopController.signal);
      if (this.stopController.signal.aborted) break;
      this.checks++;
      const result = await this.once(this.checks);
      const row: CheckRow = [
        tenths(due),
        tenths(now() - due),
        result.ok ? 1 : 0,
        result.ok ? '' : this.redact(result.error || 'failed').slice(0, maxErrorLength),
        result.value ?? null,
      ];
      if (!result.ok) this.failures++;
      this.batcher.push(row);
      slot = Math.max(slot + 1, Math.ceil((now() - t0) / this.spec.every));
    }
  }

  private async once(seq: number): Promise<CheckResult> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<CheckResult>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new Error(`timed out after ${this.spec.timeout} ms`));
        resolve({ ok: false, error: `timed out after ${this.spec.timeout} ms` });
      }, this.spec.timeout);
    });
    // Called inside the promise chain so a synchronous throw is caught like a rejection;
    // the catch stays attached after a timeout so a late rejection is never unhandled.
    const checked = Promise.resolve()
      .then(() => this.check(controller.signal, seq))
      .catch((error: unknown): CheckResult => ({ ok: false, error: describeError(error) }));
    try {
      return await Promise.race([checked, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** An error's text for a sample: message, with an errno-style code when there is one. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error.message || error.name;
    return code && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return typeof error === 'string' ? error : (safeJson(error) ?? String(error));
}

/** JSON text of a value, or undefined when it has none (functions, cycles, BigInt). */
export function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
