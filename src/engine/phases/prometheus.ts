import fs from 'node:fs';
import path from 'node:path';
import { now } from '../../core/clock';
import { errorMessage } from '../../core/errors';
import type { AlertConditionSeries, AlertInstanceRecord, PrometheusRuleRecord } from '../../core/events';
import type { Journal } from '../../core/journal';
import type { Experiment } from '../../experiment/validate';
import { increasesPerStep } from '../../measure/counters';
import { PrometheusClient, stepFor, type RangeSeries } from '../../prometheus/client';
import { analyseAlertingRule } from '../../prometheus/rules';
import type { TargetSession } from '../../targets';
import type { PrometheusOpened } from '../../targets/prometheus';

/** Whether the experiment asks Prometheus anything: its alert rules, a probe, an SLI or a stop condition. */
export function needsPrometheus(experiment: Experiment): boolean {
  return (
    experiment.alerts !== undefined ||
    experiment.probes.some((probe) => probe.kind === 'prometheus') ||
    experiment.slos.some((slo) => slo.sli === 'promql') ||
    experiment.stopConditions.some((condition) => condition.kind === 'promql')
  );
}

const queryTimeoutMs = 15_000;
/** A PromQL SLI is counted per second, as the traffic's SLIs are. */
const sloStepMs = 1_000;

/**
 * The target's Prometheus for one run. Opened in preflight, before anything is injected
 * (the lab's started if it is not running, and given the run's rule files); its client
 * serves the prometheus probes and stop conditions while the run goes; once the run is
 * over it is read — every alert that went pending or fired (ALERTS, ALERTS_FOR_STATE),
 * the rules behind them, each burn condition's ratio as Prometheus computed it, and each
 * PromQL SLI's events — and the lab's stops evaluating the run's rules. It only reads a
 * team's own server.
 */
export class PrometheusPhase {
  private observeT0: number | null = null;

  private constructor(
    readonly client: PrometheusClient,
    private readonly opened: PrometheusOpened,
    private readonly openedAt: number,
    private readonly run: { experiment: Experiment; session: TargetSession; journal: Journal },
  ) {
    run.journal.onEvent((event) => {
      if (event.type === 'observe.started') this.observeT0 ??= event.t0;
    });
  }

  /** Null when the experiment needs no Prometheus; a reason (nothing was injected) when it could not be opened. */
  static async open(run: {
    experiment: Experiment;
    session: TargetSession;
    journal: Journal;
  }): Promise<PrometheusPhase | string | null> {
    const { experiment, session, journal } = run;
    if (!needsPrometheus(experiment)) return null;
    const port = session.prometheus;
    const fail = (detail: string) => {
      journal.append({ type: 'preflight.check', check: 'prometheus', ok: false, detail });
      return `${detail}; nothing was injected`;
    };
    if (!port) return fail(`target ${session.kind} has no Prometheus`);
    let opened: PrometheusOpened;
    try {
      const rules = (experiment.alerts?.rules ?? []).map((file) => ({
        name: shownPath(file),
        content: fs.readFileSync(file, 'utf8'),
      }));
      opened = await port.open(rules, experiment.alerts?.evaluationInterval);
    } catch (error) {
      return fail(
        port.source === 'lab'
          ? `the lab's Prometheus could not be made ready: ${errorMessage(error)}`
          : `Prometheus could not be opened: ${errorMessage(error)}`,
      );
    }
    const client = new PrometheusClient(opened.endpoint, { timeoutMs: queryTimeoutMs });
    try {
      // Reached, and answering PromQL: a server that does not is said before anything is injected.
      await client.query('vector(1)');
    } catch (error) {
      await port.release().catch(() => undefined);
      return fail(errorMessage(error));
    }
    const rules = opened.ruleFiles.map((file) => file.name).join(', ');
    journal.append({
      type: 'preflight.check',
      check: 'prometheus',
      ok: true,
      detail:
        `${opened.source === 'lab' ? "the lab's Prometheus" : 'Prometheus'} at ${opened.endpoint.url} answers` +
        (opened.startupMs !== null ? ` (started in ${opened.startupMs} ms)` : '') +
        (rules ? `; evaluating ${rules} every ${opened.evaluationIntervalMs} ms` : ''),
    });
    journal.append({
      type: 'prometheus.opened',
      source: opened.source,
      url: opened.endpoint.url,
      startupMs: opened.startupMs,
      dataSince: opened.dataSince,
      scrapeIntervalMs: opened.scrapeIntervalMs,
      evaluationIntervalMs: opened.evaluationIntervalMs,
      ruleFiles: opened.ruleFiles,
    });
    return new PrometheusPhase(client, opened, now(), run);
  }

