import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep } from '../core/clock';
import { formatDuration } from '../core/duration';
import { GamedayError } from '../core/errors';
import type { EventOf, JournalEvent } from '../core/events';
import { journalFileName, readJournal } from '../core/journal';
import { isProcessAlive } from '../core/process';
import { AnswerPendingError, answerFileName, writeAnswer } from './answer-file';

/** The answer could not be given: nothing is waiting, the day is over or gone, or the person may not answer. */
export class CheckpointError extends GamedayError {}

export interface ApproveRequest {
  answer: 'yes' | 'no';
  /** Who answers: recorded in the day's journal and reports. */
  by: string;
  /** How long to wait for the running day to take the answer. */
  takenWithinMs?: number;
}

/** How long `gameday approve` waits for the running day to take its answer: the day polls every 200 ms. */
const takenWithinMs = 15_000;

/** The roles that may answer a checkpoint when the scenario names who approves. */
const deciders = new Set(['approver', 'facilitator']);

/**
 * `gameday approve`: answers the checkpoint a running GameDay waits at, from another
 * terminal. Reads the day's journal to find what is waiting, hands the answer over as a
 * file (answer-file.ts says why), and waits until the running day has journaled it — so
 * the person approving learns it counted, or why it did not.
 */
export async function answerCheckpoint(
  runDir: string,
  request: ApproveRequest,
): Promise<EventOf<'checkpoint.answered'>> {
  const journalFile = path.join(runDir, journalFileName);
  if (!fs.existsSync(journalFile))
    throw new CheckpointError(`${runDir}: no ${journalFileName} here (expected a GameDay's run directory)`);
  const events = readJournal(journalFile);
  const started = events.find((event): event is EventOf<'scenario.started'> => event.type === 'scenario.started');
  if (!started)
    throw new CheckpointError(`${runDir} is an experiment's run, not a GameDay's: only a GameDay has checkpoints`);
  const finished = events.find((event): event is EventOf<'scenario.finished'> => event.type === 'scenario.finished');
  if (finished)
    throw new CheckpointError(
      `the GameDay ${JSON.stringify(started.scenario)} is over (${finished.status}): nothing is waiting for an answer`,
    );
  const waiting = waitingCheckpoint(events);
  if (!waiting) throw new CheckpointError(`nothing is waiting for an answer: ${whereTheDayIs(events)}`);
  if (started.host === os.hostname() && !isProcessAlive(started.pid))
    throw new CheckpointError(
      `the GameDay's process (pid ${started.pid}) is gone: nothing would read the answer. Run ` +
        `\`gameday recover ${runDir}\` to undo what it left`,
    );
  const allowed = started.spec.participants.filter((participant) => deciders.has(participant.role));
  if (allowed.length > 0 && !allowed.some((participant) => participant.name === request.by))
    throw new CheckpointError(
      `${JSON.stringify(request.by)} may not answer: this GameDay's checkpoints are answered by ` +
        `${allowed.map((participant) => `${participant.name} (${participant.role})`).join(', ')}; ` +
        'pass --as with one of them',
    );
  try {
    writeAnswer(runDir, { step: waiting.step, answer: request.answer, by: request.by, at: new Date().toISOString() });
  } catch (error) {
    if (error instanceof AnswerPendingError)
      throw new CheckpointError(`step ${waiting.step} already has an answer waiting to be taken`);
    throw error;
  }
  return awaitTaken(runDir, waiting, request);
}

/** The checkpoint asked and not yet answered, if any. */
function waitingCheckpoint(events: readonly JournalEvent[]): EventOf<'checkpoint.asked'> | null {
  const answered = new Set(events.flatMap((event) => (event.type === 'checkpoint.answered' ? [event.step] : [])));
  const asked = events.filter(
    (event): event is EventOf<'checkpoint.asked'> => event.type === 'checkpoint.asked' && !answered.has(event.step),
  );
  return asked.at(-1) ?? null;
}

function whereTheDayIs(events: readonly JournalEvent[]): string {
  const current = events.filter((event): event is EventOf<'step.started'> => event.type === 'step.started').at(-1);
  if (!current) return 'the day has not reached its first step';
  return `the day is at step ${current.step} (${current.kind} ${JSON.stringify(current.name)})`;
}

/** Until the running day journals the answer to that step: ours, or one that beat it (the terminal, a timeout). */
async function awaitTaken(
  runDir: string,
  waiting: EventOf<'checkpoint.asked'>,
  request: ApproveRequest,
): Promise<EventOf<'checkpoint.answered'>> {
  const within = request.takenWithinMs ?? takenWithinMs;
  const deadline = Date.now() + within;
  for (;;) {
    const answered = readJournal(path.join(runDir, journalFileName)).find(
      (event): event is EventOf<'checkpoint.answered'> =>
        event.type === 'checkpoint.answered' && event.step === waiting.step,
    );
    if (answered) {
      if (answered.via !== 'approve' || answered.by !== request.by || answered.answer !== request.answer)
        throw new CheckpointError(
          `step ${waiting.step} was answered ${answered.answer} by ${answered.by} (${answered.via}) ` +
            `${formatDuration(answered.decisionMs)} after it was asked, before your answer was taken`,
        );
      return answered;
    }
    if (Date.now() >= deadline)
      throw new CheckpointError(
        `the GameDay did not take the answer within ${formatDuration(within)}; it waits in ` +
          `${path.join(runDir, answerFileName)}`,
      );
    await sleep(200);
  }
}
