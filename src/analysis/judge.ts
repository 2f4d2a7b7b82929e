import { formatDuration } from '../core/duration';
import type { RunStatus } from '../core/events';
import { baselineAmount, baselineMeasured, baselineObjective } from './baseline';
import { describeSloMeasure, formatRatio, rtoMeasured } from './format';
import type { RunSummary } from './summary';

/**
 * One objective the run was judged against, as every report shows it: the HTML verdict
 * table, junit.xml (one testcase each) and the gate's text all list these, so they agree.
 */
export interface Objective {
  /** Stable, for test names and machines: 'rto', 'rpo', 'slo.<name>.<threshold>', 'steady-state'. */
  id: string;
  name: string;
  measured: string;
  objective: string;
  /** null: there was nothing to measure (the run ended first, or no requests). */
  met: boolean | null;
}

/** Objectives the run declared, in the order the verdict reads them. */
export function objectivesOf(summary: RunSummary): Objective[] {
  const objectives: Objective[] = [];
  const { rto, rpo } = summary;
  if (rto.objectiveMs !== null) {
    const headline = (summary.journeys ?? []).find((journey) => journey.headline);
    objectives.push({
      id: 'rto',
      name:
        headline && headline.name !== summary.traffic.probe
          ? `RTO (client-observed, journey ${headline.name})`
          : 'RTO (client-observed)',
      measured: rtoMeasured(rto),
      objective: `≤ ${formatDuration(rto.objectiveMs)}`,
      met: rto.met,
    });
  }
  for (const journey of otherJourneys(summary))
    objectives.push({
      id: `rto.${journey.name}`,
      name: `RTO of journey ${journey.name} (${journey.kind})`,
      measured: rtoMeasured(journey.rto),
      objective: `≤ ${formatDuration(journey.rto.objectiveMs!)}`,
      met: journey.rto.met,
    });
  if (rpo && rpo.objectiveMs !== null) {
    const measured =
      rpo.ms === null
        ? `not measured${rpo.note ? ` (${rpo.note})` : ''}`
        : `${formatDuration(rpo.ms)}, ${rpo.lostWrites} of ${rpo.ackedWrites} acknowledged writes lost`;
    objectives.push({
      id: 'rpo',
      name: 'RPO (write ledger)',
      measured: `${measured}${rpo.splitBrain ? ', split brain' : ''}`,
      objective: `≤ ${formatDuration(rpo.objectiveMs)}, no split brain`,
      met: rpo.met,
    });
  }
  for (const slo of summary.slos) {
    for (const threshold of slo.thresholds) {
      objectives.push({
        id: `slo.${slo.name}.${threshold.text}`,
        name: `SLO ${slo.name} (${slo.objective}% over ${formatDuration(slo.windowMs)}): ${threshold.metric}`,
        measured: describeSloMeasure(threshold.metric, threshold.measured),
        objective: threshold.text,
        met: threshold.met,
      });
    }
  }
  for (const probe of summary.probes) {
    if (!probe.k6) continue;
    objectives.push({
      id: `k6.${probe.probe}`,
      name: `k6 ${probe.probe}: thresholds and exit`,
      measured: probe.k6.measured,
      objective: "the script's thresholds hold; k6 ends by itself (exit 0) or when gameday stops it",
      met: probe.k6.met,
    });
  }
  for (const entry of summary.baseline?.metrics ?? []) {
    objectives.push({
      id: `baseline.${entry.metric === 'budget' ? entry.name.replace(/^budget /, 'budget.') : entry.metric}`,
      name: `${entry.name} vs baseline ${summary.baseline!.runId}`,
      measured: baselineMeasured(entry),
      objective: baselineObjective(entry),
      met: entry.met,
    });
  }
  const { before, after } = summary.steadyState;
  if (before || after) {
    const parts: string[] = [];
    if (before) parts.push(`before faults ${formatRatio(before.successRatio)}`);
    if (after) parts.push(`after rollback ${formatRatio(after.successRatio)}`);
    const required = (after ?? before)!.required;
    objectives.push({
      id: 'steady-state',
      name: 'steady state',
      measured: `success ${parts.join(', ')}`,
      objective: `≥ ${formatRatio(required)} before faults and after rollback`,
      // A run stopped before its post-check has only half an answer.
      met: before?.ok === false || after?.ok === false ? false : after ? true : null,
    });
  }
  return objectives;
}

/** What a run's measurements say: its status and why, in the words every report repeats. */
export interface Judgement {
  status: Extract<RunStatus, 'passed' | 'failed'>;
  reason: string;
}

/**
 * The verdict of a run that went to the end: passed only when every objective with a
 * measurement is met, the target came back, and the failover runbook (if any) did its
 * job. The one source of the verdict: the engine, the gate, JUnit and the reports agree.
 */
export function judge(summary: RunSummary): Judgement {
  const judged = judgeObjectives(summary);
  const runbook = runbookFailure(summary);
  if (runbook && judged.status === 'passed') return { status: 'failed', reason: runbook };
  if (runbook) return { status: judged.status, reason: `${judged.reason}; ${runbook}` };
  return judged;
}

