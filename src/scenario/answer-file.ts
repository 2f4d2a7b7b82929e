import fs from 'node:fs';
import path from 'node:path';
import { GamedayError } from '../core/errors';

/**
 * How `gameday approve`, in another terminal, answers the checkpoint a running GameDay is
 * waiting at: it drops an answer file into the day's run directory, and the running process
 * polls for it and journals the answer.
 *
 * A file, not a socket or a signal: both processes already share the run directory (the
 * approver finds the day there, and reads the journal to see what is waiting); nothing
 * listens on a port that would need guarding; an answer written while the runner is busy
 * waits for it rather than being lost; and the running process stays the only writer of its
 * journal — two processes appending to one NDJSON file could tear lines and would number
 * events apart. The file appears whole or not at all (written aside, then hard-linked into
 * place, which fails if an answer is already there), so the poller never reads half of one
 * and two approvers cannot both be taken.
 */
export const answerFileName = 'checkpoint-answer.json';

export interface CheckpointAnswer {
  /** The step the answer is for: one meant for an earlier checkpoint is never taken for a later one. */
  step: number;
  answer: 'yes' | 'no';
  by: string;
  /** When it was given, ISO. */
  at: string;
}

/** Another answer is already waiting to be taken. */
export class AnswerPendingError extends GamedayError {}

export function writeAnswer(runDir: string, answer: CheckpointAnswer): void {
  const file = path.join(runDir, answerFileName);
  const aside = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(aside, JSON.stringify(answer) + '\n');
  try {
    fs.linkSync(aside, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new AnswerPendingError(`an answer is already waiting to be taken (${file})`);
    throw error;
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

/** The answer waiting in the run directory, removed as it is taken; null when there is none (or it is unreadable). */
export function takeAnswer(runDir: string): CheckpointAnswer | null {
  const file = path.join(runDir, answerFileName);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  fs.rmSync(file, { force: true });
  try {
    const parsed = JSON.parse(text) as CheckpointAnswer;
    const valid =
      Number.isInteger(parsed.step) &&
      (parsed.answer === 'yes' || parsed.answer === 'no') &&
      typeof parsed.by === 'string';
    return valid ? parsed : null;
  } catch {
    return null;
  }
}