  /** Once the run is over: reads what Prometheus recorded, then the lab's stops evaluating the run's rules. */
  async finish(): Promise<void> {
    const { experiment, journal, session } = this.run;
    const to = now();
    if (experiment.alerts) await this.readAlerts(this.openedAt, to);
    for (const slo of experiment.slos)
      if (slo.sli === 'promql') await this.readSlo(slo.name, slo.good!, slo.total!, to);
    try {
      await session.prometheus?.release();
    } catch (error) {
      journal.append({ type: 'error', message: errorMessage(error), where: "unloading the run's rule files" });
    }
  }

  private async readAlerts(from: number, to: number): Promise<void> {
    const { journal } = this.run;
    let stepMs = this.opened.evaluationIntervalMs ?? 60_000;
    let rules: PrometheusRuleRecord[] = [];
    let alerts: AlertInstanceRecord[] = [];
    const conditions: AlertConditionSeries[] = [];
    let error: string | undefined;
    try {
      // Every evaluation's own sample of ALERTS and ALERTS_FOR_STATE, at its own timestamp: the moments exact.
      const window = { windowMs: to - from, atMs: to };
      const [served, alertSeries, forState] = await Promise.all([
        this.client.rules(),
        this.client.samples('ALERTS', window),
        this.client.samples('ALERTS_FOR_STATE', window),
      ]);
      const intervals = served.filter((rule) => rule.type === 'alerting').map((rule) => rule.intervalMs);
      stepMs = stepFor(to - from, intervals.length > 0 ? Math.min(...intervals) : stepMs);
      const range = { startMs: from, endMs: to, stepMs };
      alerts = alertInstances(alertSeries, forState, stepMs);
      rules = this.relevantRules(served, alerts);
      const asked = new Set<string>();
      for (const rule of rules) {
        if (rule.type !== 'alerting') continue;
        for (const alternative of analyseAlertingRule(rule, served).alternatives)
          for (const condition of alternative.conditions) {
            if (asked.has(condition.lhs)) continue;
            asked.add(condition.lhs);
            const series = await this.client.queryRange(`max(${condition.lhs})`, range);
            conditions.push({ rule: rule.name, lhs: condition.lhs, points: series[0]?.points ?? [] });
          }
      }
    } catch (caught) {
      error = errorMessage(caught);
    }
    journal.append({
      type: 'alerts.observed',
      source: this.opened.source,
      url: this.opened.endpoint.url,
      from,
      to,
      stepMs,
      rules,
      alerts,
      conditions,
      ...(error ? { error } : {}),
    });
  }

  /**
   * The lab's Prometheus evaluates only the run's rules: all of them. A team's server evaluates many: the alerting
   * rules that went pending or fired, and the recording rules they read.
   */
  private relevantRules(served: PrometheusRuleRecord[], alerts: AlertInstanceRecord[]): PrometheusRuleRecord[] {
    if (this.opened.source === 'lab') {
      const ours = new Set(this.opened.ruleFiles.map((file) => file.path));
      return served
        .filter((rule) => ours.has(rule.file))
        .map((rule) => ({ ...rule, file: this.opened.ruleFiles.find((file) => file.path === rule.file)!.name }));
    }
    const raised = new Set(alerts.map((alert) => alert.alertname));
    const kept = new Set(served.filter((rule) => rule.type === 'alerting' && raised.has(rule.name)));
    const recordings = served.filter((rule) => rule.type === 'recording');
    // The recording rules an expression names, and theirs, until nothing new is named.
    for (let added = true; added;) {
      added = false;
      for (const recording of recordings)
        if (!kept.has(recording) && [...kept].some((rule) => namesMetric(rule.query, recording.name))) {
          kept.add(recording);
          added = true;
        }
    }
    return served.filter((rule) => kept.has(rule));
  }

