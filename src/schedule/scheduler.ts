import { randomInt } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { formatDuration } from '../core/duration';
import { GamedayError } from '../core/errors';
import { processStartTime } from '../core/process';
import { Redactor } from '../core/redact';
import { haltedMessage, readHalt } from '../engine/halt';
import { newRunId } from '../engine/run-id';
import { blackoutAt } from './blackout';
import { decideStart, planMissed } from './decide';
import { runDrill, recoverDrill, type DrillOptions } from './drill';
import { DueTimes, type DueSpan } from './due-times';
import type { ScheduledEntry } from './entries';
import { formatLocal } from './local-time';
import { checkPreconditions } from './precondition';
import {
  holderText,
  lockEntry,
  readState,
  remember,
  writeState,
  type Decision,
  type EntryState,
  type Holder,
} from './state';
import { drawStart, type Random } from './window';

export interface SchedulerOptions extends DrillOptions {
  /** Where each drill's run directory is created. */
  reports: string;
  /** Told every decision once it is recorded in the entry's state: the log. */
  onDecision: (decision: Decision) => void;
  /** Aborting it stops the scheduler: the drill going rolls back and reports first. */
  signal: AbortSignal;
  /** Wall-clock ms: cron is about the wall clock. */
  clock?: () => number;
  random?: Random;
}

/** Refused before anything was scheduled: another process acts on an entry. */
export class ScheduleBusyError extends GamedayError {}

/** A start later than this after its moment (a machine that slept, a blocked process) counts as missed. */
export const lateAfterMs = 60_000;
/** The longest the scheduler sleeps between looks: a wall clock that jumps is noticed within it. */
const maxSleepMs = 30_000;

interface Slot {
  entry: ScheduledEntry;
  state: EntryState;
  dues: DueTimes;
  /**
   * The due time being started while its precondition is asked, not yet in the state: if the
   * process dies now, a restart finds it undecided and handles it as missed, never as done.
   */
  starting: number | null;
}

/** The drill going: one at a time. */
interface Busy {
  slot: Slot;
  due: number;
  startedAt: number;
  done: Promise<void>;
}

export const cryptoRandom: Random = () => randomInt(2 ** 47) / 2 ** 47;

/**
 * `gameday schedule run`: a long-running scheduler over scheduled entries. Each decision —
 * the next run scheduled, a run started, skipped (halted, blackout, precondition, overlap,
 * missed), queued, finished, or found interrupted — is written to the entry's state before
 * it is acted on and then told as one log line. A drill is claimed in the state before it
 * starts, so after a crash or kill the due time it was for is never run again (its faults
 * are recovered from its journal); the due times that passed while no scheduler ran are
 * counted and handled as `missed` says, never dropped unsaid. One drill runs at a time.
 */
export class Scheduler {
  private readonly clock: () => number;
  private readonly random: Random;
  private readonly startedAt: number;
  private slots: Slot[] = [];
  private busy: Busy | null = null;
  /** What stopped the scheduler from recording a decision; it stops deciding, and run() throws it. */
  private failure: unknown = null;
  private wake: () => void = () => undefined;
  /** A reason can quote a command's output (a failed precondition, a recovery): kept and logged redacted. */
  private readonly redactor = new Redactor();

  constructor(
    private readonly entries: ScheduledEntry[],
    private readonly options: SchedulerOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? cryptoRandom;
    this.startedAt = this.clock();
    // The entries' own secrets (env, headers, a precondition's) are learned, as a run's journal learns them.
    for (const entry of entries) this.redactor.value(entry.definition);
  }

  /** Runs until the signal aborts; throws ScheduleBusyError at once when an entry is held by another process. */
  async run(): Promise<void> {
    const locks = takeLocks(this.entries, 'scheduler');
    try {
      for (const entry of this.entries) this.slots.push(await this.resume(entry));
      await this.loop();
    } finally {
      for (const lock of locks) lock.release();
    }
  }

