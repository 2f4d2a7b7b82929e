import { channelText } from '../analysis/scenario-timeline';
import { formatDuration } from '../core/duration';
import type { JournalEvent } from '../core/events';
import type { Reporter } from '../report/reporter';
import { ProgressDisplay } from './progress';
import { shownPath } from './shown-path';

/**
 * A GameDay's live progress on stderr: a header line as each step starts (which step, what
 * it is), the checkpoints' questions and answers, each experiment's verdict; within an
 * experiment step, the run's own progress display (what is injected, what the traffic
 * sees now), headed with the step.
 */
export class ScenarioProgress {
  private total = 0;
  private readonly stream: NodeJS.WriteStream;
  /** The running experiment's display: a line said meanwhile (Ctrl-C's) goes above its status line. */
  private active: ProgressDisplay | null = null;

  constructor(
    private readonly runDir: string,
    private readonly options: { answers: 'yes-flag' | 'terminal' | 'approve'; stream?: NodeJS.WriteStream },
  ) {
    this.stream = options.stream ?? process.stderr;
  }

  /** Follows the day's journal. */
  reporter(): Reporter<unknown> {
    return { name: 'progress', onEvent: (event) => this.onEvent(event) };
  }

  /** Follows one experiment step's run, with its own status line. */
  stepReporter(step: { step: number; total: number; name: string }): Reporter {
    const display = new ProgressDisplay(this.stream, `step ${step.step}/${step.total} ${step.name.slice(0, 32)}`);
    this.active = display;
    return {
      name: 'progress',
      onEvent: (event) => display.onEvent(event),
      onEnd: () => {
        display.close();
        if (this.active === display) this.active = null;
      },
    };
  }

  /** Runs a question asked at the terminal with the current step's status line put away. */
  whileAsking<T>(question: () => Promise<T>): Promise<T> {
    return this.active ? this.active.whileAsking(question) : question();
  }

  line(text: string): void {
    if (this.active) this.active.line(text);
    else this.stream.write(`${text}\n`);
  }

  private onEvent(event: JournalEvent): void {
    switch (event.type) {
      case 'scenario.started': {
        this.total = event.spec.agenda.steps.length;
        const checkpoints = event.spec.agenda.steps.filter((step) => step.kind === 'checkpoint').length;
        const decisions = checkpoints > 0 ? ` plus ${checkpoints} checkpoint${checkpoints === 1 ? '' : 's'}` : '';
        this.line(
          `GameDay ${event.scenario}: ${this.total} steps, expected ${formatDuration(event.spec.agenda.expectedMs)}` +
            `${decisions} -> ${shownPath(this.runDir)}`,
        );
        break;
      }
      case 'preflight.check':
        this.line(event.ok ? `target: ${event.detail}` : `target: FAILED: ${event.detail}`);
        break;
      case 'step.started':
        this.line(`── step ${event.step}/${this.total} · ${event.kind} · ${event.name}`);
        if (event.kind === 'experiment') this.line(`   ${event.detail} -> ${event.runDir}`);
        else if (event.kind === 'note') this.line(`   NOTE: ${event.detail}`);
        else if (event.kind === 'wait' && event.detail) this.line(`   ${event.detail}`);
        break;
      case 'checkpoint.asked': {
        if (this.options.answers === 'yes-flag') break;
        const timeout =
          event.timeoutMs === null
            ? 'no timeout'
            : `after ${formatDuration(event.timeoutMs)} the answer is ${event.default}`;
        const approve = `gameday approve ${shownPath(this.runDir)} [--no] [--as NAME]`;
        // At a terminal the prompt asks the question itself.
        if (this.options.answers === 'terminal') this.line(`   answer here, or from another terminal: ${approve}`);
        else this.line(`   ${event.question}\n   waiting for an answer: ${approve} (${timeout})`);
        break;
      }
      case 'checkpoint.answered':
        this.line(
          `   answered ${event.answer} by ${event.by} (${channelText[event.via]}) ` +
            `after ${formatDuration(event.decisionMs)}`,
        );
        break;
      case 'step.finished':
        if (event.kind === 'experiment') this.line(`   ${event.status.toUpperCase()}  ${event.name}: ${event.reason}`);
        else if (event.status !== 'done') this.line(`   ${event.status}: ${event.reason}`);
        break;
      case 'step.skipped':
        this.line(`── step ${event.step}/${this.total} skipped: ${event.kind} · ${event.name}`);
        break;
      case 'readiness.check': {
        const mark = event.status === 'ok' ? 'ok  ' : event.status === 'failed' ? 'FAIL' : 'skip';
        this.line(`   ${mark}  ${event.check}: ${event.detail}`);
        break;
      }
      case 'error':
        this.line(`error in ${event.where}: ${event.message}`);
        break;
    }
  }
}
