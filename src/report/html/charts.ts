import type { RunSummary } from '../../analysis/summary';

/**
 * Vega-Lite specs for the run report, built from the summary alone. Each function returns
 * null when the run has nothing to draw (no traffic, no ledger, no SLO), so the page can
 * say why instead of showing an empty frame. Data is always inline: a spec that named a
 * URL would make the report fetch it when rendered.
 */
export type ChartSpec = Record<string, unknown>;

export interface RunCharts {
  timeline: ChartSpec | null;
  journeys: ChartSpec | null;
  regions: ChartSpec | null;
  phases: ChartSpec | null;
  ledger: ChartSpec | null;
  budget: ChartSpec | null;
  burn: ChartSpec | null;
}

export const chartWidth = 680;

export const palette = {
  ok: '#2e7d32',
  bad: '#c62828',
  warn: '#ef6c00',
  neutral: '#546e7a',
  fault: '#ffcdd2',
  rto: '#f9a825',
  step: '#1565c0',
  halt: '#37474f',
  note: '#6a1b9a',
};

export function runCharts(summary: RunSummary): RunCharts {
  return {
    timeline: timelineChart(summary),
    journeys: journeyChart(summary),
    regions: regionShareChart(summary),
    phases: rtoPhaseChart(summary),
    ledger: ledgerChart(summary),
    budget: budgetChart(summary),
    burn: burnChart(summary),
  };
}

const seconds = (ms: number) => Math.round(ms) / 1000;

function trafficPoints(summary: RunSummary) {
  return summary.series.find((series) => series.probe === summary.traffic.probe)?.points ?? [];
}

/**
 * The most points a time chart draws: two per pixel. A day's drill has 86,400 seconds, which as SVG is a 50 MB report
 * that takes a GB to render and shows nothing a pixel can; longer drills are drawn a group of seconds per point.
 */
const maxChartPoints = chartWidth * 2;

type TrafficPoint = ReturnType<typeof trafficPoints>[number];

/**
 * The traffic's points as charted: each second, or, past maxChartPoints, groups of `seconds` consecutive seconds with
 * their requests, errors and regions summed and the slowest second's p50 and p99 (a group's percentiles cannot be
 * told from its seconds', and the worst second is what a drill looks for).
 */
function chartedTrafficPoints(summary: RunSummary): { points: TrafficPoint[]; seconds: number } {
  const points = trafficPoints(summary);
  const group = Math.ceil(points.length / maxChartPoints);
  if (group <= 1) return { points, seconds: 1 };
  const grouped: TrafficPoint[] = [];
  for (let from = 0; from < points.length; from += group) {
    const members = points.slice(from, from + group);
    const regions: Record<string, number> = {};
    for (const member of members)
      for (const [region, count] of Object.entries(member.regions)) regions[region] = (regions[region] ?? 0) + count;
    const slowest = (pick: (point: TrafficPoint) => number | null) =>
      members.reduce<number | null>((worst, member) => {
        const value = pick(member);
        return value === null ? worst : worst === null ? value : Math.max(worst, value);
      }, null);
    grouped.push({
      offsetMs: members[0].offsetMs,
      requests: members.reduce((sum, member) => sum + member.requests, 0),
      errors: members.reduce((sum, member) => sum + member.errors, 0),
      p50: slowest((point) => point.p50),
      p99: slowest((point) => point.p99),
      regions,
    });
  }
  return { points: grouped, seconds: group };
}

/** Fault windows, the RTO span and the runbook's step ends: the context every time chart shares. */
function marks(summary: RunSummary, endMs: number) {
  const faults = summary.faults
    .filter((fault) => fault.injectedAtMs !== null)
    .map((fault) => ({
      from: seconds(fault.injectedAtMs!),
      to: seconds(fault.revertedAtMs ?? endMs),
      label: `fault: ${fault.name}`,
    }));
  // The RTO's clock starts at the fault that hurt, not necessarily the first one.
  const tFault = summary.rto.cause?.atMs ?? null;
  const rto =
    tFault !== null && summary.rto.ms !== null && summary.rto.ms > 0
      ? [{ from: seconds(tFault), to: seconds(tFault + summary.rto.ms), label: 'RTO' }]
      : [];
  const steps = (summary.failover?.steps ?? [])
    .filter((step) => step.startedAtMs !== null && step.status !== 'running')
    .map((step, index) => ({
      at: seconds(step.startedAtMs! + (step.ms ?? 0)),
      label: `${step.name}${step.status === 'succeeded' ? '' : ` (${step.status})`}`,
      row: index % 4,
    }));
  // Notes written during the run (gameday note), numbered as the report's notes table numbers them; those
  // written before the charted seconds (while the target was opened) or after them are in the table alone.
  const startMs = Math.min(0, trafficPoints(summary)[0]?.offsetMs ?? 0);
  const notes = summary.notes
    .map((note, index) => ({ note, number: index + 1 }))
    .filter(({ note }) => note.offsetMs !== null && note.offsetMs >= startMs && note.offsetMs <= endMs)
    .map(({ note, number }) => ({
      at: seconds(note.offsetMs!),
      label: `#${number}`,
      text: `#${number} ${note.kind}${note.owner ? ` (owner ${note.owner})` : ''}: ${note.text}`,
    }));
  return { faults, rto, steps, notes };
}

