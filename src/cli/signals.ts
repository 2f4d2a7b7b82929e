import type { RunStatus } from '../core/events';
import type { InterruptReason } from '../engine/run';
import { exitCodeFor, exitCodes } from './exit-codes';

/** What a command gets: the signal its run stops on, its exit code, and the cleanup. */
export interface Interrupt {
  signal: AbortSignal;
  /** The command's exit code for its run's status: an error nothing caught, even after the run ended, is an error. */
  exitCode(status: RunStatus): number;
  dispose(): void;
}

/**
 * SIGINT/SIGTERM become an abort of the run; the engine then rolls back. A second
 * signal does not abandon the rollback — it says so and keeps waiting. Leaving a fault
 * injected because someone pressed Ctrl-C twice is the one thing we never do.
 *
 * So is an error nothing caught: a timer a probe's function left behind that throws, a library's own (Playwright's
 * client once threw from a setImmediate). By default Node ends the process there, with every fault still injected
 * until `gameday recover`; while a command runs, it stops the run as an error instead, and the run rolls back.
 */
export function interruptController(
  say: (message: string) => void,
  words = {
    stopping: 'stopping the run and rolling back every injected fault…',
    stillStopping: 'rollback is still running; gameday exits when it is done (it will not leave a fault behind)',
  },
): Interrupt {
  const controller = new AbortController();
  let count = 0;
  let uncaught: string | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      say(`${signal}: ${words.stopping}`);
      controller.abort({ signal } satisfies InterruptReason);
    } else {
      say(`${signal}: ${words.stillStopping}`);
    }
  };
  const onUncaught = (error: unknown) => {
    const described = describeUncaught(error);
    if (uncaught === null) {
      uncaught = described;
      say(`an error nothing caught: ${described}; ${words.stopping}`);
      controller.abort({ signal: 'an error nothing caught', uncaught: described } satisfies InterruptReason);
    } else say(`another error nothing caught: ${described}; the rollback goes on`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  return {
    signal: controller.signal,
    exitCode: (status) => (uncaught === null ? exitCodeFor(status) : exitCodes.error),
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onUncaught);
    },
  };
}

/** The error's first line and where it was thrown (the stack's first frame): enough to find it, not a stack trace. */
function describeUncaught(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const frame = error.stack
    ?.split('\n')
    .find((line) => line.trimStart().startsWith('at '))
    ?.trim()
    .replace(/^at /, '');
  return `${error.name}: ${error.message.split('\n')[0]}${frame ? ` (at ${frame})` : ''}`;
}
