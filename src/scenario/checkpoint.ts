import { now } from '../core/clock';
import type { CheckpointChannel } from '../core/events';
import { takeAnswer } from './answer-file';

/** A checkpoint as whoever answers it sees it. */
export interface CheckpointQuestion {
  step: number;
  /** Steps in the day, for "step 3 of 9". */
  total: number;
  question: string;
  timeoutMs: number | null;
  default: 'yes' | 'no';
  /** Where `gameday approve` answers it. */
  runDir: string;
}

/** The ways a checkpoint may be answered besides `gameday approve`, which is always open. */
export interface CheckpointAnswerers {
  /** --yes: every checkpoint answered yes at once, in this name. */
  yes?: { by: string };
  /**
   * A person at the terminal. Resolves with their answer; when another way answers first,
   * `signal` aborts and the question is withdrawn.
   */
  ask?: (checkpoint: CheckpointQuestion, signal: AbortSignal) => Promise<{ answer: 'yes' | 'no'; by: string }>;
}

export interface Decision {
  answer: 'yes' | 'no';
  by: string;
  via: CheckpointChannel;
  /** When the answer came (the clock's ms). */
  at: number;
}

/** How often the run directory is looked at for an answer from `gameday approve`. */
const pollMs = 200;

/**
 * Waits for the first answer to a checkpoint: --yes at once, else the terminal, an answer
 * file from `gameday approve`, or the timeout with its default. Null when the day is
 * interrupted first.
 */
export function awaitDecision(
  checkpoint: CheckpointQuestion,
  answerers: CheckpointAnswerers,
  signal: AbortSignal | undefined,
): Promise<Decision | null> {
  if (signal?.aborted) return Promise.resolve(null);
  if (answerers.yes) return Promise.resolve({ answer: 'yes', by: answerers.yes.by, via: 'yes-flag', at: now() });
  // A leftover answer meant for an earlier checkpoint must not answer this one.
  const stale = takeAnswer(checkpoint.runDir);
  if (stale && stale.step === checkpoint.step)
    return Promise.resolve({ answer: stale.answer, by: stale.by, via: 'approve', at: now() });
  return new Promise((resolve) => {
    const withdraw = new AbortController();
    let settled = false;
    const settle = (decision: Decision | null) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      withdraw.abort();
      resolve(decision);
    };
    const onAbort = () => settle(null);
    signal?.addEventListener('abort', onAbort, { once: true });
    const poll = setInterval(() => {
      const taken = takeAnswer(checkpoint.runDir);
      if (taken && taken.step === checkpoint.step)
        settle({ answer: taken.answer, by: taken.by, via: 'approve', at: now() });
    }, pollMs);
    const timer =
      checkpoint.timeoutMs === null
        ? null
        : setTimeout(
            () => settle({ answer: checkpoint.default, by: 'nobody', via: 'timeout', at: now() }),
            checkpoint.timeoutMs,
          );
    answerers.ask?.(checkpoint, withdraw.signal).then(
      (answer) => settle({ ...answer, via: 'terminal', at: now() }),
      // A terminal that goes away leaves the other ways open.
      () => undefined,
    );
  });
}
