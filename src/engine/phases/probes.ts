import { now, sleep } from '../../core/clock';
import { errorMessage } from '../../core/errors';
import type { Journal } from '../../core/journal';
import type { Experiment } from '../../experiment/validate';
import { probeKindOf, type Probe, type ProbeHandle, type Resolvers, type TrafficRecorder } from '../../probes';
import type { PrometheusClient } from '../../prometheus/client';
import type { TargetSession } from '../../targets';
import { trackedLatencyThresholds } from './stop-conditions';

/**
 * The run's probes while they measure: the traffic (RTO is measured on it) and every
 * further probe, started through their kinds in the order the kinds ask for, stopped
 * together. Stop conditions, detection and the steady state read the http probes' live
 * windows from here.
 */
export class ProbeSet {
  private constructor(
    private readonly experiment: Experiment,
    private readonly handles: ProbeHandle[],
  ) {}

  /**
   * Starts every probe. A probe that cannot start (a write ledger whose table cannot be
   * created) ends the run before anything is injected — unless `tolerateFailures` (a DR
   * action goes ahead without it); the journal says why either way.
   */
  static async start(
    run: {
      experiment: Experiment;
      journal: Journal;
      session: TargetSession;
      resolvers: Resolvers;
      runId: string;
      runDir: string;
      prometheus: PrometheusClient | null;
    },
    options: { tolerateFailures: boolean },
  ): Promise<{ probes: ProbeSet; failure: string | null }> {
    const { experiment, journal } = run;
    const all: Probe[] = [experiment.traffic, ...experiment.probes];
    const ordered = all
      .map((probe, index) => ({ probe, index }))
      .sort((a, b) => probeKindOf(a.probe)!.startOrder - probeKindOf(b.probe)!.startOrder || a.index - b.index);
    const handles: ProbeHandle[] = [];
    let failure: string | null = null;
    for (const { probe } of ordered) {
      const kind = probeKindOf(probe)!;
      const latencyThresholds = trackedLatencyThresholds(
        experiment.stopConditions,
        experiment.slos,
        probe.name,
        experiment.traffic.name,
      );
      try {
        handles.push(
          await kind.start(probe, {
            session: run.session,
            journal,
            runId: run.runId,
            runDir: run.runDir,
            resolvers: run.resolvers,
            latencyThresholds,
            prometheus: run.prometheus,
          }),
        );
      } catch (error) {
        journal.append({ type: 'error', message: errorMessage(error), where: kind.label });
        if (!options.tolerateFailures) {
          failure = `${kind.label} ${probe.name} could not start: ${errorMessage(error)}`;
          break;
        }
      }
    }
    return { probes: new ProbeSet(experiment, handles), failure };
  }

  /** The traffic's handle: an http probe, started first. */
  get traffic(): ProbeHandle {
    return this.handles.find((handle) => handle.name === this.experiment.traffic.name)!;
  }

  /** An http probe's live windows by name (validation guarantees it exists); undefined is the traffic. */
  recorderOf(probe: string | undefined): TrafficRecorder {
    const name = probe ?? this.experiment.traffic.name;
    return this.handles.find((handle) => handle.name === name)!.recorder!;
  }

  /** Waits until the traffic's requests due in [from, until) have completed, at most the probe timeout. */
  async settle(from: number, until: number, signal: AbortSignal): Promise<void> {
    const deadline = now() + this.experiment.traffic.timeout + 100;
    const traffic = this.traffic;
    const expected = traffic.dueBefore!(until) - traffic.dueBefore!(from);
    while (now() < deadline && !signal.aborted) {
      const { count } = traffic.recorder!.countsBetween(from, until);
      if (count >= expected) return;
      await sleep(20, signal);
    }
  }

  /**
   * At the end of the observation, before any rollback: a rollback may rewind the writer (failback, lab reset), which
   * is not what RPO measures.
   */
  async endObservation(options: { readBack: boolean; signal?: AbortSignal }, journal: Journal): Promise<void> {
    for (const handle of this.handles) {
      try {
        await handle.endObservation?.(options);
      } catch (error) {
        journal.append({
          type: 'error',
          message: errorMessage(error),
          where: probeKindOf(handle)?.label ?? handle.kind,
        });
      }
    }
  }

  /** Stops every probe and waits for what is in flight. */
  async stop(): Promise<void> {
    await Promise.all(this.handles.splice(0).map((handle) => handle.stop()));
  }
}
