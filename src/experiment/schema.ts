import { z } from 'zod';
import { duration, name, ratio, serviceName, staleAfter, type ReportIssue } from '../core/fields';
import { failoverSchema, validateFailover } from '../failover/spec';
import { faultImplementationOf, faultKindOf, faultSchema, type FaultCheckContext } from '../faults';
import {
  httpProbeSchema,
  probeKindOf,
  probeSchema,
  sendsRequests,
  type HttpProbe,
  type Probe,
  type ProbeCheckContext,
} from '../probes';
import { targetKindOf, targetSchema } from '../targets';
import { alertsSchema, minEvaluationIntervalMs, type Alerts } from './alerts';
import { annotationsSchema } from './annotations';
import { hypothesisSchema, type Hypothesis } from './hypothesis';
import { notifySchema } from './notify';
import { scheduleSchema } from './schedule';
import { sloSchema, type Slo } from './slos';
import { stopConditionSchema, type StopCondition } from './stop-conditions';

/**
 * The experiment schema, composed from the kinds' own: targets, probes, faults and the
 * runbook each hold their schema and checks; this file adds what spans them. `z.input` of
 * it is what users write (most fields optional), `z.output` what the engine runs (defaults
 * applied, durations in milliseconds): one schema, so a default cannot drift between the
 * docs, the validator and the engine.
 */

export const steadyStateSchema = z.strictObject({
  /** Traffic measured before any fault; it must meet successRatio or nothing is injected. */
  duration: duration({ max: '1h' }).prefault('2s'),
  successRatio: ratio.default(0.99),
  /** After rollback, how long the target has to return to steady state. */
  recoveryTimeout: duration({ max: '1h' }).prefault('30s'),
});

