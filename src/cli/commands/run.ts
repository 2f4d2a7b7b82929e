import path from 'node:path';
import {
  boundsText,
  episodeText,
  failbackText,
  formatBurn,
  formatOffset,
  formatPercent,
  journeysText,
  rtoMeasured,
} from '../../analysis/format';
import type { RunSummary } from '../../analysis/summary';
import { formatDuration } from '../../core/duration';
import { runExperiment, type RunOptions } from '../../engine/run';
import { newRunId } from '../../engine/run-id';
import { loadDefinition } from '../../scenario/loader';
import { runScenarioCommand } from './run-scenario';
import type { Experiment } from '../../experiment/validate';
import { reportFiles } from '../../report/files';
import { ruleLine } from '../../report/alerts';
import type { ReportOutcome } from '../../report/reporter';
import { ProgressDisplay } from '../progress';
import { interruptController } from '../signals';
import { approver } from '../approve';
import { operatorName } from '../checkpoint-prompt';
import { drillReporters } from '../drill-reporters';
import { shownPath } from '../shown-path';
import type { RunCommandOptions } from './run-options';

export type { RunCommandOptions };

/** `gameday run <file>`: an experiment, or a GameDay scenario, told apart by what the file exports. */
export async function runCommand(file: string, options: RunCommandOptions): Promise<number> {
  const definition = loadDefinition(file);
  if (definition.kind === 'scenario') return runScenarioCommand(definition.scenario, options);
  return runWithProgress(definition.experiment, definition.experiment.name, options, {});
}

/**
 * Runs an experiment (or, for `gameday failover`, its runbook alone) with live progress
 * and Ctrl-C wired to rollback, prints the result, returns the exit code.
 */
export async function runWithProgress(
  experiment: Experiment,
  label: string,
  options: RunCommandOptions,
  mode: Pick<RunOptions, 'failoverOnly' | 'failback' | 'trafficShift'>,
  format: (summary: RunSummary, reports: ReportOutcome) => string = resultText,
): Promise<number> {
  const consent = { yes: options.yes, ci: process.env.CI };
  const action = mode.failoverOnly ? (mode.failback ? 'failback' : 'failover') : 'run';
  const runId = newRunId(label);
  const runDir = path.resolve(options.out ?? path.join(options.reports, runId));
  // Built before anything starts: a notifier that cannot deliver (no SLACK_BOT_TOKEN) refuses the run.
  const reporters = drillReporters({ pdf: options.pdf, notify: options.notify, by: operatorName(), action }).experiment(
    runDir,
    experiment,
  );
  const progress = new ProgressDisplay();
  const interrupt = interruptController((message) => progress.line(message));
  try {
    const result = await runExperiment(experiment, {
      runId,
      runDir,
      signal: interrupt.signal,
      reporters: [
        {
          name: 'progress',
          onEvent: (event) => {
            // Printed once the engine has started the run: one it refuses (no consent) must not look as if it started.
            if (event.type === 'run.started') progress.line(`running ${label} -> ${shownPath(runDir)}`);
            progress.onEvent(event);
          },
        },
        ...reporters,
      ],
      approve: approver(options.approve, progress),
      consent,
      ...mode,
    });
    progress.close();
    // A report that could not be written is said, on stderr, and changes nothing else.
    for (const problem of result.reports.problems) process.stderr.write(`gameday: ${problem}\n`);
    if (options.json) process.stdout.write(JSON.stringify(result.summary, null, 2) + '\n');
    else process.stdout.write(format(result.summary, result.reports));
    return interrupt.exitCode(result.status);
  } finally {
    progress.close();
    interrupt.dispose();
  }
}

/** An objective's word: a run refused or ended before it measured anything has not missed it. */
function metWord(met: boolean | null): string {
  return met === null ? 'not measured' : met ? 'met' : 'MISSED';
}

