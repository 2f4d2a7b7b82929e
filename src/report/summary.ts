import type { EventOf, JournalEvent, RunStatus, TargetDescription } from '../core/events';
import { describeRollback } from '../faults/revert';
import { LatencyHistogram } from '../measure/histogram';
import { successRatioOf } from '../measure/ratio';
import type { LatencySummary } from '../measure/percentiles';
import { computeRpo, type AckedWrite, type UnackedWrite } from '../measure/rpo';
import { computeRto, type OutcomeSample, type RtoResult } from '../measure/rto';
import { floorOf, phasesOf, summarizeFailover, type FailoverSummary } from './failover';
import { seriesBucketMs, seriesOf, timelinesOf, type ProbeSeries } from './series';
import { sloThresholdsByProbe, summarizeSlos, type SloSpecView, type SloSummary } from './slos';
import type { SloMetric, Threshold } from '../experiment/thresholds';
import { summarizeCheckProbes, type ProbeSummary } from './probes';
import { targetKindOfDescription } from '../targets';

export const summarySchemaId = 'gameday/run/v1';

export interface FaultSummary {
  name: string;
  kind: string;
  injectedAt: string | null;
  revertedAt: string | null;
  /** Offsets from the start of observation, ms. */
  injectedAtMs: number | null;
  revertedAtMs: number | null;
  activeMs: number | null;
  rollback: string;
  error: string | null;
}

export interface RunSummary {
  schema: typeof summarySchemaId;
  runId: string;
  experiment: string;
  description: string;
  file: string;
  target: { kind: string; [key: string]: unknown };
  status: RunStatus | 'running';
  reason: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  runDir: string;
  faults: FaultSummary[];
  traffic: {
    probe: string;
    url: string;
    rate: number;
    requests: number;
    errors: number;
    successRatio: number | null;
    /** From each request's scheduled time, so queueing behind a slow server counts. */
    latencyMs: LatencySummary;
    /** Requests per region that served them (x-gameday-region), when the service says. */
    regions: Record<string, number>;
  };
  rto: {
    ms: number | null;
    objectiveMs: number | null;
    met: boolean | null;
    recovered: boolean | null;
    /** When RTO is not reached by the end of the run, it is at least this. */
    atLeastMs: number | null;
    tFault: string | null;
    tRecovered: string | null;
    failedRequests: number;
    criteria: { successRatio: number; windowMs: number };
    note: string | null;
    /** With a failover runbook: detection, decision, fencing, promotion, traffic shift, stabilisation; they add up to ms. */
    phases: Array<{ name: string; ms: number }> | null;
    /** The least RTO the configuration allows (lab: health checks × threshold + DNS TTL + promotion). */
    floorMs: number | null;
  };
  /** The failover runbook, step by step, when the experiment has one. */
  failover: FailoverSummary | null;
  /** Further probes, measured alongside the traffic: http, and the dns, sql and function checks with their outcome changes. */
  probes: ProbeSummary[];
  /** From the write ledger, when the experiment has one (see measure/rpo.ts). */
  rpo: {
    /** null when it could not be measured (no read back); see note. */
    ms: number | null;
    objectiveMs: number | null;
    /** RPO within the objective and no split brain; null without an objective, or when it could not be measured (ms null). */
    met: boolean | null;
    ackedWrites: number;
    lostWrites: number;
    duplicateWrites: number;
    splitBrain: boolean;
    /** The first 100 lost seqs, ascending. */
    lostSeqs: number[];
    /** Writes sent, and those not acknowledged yet present on the writer. */
    writes: number;
    unconfirmedWrites: number;
    staleWriterAcks: number;
    /** Writers (x-gameday-writer, or a SQL ledger's 'address:port (timeline n)') in the order they first acknowledged. */
    writers: string[];
    probe: string;
    url: string;
    rate: number;
    client: string;
    readBack: { ok: boolean; url: string; writer: string; region: string; attempts: number; error: string | null } | null;
    note: string | null;
  } | null;
  /** Error-budget burn per SLO in the experiment (see measure/slo.ts). */
  slos: SloSummary[];
  /** Per-second timelines of the traffic and every http probe, for charts. */
  series: ProbeSeries[];
  steadyState: {
    before: { ok: boolean; successRatio: number | null; required: number } | null;
    after: { ok: boolean; successRatio: number | null; required: number } | null;
  };
  stopConditions: { condition: string; detail: string; at: string }[];
  errors: string[];
  timeline: { t: number; offsetMs: number | null; event: string }[];
}