export const experimentSchema = z
  .strictObject({
    name,
    description: z.string().default(''),
    /** Default: the embedded local lab. */
    target: targetSchema.prefault({ kind: 'lab' }),
    hypothesis: hypothesisSchema.prefault({}),
    /** The built-in failover executor's runbook (lab and aws targets). */
    failover: failoverSchema.optional(),
    steadyState: steadyStateSchema.prefault({}),
    traffic: httpProbeSchema,
    probes: z.array(probeSchema).default([]),
    faults: z.array(faultSchema).default([]),
    stopConditions: z.array(stopConditionSchema).default([]),
    /**
     * Service level objectives: how much of their error budget the drill burns, and whether their alerts would page.
     */
    slos: z.array(sloSchema).default([]),
    /** The team's own alert rules: which went pending and fired during the drill, beside gameday's evaluation. */
    alerts: alertsSchema.optional(),
    /** Grafana annotations for each fault and failover step, on the team's dashboards. */
    annotations: annotationsSchema.optional(),
    /** Length of the observation, from the first request to the end; default: last fault end + 15s. */
    duration: duration({ max: '24h' }).optional(),
    tags: z.array(z.string().min(1)).default([]),
    /** Slack threads and webhooks told of the run; absent: the environment's default (GAMEDAY_SLACK_CHANNEL…). */
    notify: notifySchema.optional(),
    /** The service this drill is evidence for: its runs count towards that service's resilience score. */
    service: serviceName.optional(),
    /** How long a run stays current evidence for the score (default 30d); a GameDay's applies to its experiments. */
    staleAfter: staleAfter.optional(),
    /** When `gameday schedule run` starts it on its own; see schedule.ts. */
    schedule: scheduleSchema.optional(),
  })
  .superRefine((experiment, ctx) => {
    const report: ReportIssue = (path, message) => ctx.addIssue({ code: 'custom', path, message });
    const within =
      (prefix: (string | number)[]): ReportIssue =>
      (path, message) =>
        report([...prefix, ...path], message);
    const target = experiment.target;
    const targetKind = targetKindOf(target);
    const regions = targetKind.regions(target);
    const api = targetKind.faultApi(target);
    targetKind.validate?.(target, within(['target']));

    const probeChecks: ProbeCheckContext = {
      targetKind: target.kind,
      endpointNames: targetKind.endpointNames(target),
      databaseNames: targetKind.databaseNames(target),
      prometheus: targetKind.hasPrometheus(target),
    };
    probeKindOf(experiment.traffic)!.validate?.(experiment.traffic, probeChecks, within(['traffic']));
    experiment.probes.forEach((probe, index) =>
      probeKindOf(probe)!.validate?.(probe, probeChecks, within(['probes', index])),
    );
    checkLedgers(experiment, probeChecks.endpointNames, report);
    targetKind.checkFaults?.(
      target,
      experiment.faults.map((fault) => ({
        duration: fault.duration,
        instantaneous: faultKindOf(fault).instantaneous === true,
      })),
      report,
    );
    checkProbeNames(experiment, report);
    checkJourneyObjectives(experiment, report);
    checkSlos(experiment, report);
    checkPrometheus(experiment, { kind: target.kind, has: probeChecks.prometheus }, report);
    if (experiment.failover)
      validateFailover(
        experiment.failover,
        { regions, primary: targetKind.primary(target), aws: api === 'aws' ? targetKind.awsModel(target) : null },
        within(['failover']),
      );

    const names = new Set<string>();
    const faultChecks: FaultCheckContext = {
      aws: targetKind.awsModel(target),
      throughAws: targetKind.throughAws ?? '',
    };
    experiment.faults.forEach((fault, index) => {
      const faultName = fault.name ?? `${fault.kind}-${index + 1}`;
      if (names.has(faultName)) report(['faults', index, 'name'], `duplicate fault name ${JSON.stringify(faultName)}`);
      names.add(faultName);
      if ('region' in fault) {
        if (regions.length === 0)
          report(
            ['faults', index, 'kind'],
            `${fault.kind} needs a target with regions ('lab' or 'aws'); target '${target.kind}' supports: exec`,
          );
        else if (!regions.includes(fault.region))
          report(
            ['faults', index, 'region'],
            `unknown region ${JSON.stringify(fault.region)}; target.regions has: ${regions.join(', ')}`,
          );
      }
      // What the API that carries it out cannot do, said before anything runs.
      if (api !== null) {
        const named = { ...fault, name: faultName };
        faultImplementationOf(named, api).validate?.(named, faultChecks, within(['faults', index]));
      }
      if (experiment.duration !== undefined && fault.after >= experiment.duration) {
        report(
          ['faults', index, 'after'],
          `starts at or after the end of the experiment (duration ${experiment.duration} ms)`,
        );
      } else if (
        experiment.duration !== undefined &&
        fault.duration !== undefined &&
        fault.after + fault.duration > experiment.duration
      ) {
        report(
          ['faults', index, 'duration'],
          'ends after the experiment does (after + duration > experiment duration)',
        );
      }
    });
  });

/** At most one write ledger; an RPO objective needs one. */
function checkLedgers(
  experiment: { probes: Probe[]; hypothesis: { rpo?: number; objectRpo?: number } },
  endpointNames: string[],
  report: ReportIssue,
): void {
  let ledgers = 0;
  experiment.probes.forEach((probe, index) => {
    if (probe.kind === 'ledger' && ++ledgers > 1)
      report(['probes', index], 'at most one probes.ledger(...) per experiment');
  });
  const objectLedgers = experiment.probes.filter((probe) => probe.kind === 'objects').length;
  if (objectLedgers > 1) report(['probes'], 'at most one probes.objects(...) per experiment');
  if (experiment.hypothesis.objectRpo !== undefined && objectLedgers === 0)
    report(
      ['hypothesis', 'objectRpo'],
      "object RPO is measured by the object ledger; add probes: [probes.objects({ bucket: '<source bucket>' })]",
    );
  if (experiment.hypothesis.rpo !== undefined && ledgers === 0) {
    report(
      ['hypothesis', 'rpo'],
      `RPO is measured by the write ledger; add probes: [probes.ledger({ endpoint: ` +
        `'${endpointNames[0] ?? 'app'}' })] (a service with POST/GET /ledger, as the lab app has)`,
    );
  }
}

