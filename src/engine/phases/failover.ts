import type { LookupFunction } from 'node:net';
import { now } from '../../core/clock';
import { errorMessage } from '../../core/errors';
import type { Journal } from '../../core/journal';
import type { Experiment } from '../../experiment/validate';
import { runFailover, type RunbookContext, type RunbookResult } from '../../failover/runbook';
import { revertRecord } from '../../faults/revert';
import type { RollbackRecord } from '../../core/events';
import { failbackSpec } from '../../failover/failback';
import { failoverRegions } from '../../failover/spec';
import { probeUrl } from '../../probes/url';
import { targetKindOf, type TargetSession } from '../../targets';
import type { RunControl } from '../run-control';
import type { ProbeSet } from './probes';

export interface FailoverOptions {
  /** Overrides the runbook's trafficShift (a planned DR move inverts a healthy region's check). */
  trafficShift?: 'dns' | 'invert-health-check';
  /** Manual runbooks ask this; without it, they are declined. */
  approve?: (question: string, signal?: AbortSignal) => Promise<boolean>;
  /** `gameday failover`: a real DR action, whose changes stay changed. */
  standalone: boolean;
  /** `gameday failover --failback` (the experiment's runbook reversed by failbackExperiment): `to` rejoins first. */
  rejoin?: boolean;
}

/** The experiment with its runbook reversed, to undo a failover done for real (failover/failback.ts). */
export function failbackExperiment(experiment: Experiment): Experiment {
  const regions = runbookRegions(experiment);
  if (!experiment.failover || !regions) return experiment;
  return { ...experiment, failover: failbackSpec(experiment.failover, regions) };
}

/** The regions the experiment's runbook moves between; null without a runbook or regions. */
export function runbookRegions(experiment: Experiment): { from: string; to: string } | null {
  const spec = experiment.failover;
  const targetKind = targetKindOf(experiment.target);
  const regions = targetKind.regions(experiment.target);
  if (!spec || regions.length === 0) return null;
  const { from, to } = failoverRegions(spec, { regions, primary: targetKind.primary(experiment.target) });
  // Validation guarantees a second region.
  return { from, to: to! };
}

/**
 * The failover runbook within a run: started by the first fault that becomes active (in
 * automatic mode it then watches for detection), given its verify window at the end of
 * the observation, and after the rollback, failed back to the original topology.
 */
export class FailoverPhase {
  private running: { result: Promise<RunbookResult>; context: RunbookContext; abort: AbortController } | null = null;

  constructor(
    private readonly run: {
      experiment: Experiment;
      session: TargetSession;
      journal: Journal;
      control: RunControl;
      probes: ProbeSet;
      lookup: LookupFunction | undefined;
    },
    private readonly options: FailoverOptions,
  ) {}

  /** Starts the runbook once; nothing happens for an experiment without one or a target without regions. */
  start(options: { skipDetection?: boolean } = {}): void {
    const { experiment, session, journal, control, probes } = this.run;
    const spec = experiment.failover;
    const regions = runbookRegions(experiment);
    // Without the AWS APIs (an endpoints target) there is nothing to move the writer or the traffic with.
    if (!spec || !regions || this.running || !session.aws) return;
    const { trafficShift } = this.options;
    const { from, to } = regions;
    const abort = new AbortController();
    control.signal.addEventListener('abort', () => abort.abort(), { once: true });
    const traffic = experiment.traffic;
    const context: RunbookContext = {
      spec: trafficShift ? { ...spec, trafficShift } : spec,
      from,
      to,
      target: session,
      journal,
      recorder: probes.recorderOf(undefined),
      signal: abort.signal,
      approve: this.options.approve ?? (async () => false),
      skipDetection: options.skipDetection,
      rejoin: this.options.rejoin,
      progress: { detected: false },
      verifyProbe: {
        url: probeUrl(traffic, session.endpoints),
        method: traffic.method,
        headers: traffic.headers,
        body: traffic.body,
        lookup: this.run.lookup,
      },
      registerChange: (name, rollback) => {
        // A standalone failover is a real DR action that stays done: it has no failback for
        // `gameday recover` to find and undo it with (`gameday failover --failback` is the way back).
        if (this.options.standalone && rollback.kind === 'failback') return;
        journal.append({ type: 'fault.injecting', fault: name, kind: 'failover', rollback, detail: {} });
        // What else it changes stays changed too; the journal says how to undo it.
        if (this.options.standalone) return;
        const reverted = () => journal.append({ type: 'fault.reverted', fault: name, at: now() });
        control.register(
          name,
          rollback,
          name,
          reverted,
          rollback.kind === 'failback' ? (record) => this.failBack(record) : undefined,
        );
      },
    };
    this.running = { result: runFailover(context), context, abort };
  }

  /** The failback, as the runbook's last step: the step table and the failback's measured cost need it there. */
  private async failBack(record: RollbackRecord): Promise<Record<string, unknown> | void> {
    const { journal } = this.run;
    journal.append({ type: 'failover.step', step: 'failback', status: 'started', at: now() });
    try {
      const detail = await revertRecord(record);
      journal.append({
        type: 'failover.step',
        step: 'failback',
        status: 'succeeded',
        at: now(),
        detail: detail ?? undefined,
      });
      return detail;
    } catch (error) {
      journal.append({
        type: 'failover.step',
        step: 'failback',
        status: 'failed',
        at: now(),
        error: errorMessage(error),
      });
      throw error;
    }
  }

  get started(): boolean {
    return this.running !== null;
  }

  /** `gameday failover`: the runbook's own result is the run's. */
  async result(): Promise<RunbookResult> {
    return this.running!.result;
  }

  /** Waits for the runbook; one that failed fails the run (the verdict reads its journal entries). */
  async finish(): Promise<void> {
    const running = this.running;
    if (!running) return;
    // At the end of the observation a runbook that detected nothing is stopped at once; one
    // under way gets its verify window to finish.
    const grace = running.context.progress?.detected ? running.context.spec.verify.timeout : 0;
    const timer = setTimeout(() => running.abort.abort(), grace);
    await running.result;
    clearTimeout(timer);
  }
}