interface SpecView {
  hypothesis?: { rto?: number; rpo?: number; slo?: Threshold<SloMetric>[]; recovery?: { successRatio: number; window: number } };
  slos?: SloSpecView[];
  traffic?: { name: string; rate: number };
  duration?: number;
}

/**
 * Builds the run summary from journal events alone — the engine at the end of a run and
 * `gameday report` afterwards call the same function, so they cannot disagree.
 */
export function buildSummary(events: readonly JournalEvent[]): RunSummary {
  const started = first(events, 'run.started');
  if (!started) throw new Error('journal has no run.started event');
  const spec = (started.spec ?? {}) as SpecView;
  /** The target as opened (where it really was), else as declared. */
  const target = first(events, 'target.opened')?.target ?? started.target;
  const finished = first(events, 'run.finished');
  const observe = first(events, 'observe.started');
  const t0 = observe?.t0 ?? null;
  const iso = (t: number | null | undefined) => (t === null || t === undefined ? null : new Date(t).toISOString());
  const offset = (t: number | null | undefined) => (t === null || t === undefined || t0 === null ? null : Math.round(t - t0));

  const faults = new Map<string, FaultSummary>();
  for (const event of events) {
    if (event.type === 'fault.injecting') {
      faults.set(event.fault, {
        name: event.fault,
        kind: event.kind,
        injectedAt: null,
        revertedAt: null,
        injectedAtMs: null,
        revertedAtMs: null,
        activeMs: null,
        rollback: describeRollback(event.rollback),
        error: null,
      });
    } else if (event.type === 'fault.injected') {
      const fault = faults.get(event.fault);
      if (fault) {
        fault.injectedAt = iso(event.at);
        fault.injectedAtMs = offset(event.at);
      }
    } else if (event.type === 'fault.reverted') {
      const fault = faults.get(event.fault);
      if (fault) {
        fault.revertedAt = iso(event.at);
        fault.revertedAtMs = offset(event.at);
        if (fault.injectedAtMs !== null && fault.revertedAtMs !== null) fault.activeMs = fault.revertedAtMs - fault.injectedAtMs;
      }
    } else if (event.type === 'fault.inject-failed' || event.type === 'fault.revert-failed') {
      const fault = faults.get(event.fault);
      if (fault) fault.error = event.error;
    }
  }

  const trafficName = spec.traffic?.name ?? 'traffic';
  const probeStarted = events.find((e): e is EventOf<'probe.started'> => e.type === 'probe.started' && e.probe === trafficName);
  const { samples, latencyMs, regions, errors } = probeOutcomes(events, trafficName);

  const criteria = {
    successRatio: spec.hypothesis?.recovery?.successRatio ?? 0.95,
    windowMs: spec.hypothesis?.recovery?.window ?? 5_000,
  };
  const injectedTimes = events.filter((e): e is EventOf<'fault.injected'> => e.type === 'fault.injected').map((e) => e.at);
  const tFault = injectedTimes.length > 0 ? Math.min(...injectedTimes) : null;
  const observeEnd = observe ? observe.t0 + observe.durationMs : null;
  const { result: rtoResult, afterRollback } = measureRto(samples, tFault, criteria, observeEnd);
  const objectiveMs = spec.hypothesis?.rto ?? null;
  const rto = summarizeRto(rtoResult, objectiveMs, criteria, tFault, iso);
  rto.phases = phasesOf(events, tFault, rtoResult && rtoResult.recovered === true ? rtoResult.tRecovered : null);
  rto.floorMs = floorOf(events, target);
  const thresholdsByProbe = sloThresholdsByProbe(spec.slos ?? [], trafficName);
  const timelines = t0 === null ? new Map() : timelinesOf(events, t0, thresholdsByProbe);
  const slos = summarizeSlos(spec.slos ?? [], spec.hypothesis?.slo, {
    trafficProbe: trafficName,
    timelines,
    thresholdsByProbe,
    faultOffsetMs: offset(tFault),
    bucketMs: seriesBucketMs,
  });
  if (afterRollback && rto.recovered) rto.note = [rto.note, 'clients recovered only after the rollback at the end of the observation'].filter(Boolean).join('; ');

  const steady = (when: 'before' | 'after') => {
    const event = events.find((e): e is EventOf<'steady-state'> => e.type === 'steady-state' && e.when === when);
    return event ? { ok: event.ok, successRatio: event.successRatio, required: event.required } : null;
  };

  return {
    schema: summarySchemaId,
    runId: started.runId,
    experiment: started.experiment,
    description: started.description,
    file: started.file,
    target,
    status: finished?.status ?? 'running',
    reason: finished?.reason ?? 'the run did not finish (interrupted or still running)',
    startedAt: new Date(started.t).toISOString(),
    endedAt: iso(finished?.t),
    durationMs: finished ? Math.round(finished.t - started.t) : null,
    runDir: started.runDir,
    faults: [...faults.values()],
    traffic: {
      probe: trafficName,
      url: probeStarted?.url ?? '',
      rate: probeStarted?.rate ?? spec.traffic?.rate ?? 0,
      requests: samples.length,
      errors,
      successRatio: successRatioOf(samples.length, errors),
      latencyMs,
      regions,
    },
    rto,
    failover: summarizeFailover(events, offset),
    probes: events
      .filter((e): e is EventOf<'probe.started'> => e.type === 'probe.started' && e.kind === 'http' && e.probe !== trafficName)
      .map((started) => {
        const outcomes = probeOutcomes(events, started.probe);
        return {
          probe: started.probe,
          kind: started.kind,
          url: started.url,
          requests: outcomes.samples.length,
          errors: outcomes.errors,
          successRatio: successRatioOf(outcomes.samples.length, outcomes.errors),
          latencyMs: outcomes.latencyMs,
        };
      })
      .concat(summarizeCheckProbes(events, offset, (address) => targetKindOfDescription(target)?.regionOfAddress?.(target, address))),
    rpo: summarizeRpo(events, spec.hypothesis?.rpo ?? null, target),
    slos,
    series: seriesOf(timelines),
    steadyState: { before: steady('before'), after: steady('after') },
    stopConditions: events
      .filter((e): e is EventOf<'stop-condition.breached'> => e.type === 'stop-condition.breached')
      .map((e) => ({ condition: e.condition, detail: e.detail, at: new Date(e.t).toISOString() })),
    errors: events.filter((e): e is EventOf<'error'> => e.type === 'error').map((e) => `${e.where}: ${e.message}`),
    timeline: timelineOf(events, offset),
  };
}