/** SLOs and the guards that name probes or SLOs must name ones that exist; a latency SLI needs its bound. */
function checkSlos(
  experiment: { traffic: { name: string }; probes: Probe[]; slos: Slo[]; stopConditions: StopCondition[] },
  report: ReportIssue,
): void {
  const httpProbes = [experiment.traffic.name, ...experiment.probes.filter(sendsRequests).map((probe) => probe.name)];
  const unknownProbe = (probe: string) =>
    `unknown http or k6 probe ${JSON.stringify(probe)}; the experiment has: ${httpProbes.join(', ')}`;
  const sloNames = new Set<string>();
  experiment.slos.forEach((slo, index) => {
    if (sloNames.has(slo.name)) report(['slos', index, 'name'], `duplicate SLO name ${JSON.stringify(slo.name)}`);
    sloNames.add(slo.name);
    if (slo.sli === 'latency' && slo.threshold === undefined) {
      report(
        ['slos', index, 'threshold'],
        "a latency SLI needs threshold, the bound a good request stays within (e.g. '300ms')",
      );
    }
    if (slo.sli !== 'latency' && slo.threshold !== undefined) {
      report(['slos', index, 'threshold'], "only a latency SLI takes threshold; use sli: 'latency'");
    }
    if (slo.sli === 'promql') {
      for (const field of ['good', 'total'] as const)
        if (slo[field] === undefined)
          report(
            ['slos', index, field],
            `a PromQL SLI needs good and total: counters of good events and of all events (e.g. ` +
              `${field === 'good' ? 'http_requests_total{code!~"5.."}' : 'http_requests_total'})`,
          );
      if (slo.probe !== undefined)
        report(['slos', index, 'probe'], 'a PromQL SLI counts what Prometheus counts, not a probe; leave probe out');
    } else {
      for (const field of ['good', 'total'] as const)
        if (slo[field] !== undefined) report(['slos', index, field], "only sli: 'promql' takes good and total");
    }
    if (slo.probe !== undefined && !httpProbes.includes(slo.probe))
      report(['slos', index, 'probe'], unknownProbe(slo.probe));
    slo.alerts?.forEach((pair, pairIndex) => {
      if (pair.short >= pair.long)
        report(['slos', index, 'alerts', pairIndex, 'short'], 'the short window must be shorter than the long one');
    });
  });
  experiment.stopConditions.forEach((condition, index) => {
    if (condition.kind === 'latency' && condition.probe !== undefined && !httpProbes.includes(condition.probe)) {
      report(['stopConditions', index, 'probe'], unknownProbe(condition.probe));
    }
    const guarded = experiment.slos.find((slo) => slo.name === (condition as { slo?: string }).slo);
    if (condition.kind === 'burnRate' && guarded?.sli === 'promql')
      report(
        ['stopConditions', index, 'slo'],
        `SLO ${JSON.stringify(condition.slo)} is counted by Prometheus once the run ends; guard the drill with a ` +
          "promql stop condition instead (e.g. { kind: 'promql', query: '<error ratio> > 0.5' })",
      );
    if (condition.kind === 'burnRate' && !sloNames.has(condition.slo)) {
      const known = experiment.slos.map((slo) => slo.name);
      report(
        ['stopConditions', index, 'slo'],
        known.length > 0
          ? `unknown SLO ${JSON.stringify(condition.slo)}; slos has: ${known.join(', ')}`
          : `unknown SLO ${JSON.stringify(condition.slo)}; define it in slos`,
      );
    }
  });
}

/**
 * What asks Prometheus needs a target that has one; the lab's evaluates the rule files given, a team's server is only
 * read (the rules it evaluates are its own, its interval its own).
 */