function contextLayers(summary: RunSummary, endMs: number, withLabels: boolean): ChartSpec[] {
  const { faults, rto, steps, notes } = marks(summary, endMs);
  const layers: ChartSpec[] = [];
  if (faults.length > 0) {
    layers.push({
      data: { values: faults },
      mark: { type: 'rect', color: palette.fault, opacity: 0.6 },
      encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' }, tooltip: { field: 'label' } },
    });
  }
  if (rto.length > 0) {
    // A strip along the top, so the fault window under it stays visible.
    layers.push({
      data: { values: rto },
      mark: { type: 'rect', color: palette.rto },
      encoding: {
        x: { field: 'from', type: 'quantitative' },
        x2: { field: 'to' },
        y: { value: 0 },
        y2: { value: 5 },
        tooltip: { field: 'label' },
      },
    });
  }
  if (steps.length > 0) {
    layers.push({
      data: { values: steps },
      mark: { type: 'rule', color: palette.step, strokeDash: [3, 3] },
      encoding: { x: { field: 'at', type: 'quantitative' }, tooltip: { field: 'label' } },
    });
    if (withLabels) {
      layers.push({
        data: { values: steps.map((step) => ({ ...step, y: 8 + step.row * 11 })) },
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 9, color: palette.step },
        encoding: {
          x: { field: 'at', type: 'quantitative' },
          y: { field: 'y', type: 'quantitative', scale: null },
          text: { field: 'label' },
        },
      });
    }
  }
  if (notes.length > 0) {
    layers.push({
      data: { values: notes },
      mark: { type: 'rule', color: palette.note, strokeDash: [1, 2], strokeWidth: 1.5 },
      encoding: { x: { field: 'at', type: 'quantitative' }, tooltip: { field: 'text' } },
    });
    if (withLabels) {
      layers.push({
        data: { values: notes },
        mark: { type: 'text', align: 'left', dx: 2, fontSize: 9, fontWeight: 'bold', color: palette.note },
        encoding: {
          x: { field: 'at', type: 'quantitative' },
          y: { value: 144 },
          text: { field: 'label' },
        },
      });
    }
  }
  return layers;
}

function timeAxis(title = 'seconds since the observation began') {
  return { field: 't', type: 'quantitative', title, axis: { grid: false } };
}

/** Success ratio and latency per second, with fault windows, the RTO span and failover steps. */
export function timelineChart(summary: RunSummary): ChartSpec | null {
  const { points, seconds: group } = chartedTrafficPoints(summary);
  if (points.length === 0) return null;
  const endMs = points[points.length - 1].offsetMs + group * 1_000;
  const success = points
    .filter((point) => point.requests > 0)
    .map((point) => ({ t: seconds(point.offsetMs), success: (point.requests - point.errors) / point.requests }));
  const latency = points.flatMap((point) => [
    ...(point.p50 === null ? [] : [{ t: seconds(point.offsetMs), percentile: 'p50', ms: point.p50 }]),
    ...(point.p99 === null ? [] : [{ t: seconds(point.offsetMs), percentile: 'p99', ms: point.p99 }]),
  ]);
  const domain = [Math.min(0, seconds(points[0].offsetMs)), seconds(endMs)];
  const x = { ...timeAxis(), scale: { domain, nice: false } };
  return {
    vconcat: [
      {
        width: chartWidth,
        height: 150,
        title: { text: group === 1 ? 'Success ratio per second' : `Success ratio per ${group} s`, anchor: 'start' },
        layer: [
          ...contextLayers(summary, endMs, true),
          {
            data: { values: success },
            mark: { type: 'line', color: palette.ok, point: { size: 12 }, interpolate: 'step-after' },
            encoding: {
              x,
              y: {
                field: 'success',
                type: 'quantitative',
                title: 'success',
                scale: { domain: [0, 1] },
                axis: { format: '.0%' },
              },
            },
          },
        ],
      },
      {
        width: chartWidth,
        height: 150,
        title: {
          text:
            group === 1
              ? 'Latency per second (from the scheduled send time)'
              : `Latency: the slowest second of each ${group} s (from the scheduled send time)`,
          anchor: 'start',
        },
        layer: [
          ...contextLayers(summary, endMs, false),
          {
            data: { values: latency },
            mark: { type: 'line', interpolate: 'step-after' },
            encoding: {
              x,
              y: { field: 'ms', type: 'quantitative', title: 'ms (symlog)', scale: { type: 'symlog' } },
              color: {
                field: 'percentile',
                type: 'nominal',
                scale: { domain: ['p50', 'p99'], range: [palette.step, palette.warn] },
                legend: { orient: 'top', title: null },
              },
            },
          },
        ],
      },
    ],
    resolve: { scale: { x: 'shared' } },
  };
}