/**
 * RTO is judged over the observation window: once clients have recovered there, the
 * rollback phase (which may itself disturb the target, e.g. a lab reset) does not undo
 * it. Only when clients had not recovered by the end of the observation — a fault held
 * to the end — does the measurement continue through rollback and post-check.
 */
function measureRto(
  samples: OutcomeSample[],
  tFault: number | null,
  criteria: { successRatio: number; windowMs: number },
  observeEnd: number | null,
): { result: RtoResult | null; afterRollback: boolean } {
  if (tFault === null) return { result: null, afterRollback: false };
  if (observeEnd !== null) {
    const observed = samples.filter((sample) => sample.t < observeEnd);
    const within = computeRto(observed, tFault, criteria, observeEnd);
    if (within.recovered !== false) return { result: within, afterRollback: false };
  }
  const whole = computeRto(samples, tFault, criteria);
  return { result: whole, afterRollback: observeEnd !== null && whole.recovered === true };
}

/** One http probe's outcomes from its `traffic.samples` batches, in time order. */
function probeOutcomes(events: readonly JournalEvent[], probe: string) {
  const samples: OutcomeSample[] = [];
  const latency = new LatencyHistogram();
  const regions: Record<string, number> = {};
  let errors = 0;
  for (const event of events) {
    if (event.type !== 'traffic.samples' || event.probe !== probe) continue;
    for (const [t, latencyMs, , ok, , region] of event.rows) {
      samples.push({ t, ok: ok === 1 });
      latency.record(latencyMs);
      if (!ok) errors++;
      if (region) regions[region] = (regions[region] ?? 0) + 1;
    }
  }
  samples.sort((a, b) => a.t - b.t);
  return { samples, latencyMs: latency.summary(), regions, errors };
}