function checkPrometheus(
  experiment: { alerts?: Alerts; slos: Slo[]; stopConditions: StopCondition[] },
  target: { kind: string; has: boolean },
  report: ReportIssue,
): void {
  const none = `needs a Prometheus to ask: target '${target.kind}' names none (give target.prometheus: { url })`;
  experiment.stopConditions.forEach((condition, index) => {
    if (condition.kind === 'promql' && !target.has) report(['stopConditions', index], none);
  });
  experiment.slos.forEach((slo, index) => {
    if (slo.sli === 'promql' && !target.has) report(['slos', index, 'sli'], none);
  });
  const alerts = experiment.alerts;
  if (!alerts) return;
  if (!target.has) report(['alerts'], none);
  if (target.kind === 'lab') {
    if (alerts.rules.length === 0)
      report(['alerts', 'rules'], "the lab's Prometheus evaluates the rule files you give: name at least one");
    if (alerts.evaluationInterval !== undefined && alerts.evaluationInterval < minEvaluationIntervalMs)
      report(
        ['alerts', 'evaluationInterval'],
        'must be at least 1s (Prometheus evaluates rules at most once a second)',
      );
  } else if (target.has) {
    if (alerts.rules.length > 0)
      report(
        ['alerts', 'rules'],
        'your server evaluates the rules deployed on it; gameday reads them from its /api/v1/rules (leave rules out)',
      );
    if (alerts.evaluationInterval !== undefined)
      report(['alerts', 'evaluationInterval'], "is your server's own (its rule groups' interval); leave it out");
  }
  const sloNames = experiment.slos.map((slo) => slo.name);
  if (alerts.slo !== undefined && !sloNames.includes(alerts.slo))
    report(
      ['alerts', 'slo'],
      sloNames.length > 0
        ? `unknown SLO ${JSON.stringify(alerts.slo)}; slos has: ${sloNames.join(', ')}`
        : `unknown SLO ${JSON.stringify(alerts.slo)}; define it in slos`,
    );
  else if (alerts.slo === undefined && sloNames.length > 1)
    report(
      ['alerts', 'slo'],
      `name the SLO whose requests gameday evaluates the rules' windows on: one of ${sloNames.join(', ')}`,
    );
}

/** Per-journey objectives and the headline name journeys the probes will measure. */
function checkJourneyObjectives(
  experiment: { traffic: HttpProbe; probes: Probe[]; hypothesis: Hypothesis },
  report: ReportIssue,
): void {
  const declared = [experiment.traffic, ...experiment.probes].flatMap((probe) => {
    const journeys = probeKindOf(probe)?.journeys?.(probe);
    return journeys ? [journeys] : [];
  });
  const names = declared.flatMap((journeys) => journeys.names);
  const prefixes = declared.flatMap((journeys) => (journeys.prefix ? [journeys.prefix] : []));
  const known = (journey: string) =>
    names.includes(journey) || prefixes.some((prefix) => journey.startsWith(prefix) && journey.length > prefix.length);
  const valid = [...names, ...prefixes.map((prefix) => `${prefix}<name>`)].join(', ');
  const { headline, rto, rtoByJourney = {} } = experiment.hypothesis;
  if (headline !== undefined && !known(headline))
    report(
      ['hypothesis', 'headline'],
      `unknown journey ${JSON.stringify(headline)}; the experiment's journeys: ${valid}`,
    );
  for (const journey of Object.keys(rtoByJourney))
    if (!known(journey))
      report(
        ['hypothesis', 'rto', journey],
        `unknown journey ${JSON.stringify(journey)}; the experiment's journeys: ${valid}`,
      );
  const headlineName = headline ?? experiment.traffic.name;
  if (rto !== undefined && rtoByJourney[headlineName] !== undefined)
    report(
      ['hypothesis', 'rto'],
      `the headline journey ${headlineName}'s RTO objective is given twice (as rto and as ${headlineName}.rto)`,
    );
}

/** Reports key every probe's samples by its name, so two probes (the traffic included) cannot share one. */
function checkProbeNames(experiment: { traffic: { name: string }; probes: Probe[] }, report: ReportIssue): void {
  const seen = new Set([experiment.traffic.name]);
  experiment.probes.forEach((probe, index) => {
    if (seen.has(probe.name)) {
      report(
        ['probes', index, 'name'],
        `duplicate probe name ${JSON.stringify(probe.name)} (probe names, the traffic's included, must be unique)`,
      );
    }
    seen.add(probe.name);
  });
}

export type ExperimentConfig = z.input<typeof experimentSchema>;