  /**
   * `schedule run --once`: one due time, now, for an external scheduler (cron, a systemd
   * timer, a CronJob, GitHub Actions) that fires at the schedule's times. The window is
   * waited out here; then the halt, the blackout, the precondition and the claim go as for
   * the scheduler's own runs, recorded in the same state. Another `--once` of the entry
   * still going is an overlap: skipped, or waited for (queue). Returns the last decision.
   */
  async once(): Promise<Decision> {
    const entry = this.entries[0];
    const lock = await this.onceLock(entry);
    if ('skipped' in lock) return lock.skipped;
    try {
      const slot = await this.resume(entry);
      this.slots = [slot];
      const due = Math.floor(this.clock() / 1000) * 1000;
      const schedule = entry.schedule;
      const at = drawStart(schedule, due, this.random) ?? due;
      if (at > due) {
        const reason = `triggered; ${startText(schedule, due)}`;
        this.record(
          slot,
          { kind: 'scheduled', due: iso(due), reason },
          (s) => (s.next = { due: iso(due), at: iso(at) }),
        );
        await this.sleep(at - this.clock());
      }
      if (this.options.signal.aborted)
        this.record(
          slot,
          { kind: 'skipped', cause: 'stopped', due: iso(due), reason: 'stopped before it started' },
          (s) => {
            advance(s, due);
            s.next = null;
          },
        );
      else {
        slot.state.next = null;
        this.start(slot, due, 'triggered by an external scheduler (--once)');
        await this.busy?.done;
        if (this.failure !== null) throw this.failure;
      }
      return slot.state.decisions[slot.state.decisions.length - 1];
    } finally {
      lock.release();
    }
  }

  /** The entry's lock for one run; held by another `--once`, an overlap; by a scheduler, a refusal. */
  private async onceLock(entry: ScheduledEntry): Promise<{ release: () => void } | { skipped: Decision }> {
    for (;;) {
      const lock = lockEntry(entry.key, 'once');
      if (!('heldBy' in lock)) return lock;
      if (lock.heldBy.mode === 'scheduler')
        throw new ScheduleBusyError(
          `${entry.label} (${entry.name}) is scheduled by ${holderText(lock.heldBy)}, which runs it on its own ` +
            'schedule; stop it before handing the schedule to another scheduler',
        );
      if (entry.schedule.overlap === 'skip' || this.options.signal.aborted) {
        // Not written to the state: the process running the entry owns it. The external scheduler's log keeps this.
        const skipped: Decision = {
          at: new Date(this.clock()).toISOString(),
          entry: entry.label,
          kind: 'skipped',
          cause: this.options.signal.aborted ? 'stopped' : 'overlap',
          due: new Date(Math.floor(this.clock() / 1000) * 1000).toISOString(),
          reason: `overlap: ${holderText(lock.heldBy)} is running it`,
        };
        this.options.onDecision(skipped);
        return { skipped };
      }
      await this.sleep(1000);
    }
  }

  /** The entry's state as a restart finds it: a drill it was killed in is recovered, and not run again. */
  private async resume(entry: ScheduledEntry): Promise<Slot> {
    const now = this.clock();
    const state = readState(entry.key) ?? freshState(entry, now);
    const slot: Slot = { entry, state, dues: new DueTimes(entry.schedule, Date.parse(state.since)), starting: null };
    const claim = state.running;
    if (claim) {
      // This process holds the entry's lock, so whoever claimed the drill is gone.
      const recovery = await recoverDrill(claim.runDir);
      const reason =
        `the scheduler (pid ${claim.pid}) stopped during this drill, started ${claim.startedAt}; it is not run ` +
        `again; recover: ${recovery.said}`;
      this.record(
        slot,
        { kind: 'interrupted', due: claim.due, runDir: claim.runDir, status: 'interrupted', reason },
        (s) => {
          s.running = null;
          s.lastRun = {
            due: claim.due,
            startedAt: claim.startedAt,
            finishedAt: null,
            runDir: claim.runDir,
            status: 'interrupted',
            reason,
          };
        },
      );
    }
    if (state.queued) {
      const due = state.queued;
      this.record(
        slot,
        {
          kind: 'skipped',
          cause: 'missed',
          due,
          reason: 'missed: it was waiting for another drill to end when the scheduler stopped',
        },
        (s) => (s.queued = null),
      );
    }
    return slot;
  }