function summarizeRto(
  result: RtoResult | null,
  objectiveMs: number | null,
  criteria: { successRatio: number; windowMs: number },
  tFault: number | null,
  iso: (t: number | null | undefined) => string | null,
): RunSummary['rto'] {
  const base = { objectiveMs, criteria, tFault: iso(tFault), phases: null, floorMs: null };
  if (result === null) {
    return { ...base, ms: null, met: null, recovered: null, atLeastMs: null, tRecovered: null, failedRequests: 0, note: 'no fault was injected' };
  }
  if (result.recovered === null) {
    return { ...base, ms: null, met: null, recovered: null, atLeastMs: null, tRecovered: null, failedRequests: 0, note: result.reason };
  }
  if (!result.recovered) {
    return {
      ...base,
      ms: null,
      met: objectiveMs === null ? null : false,
      recovered: false,
      atLeastMs: Math.round(result.atLeastMs),
      tRecovered: null,
      failedRequests: result.failedSamples,
      note: 'clients had not recovered when the run ended',
    };
  }
  const ms = Math.round(result.rtoMs);
  const shortTail = result.observedAfterRecoveryMs < criteria.windowMs;
  return {
    ...base,
    ms,
    met: objectiveMs === null ? null : ms <= objectiveMs,
    recovered: true,
    atLeastMs: null,
    tRecovered: iso(result.tRecovered),
    failedRequests: result.failedSamples,
    note: shortTail ? `recovery observed for only ${Math.round(result.observedAfterRecoveryMs)} ms, less than the ${criteria.windowMs} ms window` : null,
  };
}

/**
 * RPO from the ledger's journal events alone: its writes (ledger.samples) and the read
 * back. Without a read back (interrupted, or the writer never answered) nothing can be
 * said about lost writes, so ms is null and an objective counts as missed.
 */
