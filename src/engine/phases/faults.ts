import { now, sleep } from '../../core/clock';
import { errorMessage } from '../../core/errors';
import type { Journal } from '../../core/journal';
import type { Experiment } from '../../experiment/validate';
import {
  faultImplementationOf,
  heldForMs,
  type FaultContext,
  type PreparedFault,
  type ResolvedFault,
} from '../../faults';
import type { TargetSession } from '../../targets';
import type { RunControl } from '../run-control';

export interface FaultRun {
  experiment: Experiment;
  session: TargetSession;
  journal: Journal;
  control: RunControl;
  runId: string;
  /** A fault became active (the failover runbook starts watching for detection). */
  onActive: () => void;
}

/**
 * One fault's life on the schedule: wait, prepare (work out the change and its undo,
 * changing nothing), journal and register the undo, inject, hold, revert. Anything that
 * goes wrong stops the run; what was injected is undone by the rollback phase.
 */
export async function runFault(run: FaultRun, fault: ResolvedFault, t0: number): Promise<void> {
  const { journal, control } = run;
  await sleep(t0 + fault.after - now(), control.signal);
  if (control.stop) return;
  const implementation = faultImplementationOf(fault, run.session.api);
  const context: FaultContext = {
    target: run.session,
    runId: run.runId,
    aws: run.session.aws?.model ?? null,
    heldForMs: (held) => heldForMs(held, run.experiment.duration),
  };
  const plan = implementation.plan(fault, context);
  let prepared: PreparedFault;
  try {
    prepared = await implementation.prepare(fault, context);
  } catch (error) {
    // Preparing only reads; nothing changed, so there is nothing to undo.
    journal.append({ type: 'fault.inject-failed', fault: fault.name, kind: fault.kind, error: errorMessage(error) });
    control.requestStop({
      status: 'error',
      reason: `fault ${fault.name} could not be prepared: ${errorMessage(error)}`,
    });
    return;
  }
  // Written and registered before the first byte of the fault happens.
  journal.append({
    type: 'fault.injecting',
    fault: fault.name,
    kind: fault.kind,
    rollback: prepared.rollback,
    detail: { inject: plan.inject },
  });
  control.register(fault.name, prepared.rollback, plan.rollback, (detail) => control.reverted(fault.name, detail));
  try {
    const detail = await prepared.inject();
    // When the API says when the fault took effect (FIS action startTime), that is t_fault.
    const activeAt = detail && typeof detail.activeAt === 'number' ? toMonotonic(detail.activeAt) : now();
    journal.append({
      type: 'fault.injected',
      fault: fault.name,
      kind: fault.kind,
      at: activeAt,
      detail: detail ?? undefined,
    });
    run.onActive();
  } catch (error) {
    journal.append({ type: 'fault.inject-failed', fault: fault.name, kind: fault.kind, error: errorMessage(error) });
    control.requestStop({
      status: 'error',
      reason: `fault ${fault.name} could not be injected: ${errorMessage(error)}`,
    });
    return;
  }
  if (fault.duration === undefined) return; // held until the end of the observation
  await sleep(fault.duration, control.signal);
  if (control.stop) return; // the rollback phase undoes it with everything else
  await control.revert(fault.name, 'scheduled');
}

/**
 * A wall-clock time from an API (FIS startTime) on our monotonic clock. The offset
 * between the two clocks is measured now; an API timestamp from the future (clock skew
 * with a remote service) is clamped to now.
 */
function toMonotonic(wallMs: number): number {
  const offset = now() - Date.now();
  return Math.min(now(), wallMs + offset);
}