  private async loop(): Promise<void> {
    const { signal } = this.options;
    let first = true;
    while (!signal.aborted && this.failure === null) {
      const now = this.clock();
      // On the first look every entry is due: what was missed while no scheduler ran is said at once.
      const at = (slot: Slot) => (slot.state.next && !first ? Date.parse(slot.state.next.at) : -Infinity);
      const due = this.slots.filter((slot) => at(slot) <= now).sort((a, b) => at(a) - at(b));
      first = false;
      try {
        for (const slot of due) this.act(slot);
        if (!this.busy) this.dequeue();
      } catch (error) {
        // A state that cannot be written (a full disk): nothing more may be decided unrecorded.
        this.failure = error;
        break;
      }
      const wakeAt = Math.min(
        ...this.slots.map((slot) => (slot.state.next ? Date.parse(slot.state.next.at) : Infinity)),
      );
      await this.sleep(Math.max(0, Math.min(maxSleepMs, wakeAt - this.clock())));
    }
    // Stopping: the drill going saw the same signal and rolls back; after a failure it runs to its end.
    await this.busy?.done;
    if (this.failure !== null) throw this.failure;
    for (const slot of this.slots)
      if (slot.state.queued)
        this.record(
          slot,
          {
            kind: 'skipped',
            cause: 'stopped',
            due: slot.state.queued,
            reason: 'stopped: the scheduler was stopped while it waited',
          },
          (s) => (s.queued = null),
        );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.options.signal.removeEventListener('abort', done);
        this.wake = () => undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.options.signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  /** What is due of one entry now: on time, or missed (and handled as `missed` says); then its next run. */
  private act(slot: Slot): void {
    const now = this.clock();
    const span = this.undecided(slot, now);
    if (span) {
      const next = slot.state.next;
      const at = next && Date.parse(next.due) === span.latest ? Date.parse(next.at) : span.latest;
      if (span.count === 1 && at >= this.startedAt && now - at <= lateAfterMs)
        this.start(slot, span.latest, 'on schedule');
      else this.missed(slot, span, now);
    }
    this.scheduleNext(slot);
  }

  /** Due times up to now not decided yet; one whose drawn start inside its window is still ahead is not yet due. */
  private undecided(slot: Slot, now: number): DueSpan | null {
    const base = decidedUpTo(slot);
    const span = slot.dues.between(base, now);
    const next = slot.state.next;
    if (span && next && Date.parse(next.at) > now && span.latest === Date.parse(next.due))
      return span.count > 1 ? slot.dues.between(base, span.latest - 1) : null;
    return span;
  }

  private missed(slot: Slot, span: DueSpan, now: number): void {
    const plan = planMissed(span, slot.entry.schedule.missed, (due) => slot.dues.latest(due - 1));
    const downFor =
      this.startedAt > span.first ? 'while no scheduler was running' : 'while the scheduler could not act';
    if (plan.skipped) {
      const { count, capped, first, last } = plan.skipped;
      const howMany = `${capped ? 'at least ' : ''}${count} due time${count === 1 ? '' : 's'}`;
      const when = count === 1 ? iso(first) : `${iso(first)} to ${iso(last)}`;
      const then = plan.run === null ? '' : `; the latest, ${iso(plan.run)}, runs once now (missed: 'run-once')`;
      this.record(
        slot,
        {
          kind: 'skipped',
          cause: 'missed',
          due: count === 1 ? iso(first) : null,
          span: { first: iso(first), last: iso(last), count, capped },
          reason: `missed: ${howMany} (${when}) passed ${downFor}${then}`,
        },
        (s) => (s.cursor = iso(plan.run === null ? span.latest : last)),
      );
    }
    if (plan.run !== null) {
      const late = formatDuration(now - plan.run);
      this.start(slot, plan.run, `missed ${downFor}, run once now (missed: 'run-once'), ${late} late`);
    }
  }

  /** Whether a due run starts now, waits, or is skipped; a start asks the precondition, then claims the drill. */
  private start(slot: Slot, due: number, why: string, fromQueue = false): void {
    const now = this.clock();
    const schedule = slot.entry.schedule;
    const halt = readHalt();
    const decision = decideStart({
      halted: halt.halted ? haltedMessage(halt) : null,
      blackout: blackoutAt(schedule.blackout, schedule.timezone, now),
      busy: this.busy && { entry: this.busy.slot.entry.label, due: this.busy.due, startedAt: this.busy.startedAt },
      overlap: schedule.overlap,
      queued: slot.state.queued && !fromQueue ? Date.parse(slot.state.queued) : null,
      now,
    });
    /** Every decision on a due time moves the cursor to it; one that waited is no longer waiting. */
    const decided = (state: EntryState) => {
      advance(state, due);
      if (fromQueue) state.queued = null;
    };
    if (decision.action === 'skip') {
      this.record(slot, { kind: 'skipped', cause: decision.cause, due: iso(due), reason: decision.reason }, decided);
      return;
    }
    if (decision.action === 'queue') {
      this.record(slot, { kind: 'queued', due: iso(due), reason: decision.reason }, (s) => {
        s.queued = iso(due);
        advance(s, due);
      });
      return;
    }
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    this.busy = { slot, due, startedAt: now, done };
    slot.starting = due;
    void this.launch(slot, due, why, decided)
      .catch((error: unknown) => (this.failure ??= error))
      .finally(() => {
        slot.starting = null;
        this.busy = null;
        finish();
        this.wake();
      });
  }

  private async launch(slot: Slot, due: number, why: string, decided: (state: EntryState) => void): Promise<void> {
    const { signal } = this.options;
    const checks = slot.entry.schedule.precondition;
    if (checks.length > 0) {
      const answer = await checkPreconditions(checks, {
        due: new Date(due),
        signal,
        definition: slot.entry.definition,
      });
      if (!answer.ok) {
        this.record(
          slot,
          { kind: 'skipped', cause: 'precondition', due: iso(due), reason: `precondition failed: ${answer.reason}` },
          decided,
        );
        return;
      }
    }
    if (signal.aborted) {
      this.record(
        slot,
        {
          kind: 'skipped',
          cause: 'stopped',
          due: iso(due),
          reason: 'stopped: the scheduler was stopped before the drill started',
        },
        decided,
      );
      return;
    }
    const startedAt = new Date(this.clock());
    const runId = newRunId(slot.entry.name, startedAt);
    const runDir = path.resolve(this.options.reports, runId);
    this.record(slot, { kind: 'started', due: iso(due), runDir, reason: why }, (s) => {
      decided(s);
      s.running = {
        due: iso(due),
        startedAt: startedAt.toISOString(),
        runDir,
        pid: process.pid,
        pidStartedAt: processStartTime(process.pid),
        host: os.hostname(),
      };
      s.lastRun = {
        due: iso(due),
        startedAt: startedAt.toISOString(),
        finishedAt: null,
        runDir,
        status: 'running',
        reason: why,
      };
    });
    const result = await runDrill(slot.entry, { runId, runDir }, signal, this.options);
    this.record(
      slot,
      { kind: 'finished', due: iso(due), runDir, status: result.status, reason: result.reason },
      (s) => {
        s.running = null;
        s.lastRun = {
          due: iso(due),
          startedAt: startedAt.toISOString(),
          finishedAt: new Date(this.clock()).toISOString(),
          runDir,
          status: result.status,
          reason: result.reason,
        };
      },
    );
  }

  /** The oldest waiting run starts once nothing else is going; its checks are made afresh. */
  private dequeue(): void {
    const waiting = this.slots
      .filter((slot) => slot.state.queued)
      .sort((a, b) => Date.parse(a.state.queued!) - Date.parse(b.state.queued!));
    const slot = waiting[0];
    if (!slot) return;
    const due = Date.parse(slot.state.queued!);
    const waited = formatDuration(this.clock() - due);
    this.start(slot, due, `waited ${waited} for the drill before it (overlap: 'queue')`, true);
  }

  /** The first due time after the last decided, with its start drawn inside the window, recorded once. */
  private scheduleNext(slot: Slot): void {
    const state = slot.state;
    const due = slot.dues.next(decidedUpTo(slot));
    if (due === null) {
      if (state.next !== null)
        this.record(slot, { kind: 'scheduled', due: null, reason: 'no run is due any more' }, (s) => (s.next = null));
      return;
    }
    if (state.next && Date.parse(state.next.due) === due) return;
    const schedule = slot.entry.schedule;
    // A window the blackout covers whole: woken at the due time, which the blackout covers too, to skip it then.
    const at = drawStart(schedule, due, this.random) ?? due;
    this.record(slot, { kind: 'scheduled', due: iso(due), reason: `next run ${startText(schedule, due)}` }, (s) => {
      s.next = { due: iso(due), at: iso(at) };
    });
  }

  /** Changes the entry's state, keeps the decision in it, writes it, then tells the log: recorded before it is said. */
  private record(slot: Slot, decision: Omit<Decision, 'at' | 'entry'>, change?: (state: EntryState) => void): void {
    const full: Decision = {
      at: new Date(this.clock()).toISOString(),
      entry: slot.entry.label,
      ...decision,
      reason: this.redactor.text(decision.reason),
    };
    change?.(slot.state);
    remember(slot.state, full);
    writeState(slot.entry.key, slot.state);
    this.options.onDecision(full);
  }
}

/**
 * When a run starts, as the log says it: at its due time, or at a moment in its window that
 * the log does not give away — logs travel further than the state file, and a drill the
 * on-call team can read the time of is no longer one nobody can predict.
 */
function startText(schedule: ScheduledEntry['schedule'], due: number): string {
  const local = formatLocal(due, schedule.timezone);
  if (!schedule.window) return `starts ${iso(due)} (${local})`;
  return `due ${iso(due)} (${local}), starts at a moment drawn in its ${formatDuration(schedule.window)} window`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The last due time decided on, or being started. */
function decidedUpTo(slot: Slot): number {
  const cursor = Date.parse(slot.state.cursor ?? slot.state.since);
  return slot.starting === null ? cursor : Math.max(cursor, slot.starting);
}

/** The cursor moves forward only: a queued run decided later must not take it back. */
function advance(state: EntryState, due: number): void {
  if (state.cursor === null || Date.parse(state.cursor) < due) state.cursor = iso(due);
}

function freshState(entry: ScheduledEntry, now: number): EntryState {
  return {
    version: 1,
    file: entry.file,
    name: entry.name,
    kind: entry.definition.kind,
    // Whole seconds: `every` counts from here, and due times are said to the second.
    since: iso(Math.ceil(now / 1000) * 1000),
    cursor: null,
    next: null,
    running: null,
    queued: null,
    lastRun: null,
    lastSkip: null,
    decisions: [],
  };
}

/** Every entry's lock, or none: a refusal names each entry another process holds. */
export function takeLocks(entries: ScheduledEntry[], mode: Holder['mode']): Array<{ release: () => void }> {
  const taken: Array<{ release: () => void }> = [];
  const held: string[] = [];
  for (const entry of entries) {
    const lock = lockEntry(entry.key, mode);
    if ('heldBy' in lock) held.push(`${entry.label} (${entry.name}) by ${holderText(lock.heldBy)}`);
    else taken.push(lock);
  }
  if (held.length > 0) {
    for (const lock of taken) lock.release();
    throw new ScheduleBusyError(`already scheduled: ${held.join('; ')}; one process acts on an entry at a time`);
  }
  return taken;
}