/**
 * Each journey's outcome over time, a row per journey: green while its attempts succeeded,
 * red while they failed, a black tick where it recovered; fault windows shaded. Shown when
 * there is a journey besides the traffic.
 */
export function journeyChart(summary: RunSummary): ChartSpec | null {
  const journeys = (summary.journeys ?? []).filter((journey) => journey.outcomes.length > 0);
  if (!journeys.some((journey) => journey.name !== summary.traffic.probe)) return null;
  const runs = journeys.flatMap((journey) =>
    journey.outcomes
      .filter((run) => run.fromMs !== null && run.toMs !== null)
      // A lone attempt at the end still shows: half a second wide.
      .map((run) => ({
        journey: journey.name,
        from: seconds(run.fromMs!),
        to: seconds(Math.max(run.toMs!, run.fromMs! + 500)),
        outcome: run.ok ? 'ok' : 'failed',
        label: `${journey.name}: ${run.samples} ${run.ok ? 'ok' : 'failed'}`,
      })),
  );
  if (runs.length === 0) return null;
  const recoveries = journeys
    .filter((journey) => journey.rto.cause?.atMs != null && journey.rto.ms !== null && journey.rto.ms > 0)
    .map((journey) => ({
      journey: journey.name,
      at: seconds(journey.rto.cause!.atMs! + journey.rto.ms!),
      label: `${journey.name} recovered ${(journey.rto.ms! / 1000).toFixed(1)} s after ${journey.rto.cause!.name}`,
    }));
  const endMs = Math.max(...runs.map((run) => run.to * 1000));
  const domain = [Math.min(0, ...runs.map((run) => run.from)), seconds(endMs)];
  const x = {
    field: 'from',
    type: 'quantitative',
    title: 'seconds since the observation began',
    scale: { domain, nice: false },
  };
  const y = { field: 'journey', type: 'nominal', title: null, sort: journeys.map((journey) => journey.name) };
  return {
    width: chartWidth,
    height: 26 * journeys.length,
    title: { text: 'Journeys: each attempt’s outcome', anchor: 'start' },
    layer: [
      ...contextLayers(summary, endMs, false).filter(
        (layer) => (layer.mark as { color?: string }).color === palette.fault,
      ),
      {
        data: { values: runs },
        mark: { type: 'rect', height: { band: 0.7 } },
        encoding: {
          x,
          x2: { field: 'to' },
          y,
          color: {
            field: 'outcome',
            type: 'nominal',
            scale: { domain: ['ok', 'failed'], range: [palette.ok, palette.bad] },
            legend: { orient: 'top', title: null },
          },
          tooltip: { field: 'label' },
        },
      },
      ...(recoveries.length > 0
        ? [
            {
              data: { values: recoveries },
              mark: { type: 'tick', color: '#000', thickness: 2 },
              encoding: { x: { field: 'at', type: 'quantitative' }, y, tooltip: { field: 'label' } },
            },
          ]
        : []),
    ],
  };
}