/** Why the runbook failed its run, if it did: a step that failed, or the failback that followed. */
function runbookFailure(summary: RunSummary): string | null {
  const failover = summary.failover;
  if (!failover) return null;
  if (failover.ok === false) return failover.reason;
  const failback = failover.steps.find((step) => step.name === 'failback' && step.status === 'failed');
  return failback ? `failover step failback failed: ${failback.error}` : null;
}

function judgeObjectives(summary: RunSummary): Judgement {
  const misses: string[] = [];
  const { rto, rpo } = summary;
  if (rto.met === false) {
    misses.push(
      rto.recovered === false
        ? `clients never recovered (RTO ≥ ${rto.atLeastMs} ms, objective ${rto.objectiveMs} ms)`
        : `RTO ${rto.ms} ms > objective ${rto.objectiveMs} ms`,
    );
  }
  for (const journey of otherJourneys(summary)) {
    const { rto: journeyRto } = journey;
    if (journeyRto.met !== false) continue;
    misses.push(
      journeyRto.recovered === false
        ? `journey ${journey.name} never recovered ` +
            `(RTO ≥ ${journeyRto.atLeastMs} ms, objective ${journeyRto.objectiveMs} ms)`
        : `journey ${journey.name} RTO ${journeyRto.ms} ms > objective ${journeyRto.objectiveMs} ms`,
    );
  }
  if (rpo && rpo.objectiveMs !== null && rpo.met !== true) misses.push(rpoMiss(rpo));
  for (const slo of summary.slos) {
    for (const threshold of slo.thresholds) {
      if (threshold.met !== true)
        misses.push(
          `SLO ${slo.name}: ${threshold.text} not met (${describeSloMeasure(threshold.metric, threshold.measured)})`,
        );
    }
  }
  for (const probe of summary.probes)
    if (probe.k6?.met === false) misses.push(`k6 ${probe.probe}: ${probe.k6.measured}`);
  for (const entry of summary.baseline?.metrics ?? [])
    if (!entry.met)
      misses.push(
        `${entry.name} regressed against baseline ${summary.baseline!.runId}: ${baselineMeasured(entry)}, ` +
          `allowed ${baselineAmount(entry.metric, entry.allowed)}`,
      );
  const after = summary.steadyState.after;
  if (after && !after.ok)
    misses.push(
      `steady state did not return after rollback (success ratio ${formatRatio(after.successRatio)} ` +
        `< ${formatRatio(after.required)})`,
    );
  if (misses.length > 0) return { status: 'failed', reason: misses.join('; ') };
  const met: string[] = [];
  if (rto.met) met.push(`RTO ${rto.ms} ms ≤ ${rto.objectiveMs} ms`);
  for (const journey of otherJourneys(summary))
    if (journey.rto.met) met.push(`journey ${journey.name} RTO ${journey.rto.ms} ms ≤ ${journey.rto.objectiveMs} ms`);
  if (rpo?.met)
    met.push(
      `RPO ${rpo.ms} ms ≤ ${rpo.objectiveMs} ms (${rpo.lostWrites} of ${rpo.ackedWrites} acknowledged writes lost)`,
    );
  for (const slo of summary.slos) {
    for (const threshold of slo.thresholds)
      met.push(`SLO ${slo.name}: ${threshold.text} (${describeSloMeasure(threshold.metric, threshold.measured)})`);
  }
  for (const probe of summary.probes) if (probe.k6?.met) met.push(`k6 ${probe.probe}: ${probe.k6.measured}`);
  const compared = summary.baseline?.metrics ?? [];
  if (compared.length > 0)
    met.push(`no worse than baseline ${summary.baseline!.runId} (${compared.map((entry) => entry.name).join(', ')})`);
  if (after?.ok) met.push('steady state restored');
  return { status: 'passed', reason: met.length > 0 ? met.join('; ') : 'no objective missed' };
}

/** Journeys with an RTO objective of their own: the headline's is the run's RTO objective, judged as `rto`. */
function otherJourneys(summary: RunSummary): RunSummary['journeys'] {
  // Summaries written before journeys had their own RTO have none.
  return (summary.journeys ?? []).filter((journey) => !journey.headline && journey.rto.objectiveMs !== null);
}

function rpoMiss(rpo: NonNullable<RunSummary['rpo']>): string {
  if (rpo.ms === null) return `RPO not measured (objective ${rpo.objectiveMs} ms): ${rpo.note}`;
  const lost = `${rpo.lostWrites} of ${rpo.ackedWrites} acknowledged writes lost`;
  if (rpo.ms > rpo.objectiveMs!) return `RPO ${rpo.ms} ms > objective ${rpo.objectiveMs} ms (${lost})`;
  return (
    `split brain: ${rpo.staleWriterAcks} writes acknowledged by a superseded writer, ` +
    `${rpo.duplicateWrites} present twice (RPO ${rpo.ms} ms, ${lost})`
  );
}
