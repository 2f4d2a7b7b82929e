import type { JournalEvent } from '../core/events';
import { formatDuration } from '../core/duration';
import { noteLabel } from '../analysis/timeline';
import { unmetSteadyStateFailures } from '../analysis/format';
import { writeControl } from './redacted-output';

interface ProgressState {
  phase: string;
  startedAt: number;
  observeStart: number | null;
  observeMs: number;
  recent: Array<{ t: number; ok: boolean }>;
  activeFaults: Set<string>;
}

/**
 * Live progress on stderr. On a TTY one status line is redrawn (phase, elapsed, current
 * success ratio, active faults); otherwise only notable events are printed, one per line,
 * so CI logs stay readable. Stdout is left alone (it carries --json output). In a GameDay
 * each experiment step has its own display, whose `header` says which step it is.
 */
export class ProgressDisplay {
  private readonly state: ProgressState = {
    phase: 'starting',
    startedAt: Date.now(),
    observeStart: null,
    observeMs: 0,
    recent: [],
    activeFaults: new Set(),
  };
  private readonly timer: NodeJS.Timeout | undefined;
  private statusLineShown = false;
  /** A question is up at the terminal: the status line stays away so it neither erases nor interleaves with it. */
  private asking = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly header: string | null = null,
  ) {
    if (this.stream.isTTY) this.timer = setInterval(() => this.redraw(), 250);
  }

  onEvent(event: JournalEvent): void {
    const s = this.state;
    switch (event.type) {
      case 'phase':
        s.phase = event.phase;
        if (!this.stream.isTTY && event.phase !== 'done') this.line(`phase: ${event.phase}`);
        break;
      case 'observe.started':
        s.observeStart = event.t0;
        s.observeMs = event.durationMs;
        break;
      case 'traffic.samples':
        for (const row of event.rows) s.recent.push({ t: row[0], ok: row[3] === 1 });
        if (s.recent.length > 5_000) s.recent.splice(0, s.recent.length - 5_000);
        break;
      case 'preflight.check':
        if (!event.ok) this.line(`preflight: ${event.check} FAILED: ${event.detail}`);
        else if (event.check === 'lock') this.line(`note: ${event.detail}`);
        break;
      case 'steady-state':
        this.line(
          `steady state ${event.when}: ${event.ok ? 'ok' : 'NOT met'} ` +
            `(${event.successRatio === null ? 'no samples' : (event.successRatio * 100).toFixed(1) + '%'} ` +
            `success, need ${(event.required * 100).toFixed(1)}%` +
            `${unmetSteadyStateFailures(event)})`,
        );
        break;
      case 'fault.injected':
        s.activeFaults.add(event.fault);
        this.line(`fault ${event.fault} injected (${event.kind})`);
        break;
      case 'fault.inject-failed':
        this.line(`fault ${event.fault} could not be injected: ${event.error}`);
        break;
      case 'fault.reverted':
        s.activeFaults.delete(event.fault);
        this.line(`fault ${event.fault} reverted`);
        break;
      case 'fault.revert-failed':
        this.line(`ROLLBACK FAILED for ${event.fault}: ${event.error}`);
        break;
      case 'failover.step':
        if (event.status !== 'started')
          this.line(`failover ${event.step}: ${event.status}${event.error ? ` — ${event.error}` : ''}`);
        break;
      case 'failover.completed':
        this.line(`failover ${event.from} → ${event.to} ${event.ok ? 'completed' : 'FAILED'}: ${event.reason}`);
        break;
      case 'stop-condition.breached':
        this.line(`stop condition ${event.condition}: ${event.detail}`);
        break;
      case 'halt':
        this.line(
          event.action === 'halt'
            ? `HALT by ${event.by}: ${event.reason ?? 'no reason given'}; stopping the run and rolling back every ` +
                'injected fault…'
            : `halt released by ${event.by}`,
        );
        break;
      case 'note':
        this.line(`${noteLabel(event)} from ${event.author}: ${event.text}`);
        break;
    }
  }

  /** Prints a message above the status line. */
  line(text: string): void {
    this.clearStatus();
    this.stream.write(`${text}\n`);
    if (this.stream.isTTY && !this.asking) this.redraw();
  }

  /** Runs a question asked at the terminal (a manual failover's go-ahead) with the status line put away. */
  async whileAsking<T>(question: () => Promise<T>): Promise<T> {
    this.clearStatus();
    this.asking = true;
    try {
      return await question();
    } finally {
      this.asking = false;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.clearStatus();
  }

  private clearStatus(): void {
    if (this.statusLineShown) {
      writeControl(this.stream, '\r\x1b[2K');
      this.statusLineShown = false;
    }
  }

  private redraw(): void {
    if (this.asking) return;
    const s = this.state;
    const nowMs = Date.now();
    const elapsed = formatDuration(nowMs - s.startedAt);
    const windowStart = performance.timeOrigin + performance.now() - 5_000;
    const recent = s.recent.filter((sample) => sample.t >= windowStart);
    const ratio =
      recent.length === 0 ? 'n/a' : `${((recent.filter((x) => x.ok).length / recent.length) * 100).toFixed(1)}%`;
    const observed = s.observeStart === null ? 0 : Math.min(s.observeMs, windowStart + 5_000 - s.observeStart);
    const observe =
      s.observeStart !== null && s.phase === 'observe'
        ? ` ${formatDuration(observed)}/${formatDuration(s.observeMs)}`
        : '';
    const faults = s.activeFaults.size > 0 ? `  faults: ${[...s.activeFaults].join(', ')}` : '';
    writeControl(this.stream, '\r\x1b[2K');
    const step = this.header === null ? '' : `${this.header} · `;
    this.stream.write(`[${step}${s.phase}${observe}] elapsed ${elapsed}  success(5s) ${ratio}${faults}`);
    this.statusLineShown = true;
  }
}