/** Who served the traffic each second; failures (which have no region) shown as their own band. */
export function regionShareChart(summary: RunSummary): ChartSpec | null {
  const { points, seconds: group } = chartedTrafficPoints(summary);
  const regions = [...new Set(points.flatMap((point) => Object.keys(point.regions)))].sort();
  if (regions.length === 0) return null;
  const rows = points.flatMap((point) => [
    ...regions.map((region) => ({ t: seconds(point.offsetMs), region, requests: point.regions[region] ?? 0 })),
    { t: seconds(point.offsetMs), region: 'failed', requests: point.errors },
  ]);
  const endMs = points[points.length - 1].offsetMs + group * 1_000;
  const colors = ['#1565c0', '#6a1b9a', '#00838f', '#9e9d24'];
  return {
    width: chartWidth,
    height: 120,
    title: { text: 'Traffic share per region', anchor: 'start' },
    layer: [
      {
        data: { values: rows },
        mark: { type: 'area', interpolate: 'step-after' },
        encoding: {
          x: timeAxis(),
          y: { field: 'requests', type: 'quantitative', stack: 'normalize', title: 'share', axis: { format: '.0%' } },
          color: {
            field: 'region',
            type: 'nominal',
            scale: {
              domain: [...regions, 'failed'],
              range: [...regions.map((_, index) => colors[index % colors.length]), palette.bad],
            },
            legend: { orient: 'top', title: null },
          },
        },
      },
      ...contextLayers(summary, endMs, false).filter((layer) => (layer.mark as { type: string }).type === 'rule'),
    ],
  };
}

/** The RTO split into the runbook's phases, against the objective and the configuration's floor. */
export function rtoPhaseChart(summary: RunSummary): ChartSpec | null {
  const { rto } = summary;
  if (rto.ms === null) return null;
  const phases = rto.phases && rto.phases.length > 0 ? rto.phases : [{ name: 'until recovered', ms: rto.ms }];
  let start = 0;
  const bars = phases.map((phase, order) => {
    const bar = {
      phase: phase.name,
      from: start / 1000,
      to: (start + phase.ms) / 1000,
      seconds: phase.ms / 1000,
      order,
    };
    start += phase.ms;
    return bar;
  });
  const references = [
    ...(rto.objectiveMs === null
      ? []
      : [{ label: `objective ${rto.objectiveMs / 1000}s`, at: rto.objectiveMs / 1000, color: palette.bad }]),
    ...(rto.bounds === null
      ? []
      : [
          { label: `lower ${rto.bounds.lowerMs / 1000}s`, at: rto.bounds.lowerMs / 1000, color: palette.neutral },
          { label: `upper ${rto.bounds.upperMs / 1000}s`, at: rto.bounds.upperMs / 1000, color: palette.neutral },
        ]),
  ];
  const domainEnd = Math.max(rto.ms, rto.objectiveMs ?? 0, rto.bounds?.upperMs ?? 0) / 1000 || 1;
  const x = {
    field: 'from',
    type: 'quantitative',
    title: 'seconds after the fault',
    scale: { domain: [0, domainEnd * 1.05] },
  };
  return {
    width: chartWidth,
    height: 46,
    title: { text: `RTO ${rto.ms / 1000}s by phase`, anchor: 'start' },
    layer: [
      {
        data: { values: bars },
        mark: { type: 'bar', height: 22 },
        encoding: {
          x,
          x2: { field: 'to' },
          color: {
            field: 'phase',
            type: 'nominal',
            sort: phases.map((phase) => phase.name),
            scale: { scheme: 'tableau10' },
            legend: { orient: 'bottom', title: null, columns: 6 },
          },
          tooltip: [{ field: 'phase' }, { field: 'seconds', title: 's' }],
        },
      },
      ...(references.length === 0
        ? []
        : [
            {
              data: { values: references },
              mark: { type: 'rule', strokeWidth: 2, strokeDash: [4, 2] },
              encoding: {
                x: { field: 'at', type: 'quantitative' },
                color: { field: 'color', type: 'nominal', scale: null },
                tooltip: { field: 'label' },
              },
            },
            {
              data: { values: references },
              mark: { type: 'text', align: 'left', dx: 3, dy: -20, fontSize: 10 },
              encoding: {
                x: { field: 'at', type: 'quantitative' },
                text: { field: 'label' },
                color: { field: 'color', type: 'nominal', scale: null },
              },
            },
          ]),
    ],
  };
}

/** Every write the ledger sent: acknowledged and kept, acknowledged and lost, never acknowledged. */
export function ledgerChart(summary: RunSummary): ChartSpec | null {
  const { rpo } = summary;
  if (!rpo || rpo.writes === 0) return null;
  const rows = [
    { outcome: 'acknowledged, kept', writes: rpo.ackedWrites - rpo.lostWrites },
    { outcome: 'acknowledged, LOST', writes: rpo.lostWrites },
    { outcome: 'not acknowledged, present', writes: rpo.unconfirmedWrites },
    { outcome: 'not acknowledged, absent', writes: Math.max(0, rpo.writes - rpo.ackedWrites - rpo.unconfirmedWrites) },
  ];
  return {
    width: chartWidth,
    height: 100,
    title: {
      text: `Write ledger: ${rpo.writes} writes sent, ${rpo.ackedWrites} acknowledged, ${rpo.lostWrites} lost`,
      anchor: 'start',
    },
    data: { values: rows },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'outcome', type: 'nominal', sort: null, title: null },
          x: { field: 'writes', type: 'quantitative', title: 'writes' },
          color: {
            field: 'outcome',
            type: 'nominal',
            scale: { domain: rows.map((row) => row.outcome), range: [palette.ok, palette.bad, '#90a4ae', '#cfd8dc'] },
            legend: null,
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4 },
        encoding: {
          y: { field: 'outcome', type: 'nominal', sort: null },
          x: { field: 'writes', type: 'quantitative' },
          text: { field: 'writes' },
        },
      },
    ],
  };
}