function resultText(summary: RunSummary, reports: ReportOutcome): string {
  const lines: string[] = [];
  lines.push(`${summary.status.toUpperCase()}  ${summary.experiment}: ${summary.reason}`);
  /** ' (objective 30s, met)', or nothing without an objective. */
  const against = (objectiveMs: number | null, met: boolean | null) =>
    objectiveMs === null ? '' : ` (objective ${formatDuration(objectiveMs)}, ${metWord(met)})`;
  const rto = summary.rto;
  if (rto.ms !== null || rto.recovered === false) {
    const from = rto.cause ? ` from ${rto.cause.name} (clients first failed at ${formatOffset(rto.onsetMs)})` : '';
    lines.push(`  RTO ${rtoMeasured(rto)}${from}${against(rto.objectiveMs, rto.met)}`);
  }
  if (rto.phases)
    lines.push(`  phases ${rto.phases.map((phase) => `${phase.name} ${formatDuration(phase.ms)}`).join(', ')}`);
  if (rto.bounds) lines.push(`  ${boundsText(rto.bounds)}`);
  const journeys = summary.journeys ?? [];
  if (journeys.some((journey) => journey.name !== summary.traffic.probe)) {
    lines.push(`  journeys: ${journeysText(journeys)}`);
    for (const journey of journeys.filter((candidate) => !candidate.headline)) {
      const cause = journey.rto.cause && journey.rto.ms ? ` from ${journey.rto.cause.name}` : '';
      lines.push(
        `  journey ${journey.name} (${journey.kind}): RTO ${rtoMeasured(journey.rto)}${cause}` +
          `${against(journey.rto.objectiveMs, journey.rto.met)}; ${journey.samples} attempts, ${journey.failed} failed`,
      );
    }
  }
  for (const probe of summary.probes) {
    const kept = (probe.failures ?? []).filter((failure) => failure.screenshot || failure.trace);
    if (kept.length > 0) {
      const folder = path.dirname(kept[0].screenshot ?? kept[0].trace!);
      lines.push(
        `  ${probe.probe}: ${kept.length} failed journey${kept.length === 1 ? '' : 's'} left a screenshot and a ` +
          `trace in ${shownPath(path.join(summary.runDir, folder))}`,
      );
    }
  }
  if (summary.impact.length > 1 || summary.impact.some((episode) => episode.cause?.kind !== 'fault'))
    for (const episode of summary.impact) lines.push(`  impact ${episodeText(episode)}`);
  if (summary.failback) lines.push(`  ${failbackText(summary.failback)}`);
  const rpo = summary.rpo;
  if (rpo) {
    const measured = rpo.ms === null ? 'not measured' : formatDuration(rpo.ms);
    const splitBrain = rpo.splitBrain ? ', SPLIT BRAIN' : '';
    const lost = `${rpo.lostWrites} of ${rpo.ackedWrites} acknowledged writes lost${splitBrain}`;
    lines.push(`  RPO ${measured}: ${lost}${against(rpo.objectiveMs, rpo.met)}`);
  }
  const objects = summary.objects;
  if (objects) {
    const measured = objects.ms === null ? 'not measured' : formatDuration(objects.ms);
    const lost = `${objects.lostObjects} of ${objects.ackedObjects} acknowledged objects lost`;
    const lag =
      objects.lag.maxMs === null
        ? ''
        : `, replication lag p50 ${formatDuration(objects.lag.p50Ms!)} max ${formatDuration(objects.lag.maxMs)}`;
    lines.push(`  object RPO ${measured}: ${lost}${lag}${against(objects.objectiveMs, objects.met)}`);
    if (objects.danglingReferences !== null)
      lines.push(
        `  dangling references: ${objects.danglingReferences} of ${objects.referencesChecked} order rows name an ` +
          `object missing from ${objects.destination.bucket} (${objects.destination.region})`,
      );
    if (objects.note) lines.push(`  object ledger: ${objects.note}`);
  }
  for (const slo of summary.slos) {
    const pages = slo.alerts
      .filter((alert) => alert.fired)
      .map((alert) => `${alert.long}/${alert.short} after ${formatDuration(alert.firedAfterMs ?? 0)}`);
    const verdicts = slo.thresholds.map((threshold) => `${threshold.text} ${metWord(threshold.met)}`);
    const judged = verdicts.length > 0 ? ` (${verdicts.join(', ')})` : '';
    const budget =
      slo.budgetConsumedPct === null
        ? 'not measured'
        : `${formatPercent(slo.budgetConsumedPct)} of the ${slo.window} budget`;
    const peak = slo.peakBurnRate === null ? '—' : formatBurn(slo.peakBurnRate);
    const alerts = pages.length > 0 ? `pages: ${pages.join(', ')}` : 'no alert would fire';
    lines.push(`  SLO ${slo.name}: ${budget}, peak burn ${peak}, ${alerts}${judged}`);
  }
  for (const rule of summary.alerts?.rules ?? []) lines.push(`  ${ruleLine(rule)}`);
  if (summary.alerts?.error) lines.push(`  alerts: Prometheus could not be read completely: ${summary.alerts.error}`);
  const failover = summary.failover;
  if (failover)
    lines.push(
      `  failover ${failover.from} → ${failover.to}: ${failover.ok ? 'completed' : `FAILED (${failover.reason})`}`,
    );
  const t = summary.traffic;
  if (t.requests > 0) {
    lines.push(
      `  traffic ${t.requests} requests, ${t.errors} errors, p50 ${t.latencyMs.p50} ms, p99 ${t.latencyMs.p99} ms`,
    );
    const during = t.latencyByPeriod.duringFaults;
    if (during.requests > 0)
      lines.push(
        `  latency during faults p50 ${during.p50} ms, p99 ${during.p99} ms ` +
          `(before p99 ${t.latencyByPeriod.beforeFaults.p99 ?? '—'} ms, ` +
          `after p99 ${t.latencyByPeriod.afterFaults.p99 ?? '—'} ms)`,
      );
  }
  for (const fault of summary.faults) {
    const active = fault.activeMs !== null ? `active ${formatDuration(fault.activeMs)}` : (fault.error ?? 'not active');
    lines.push(`  fault ${fault.name}: ${active}${fault.revertedAt ? ', reverted' : ''}`);
  }
  const written = [reportFiles.html, reportFiles.markdown, reportFiles.pdf, reportFiles.junit].filter((file) =>
    reports.written.includes(path.join(summary.runDir, file)),
  );
  if (written.length > 0) {
    const others = written.length > 1 ? ` (also ${written.slice(1).join(', ')})` : '';
    lines.push(`  report ${shownPath(path.join(summary.runDir, written[0]))}${others}`);
  }
  return lines.join('\n') + '\n';
}