function summarizeRpo(events: readonly JournalEvent[], objectiveMs: number | null, target: TargetDescription): RunSummary['rpo'] {
  // One name per database: the target knows how its writers name themselves.
  const writerIdentity = (writer: string) => targetKindOfDescription(target)?.writerIdentity?.(target, writer) ?? writer;
  const started = events.find((e): e is EventOf<'probe.started'> => e.type === 'probe.started' && e.kind === 'ledger');
  if (!started) return null;
  const acked: AckedWrite[] = [];
  const unacked: UnackedWrite[] = [];
  for (const event of events) {
    if (event.type !== 'ledger.samples' || event.probe !== started.probe) continue;
    for (const [seq, t, latency, , ok, , writer] of event.rows) {
      if (ok) acked.push({ seq, t, ackedAt: t + latency, writer: writerIdentity(writer) });
      else unacked.push({ seq, t });
    }
  }
  const readBack = events.find((e): e is EventOf<'ledger.readback'> => e.type === 'ledger.readback' && e.probe === started.probe);
  const base = {
    objectiveMs,
    writes: acked.length + unacked.length,
    probe: started.probe,
    url: started.url,
    rate: started.rate,
    client: started.client ?? '',
    readBack: readBack ? { ok: readBack.ok, url: readBack.url, writer: readBack.writer, region: readBack.region, attempts: readBack.attempts, error: readBack.error ?? null } : null,
  };
  if (!readBack?.ok) {
    const note = readBack ? `the read back failed after ${readBack.attempts} attempts: ${readBack.error}` : 'the ledger was not read back (the run was interrupted or did not finish)';
    return {
      // Not measured: neither met nor missed here (as an SLO without requests); the verdict counts a declared objective it could not measure as missed.
      ...base, ms: null, met: null, ackedWrites: acked.length, lostWrites: 0, duplicateWrites: 0, splitBrain: false,
      lostSeqs: [], unconfirmedWrites: 0, staleWriterAcks: 0, writers: [], note,
    };
  }
  const result = computeRpo({ acked, unacked, readBack: readBack.seqs }, { maxLostSeqs: 100 });
  const ms = Math.round(result.rpoMs);
  return {
    ...base,
    ms,
    met: objectiveMs === null ? null : ms <= objectiveMs && !result.splitBrain,
    ackedWrites: result.ackedWrites,
    lostWrites: result.lostWrites,
    duplicateWrites: result.duplicateWrites,
    splitBrain: result.splitBrain,
    lostSeqs: result.lostSeqs,
    unconfirmedWrites: result.unconfirmedWrites,
    staleWriterAcks: result.staleWriterAcks,
    writers: result.writers,
    note: acked.length === 0 ? 'no write was acknowledged' : null,
  };
}

function timelineOf(events: readonly JournalEvent[], offset: (t: number) => number | null): RunSummary['timeline'] {
  const lines: RunSummary['timeline'] = [];
  for (const event of events) {
    let text: string | null = null;
    switch (event.type) {
      case 'phase': text = `phase ${event.phase}`; break;
      case 'steady-state': text = `steady state ${event.when}: ${event.ok ? 'ok' : 'NOT met'} (${formatRatio(event.successRatio)} of ${event.samples} requests, need ${formatRatio(event.required)})`; break;
      case 'fault.injecting': text = `injecting ${event.fault} (${event.kind})`; break;
      case 'fault.injected': text = `${event.fault} active`; break;
      case 'fault.inject-failed': text = `${event.fault} inject FAILED: ${event.error}`; break;
      case 'fault.reverting': text = `reverting ${event.fault} (${event.reason})`; break;
      case 'fault.reverted': text = `${event.fault} reverted`; break;
      case 'fault.revert-failed': text = `${event.fault} revert FAILED: ${event.error}`; break;
      case 'stop-condition.breached': text = `stop condition ${event.condition}: ${event.detail}`; break;
      case 'signal': text = `received ${event.signal}`; break;
      case 'ledger.readback': text = event.ok ? `ledger read back: ${event.seqs.length} writes on ${event.writer || 'the writer'}` : `ledger read back FAILED after ${event.attempts} attempts: ${event.error}`; break;
      case 'failover.step': text = `failover ${event.step} ${event.status}${event.error ? `: ${event.error}` : ''}`; break;
      case 'failover.completed': text = `failover ${event.ok ? 'completed' : 'FAILED'}: ${event.reason}`; break;
      case 'error': text = `error in ${event.where}: ${event.message}`; break;
      case 'run.finished': text = `finished: ${event.status} (${event.reason})`; break;
    }
    if (text !== null) lines.push({ t: event.t, offsetMs: offset(event.t), event: text });
  }
  return lines;
}

export function formatRatio(ratio: number | null): string {
  return ratio === null ? 'n/a' : `${(ratio * 100).toFixed(ratio >= 0.999 && ratio < 1 ? 2 : 1)}%`;
}


function first<T extends JournalEvent['type']>(events: readonly JournalEvent[], type: T): EventOf<T> | undefined {
  return events.find((event): event is EventOf<T> => event.type === type);
}