/** Budget consumed per SLO, against its budget threshold when it has one. */
export function budgetChart(summary: RunSummary): ChartSpec | null {
  if (summary.slos.length === 0) return null;
  const rows = summary.slos.map((slo) => {
    const limit = slo.thresholds.find((threshold) => threshold.metric === 'budget');
    return {
      slo: slo.name,
      budget: slo.budgetConsumedPct ?? 0,
      measured: slo.budgetConsumedPct !== null,
      limit: limit ? limit.value : null,
      met: slo.met,
    };
  });
  const limits = rows.filter((row) => row.limit !== null);
  return {
    width: chartWidth - 200,
    height: { step: 26 },
    title: { text: 'Error budget consumed by this drill (% of the window)', anchor: 'start' },
    layer: [
      {
        data: { values: rows },
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'slo', type: 'nominal', title: null, axis: { labelLimit: 260 } },
          x: { field: 'budget', type: 'quantitative', title: '% of the error budget' },
          color: { condition: { test: 'datum.met === false', value: palette.bad }, value: palette.ok },
        },
      },
      {
        data: { values: rows },
        mark: { type: 'text', align: 'left', dx: 4 },
        encoding: {
          y: { field: 'slo', type: 'nominal' },
          x: { field: 'budget', type: 'quantitative' },
          text: { field: 'budget', format: '.3~g' },
        },
      },
      ...(limits.length === 0
        ? []
        : [
            {
              data: { values: limits },
              mark: { type: 'tick', color: palette.bad, thickness: 3, size: 24 },
              encoding: { y: { field: 'slo', type: 'nominal' }, x: { field: 'limit', type: 'quantitative' } },
            },
          ]),
    ],
  };
}

/** Burn rate over the trailing burn window, with each alert pair's factor as a reference line. */
export function burnChart(summary: RunSummary): ChartSpec | null {
  // Past maxChartPoints, the highest burn of each group of points: the peaks are what the alerts answer to.
  const rows = summary.slos.flatMap((slo) => {
    const group = Math.max(1, Math.ceil(slo.burnTimeline.length / maxChartPoints));
    const charted: Array<{ t: number; burn: number; slo: string }> = [];
    for (let from = 0; from < slo.burnTimeline.length; from += group) {
      const members = slo.burnTimeline.slice(from, from + group);
      const burn = Math.max(...members.map((point) => point.burnRate));
      charted.push({ t: seconds(members[0].offsetMs), burn, slo: slo.name });
    }
    return charted;
  });
  if (rows.length === 0) return null;
  const factors = new Map<number, string[]>();
  for (const slo of summary.slos)
    for (const alert of slo.alerts)
      factors.set(alert.factor, [
        ...(factors.get(alert.factor) ?? []),
        `${alert.long}/${alert.short}${alert.fired ? ' fired' : ''}`,
      ]);
  const references = [...factors].map(([factor, pairs]) => ({
    factor,
    label: `×${factor} (${[...new Set(pairs)].join(', ')})`,
  }));
  return {
    width: chartWidth,
    height: 160,
    title: { text: 'Burn rate over the drill (× the sustainable rate)', anchor: 'start' },
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', interpolate: 'monotone' },
        encoding: {
          x: timeAxis(),
          y: { field: 'burn', type: 'quantitative', title: 'burn rate (symlog)', scale: { type: 'symlog' } },
          color: { field: 'slo', type: 'nominal', legend: { orient: 'top', title: null } },
        },
      },
      {
        data: { values: references },
        mark: { type: 'rule', color: palette.neutral, strokeDash: [4, 3] },
        encoding: { y: { field: 'factor', type: 'quantitative' } },
      },
      {
        data: { values: references },
        mark: { type: 'text', align: 'right', dy: -4, fontSize: 9, color: palette.neutral },
        encoding: { y: { field: 'factor', type: 'quantitative' }, x: { value: chartWidth }, text: { field: 'label' } },
      },
    ],
  };
}