  private async readSlo(slo: string, good: string, total: string, to: number): Promise<void> {
    const { journal } = this.run;
    const t0 = this.observeT0;
    if (t0 === null) return;
    // One step before the observation: every counter's value there is the base of its first increase.
    const first = Math.floor(t0 / sloStepMs) * sloStepMs;
    const stepMs = stepFor(to - first, sloStepMs);
    const range = { startMs: first - stepMs, endMs: to, stepMs };
    const steps: number[] = [];
    for (let t = range.startMs; t <= to; t += stepMs) steps.push(t);
    try {
      const [goodSeries, totalSeries] = await Promise.all([
        this.client.queryRange(good, range),
        this.client.queryRange(total, range),
      ]);
      const goodIncreases = increasesPerStep(
        goodSeries.map((series) => series.points),
        steps,
      );
      const totalIncreases = increasesPerStep(
        totalSeries.map((series) => series.points),
        steps,
      );
      journal.append({
        type: 'slo.promql-samples',
        slo,
        stepMs,
        points: steps
          .slice(1)
          .map((t, index) => [t, goodIncreases[index + 1], totalIncreases[index + 1]] as [number, number, number]),
      });
    } catch (error) {
      journal.append({ type: 'slo.promql-samples', slo, stepMs, points: [], error: errorMessage(error) });
    }
  }
}

/** Whether an expression names a metric (as a whole word: a recording rule's name, e.g. slo:sli_error:ratio_rate5m). */
function namesMetric(query: string, metric: string): boolean {
  const escaped = metric.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_:])${escaped}($|[^A-Za-z0-9_:])`).test(query);
}

/**
 * ALERTS' samples (one series per alert and state, a sample per evaluation) folded into one record per alert: the runs
 * of evaluations it was pending and firing in, and when each activation began — the first evaluation of each value of
 * ALERTS_FOR_STATE (whose value, the activation time, Prometheus keeps only to the second).
 */
export function alertInstances(
  alerts: RangeSeries[],
  forState: RangeSeries[],
  intervalMs: number,
): AlertInstanceRecord[] {
  const byKey = new Map<string, AlertInstanceRecord>();
  const instanceOf = (metric: Record<string, string>) => {
    const labels = Object.fromEntries(
      Object.entries(metric).filter(([label]) => !['__name__', 'alertname', 'alertstate'].includes(label)),
    );
    const key = JSON.stringify([metric.alertname ?? '', Object.entries(labels).sort()]);
    let instance = byKey.get(key);
    if (!instance) {
      instance = { alertname: metric.alertname ?? '', labels, pending: [], firing: [], activeSince: [] };
      byKey.set(key, instance);
    }
    return instance;
  };
  for (const series of alerts) {
    const state = series.labels.alertstate;
    if (state !== 'pending' && state !== 'firing') continue;
    instanceOf(series.labels)[state].push(
      ...runsOf(
        series.points.map(([t]) => t),
        intervalMs,
      ),
    );
  }
  for (const series of forState) {
    const instance = instanceOf(series.labels);
    let previous: number | null = null;
    for (const [t, value] of [...series.points].sort((a, b) => a[0] - b[0])) {
      if (value !== previous) instance.activeSince.push(t);
      previous = value;
    }
  }
  return [...byKey.values()].filter((instance) => instance.pending.length > 0 || instance.firing.length > 0);
}

/** Evaluation times as [first, last] runs (a gap of more than an interval and a half breaks a run). */
function runsOf(times: number[], intervalMs: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const t of [...times].sort((a, b) => a - b)) {
    const last = runs.at(-1);
    if (last && t - last[1] <= intervalMs * 1.5) last[1] = t;
    else runs.push([t, t]);
  }
  return runs;
}

function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}
