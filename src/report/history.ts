import { errorMessage } from '../core/errors';
import fs from 'node:fs';
import path from 'node:path';
import { journaledDirs, journalFileName, readJournal } from '../core/journal';
import { formatDuration } from '../core/duration';
import { chartWidth, palette, type ChartSpec } from './html/charts';
import { escapeHtml, row, table } from './html/markup';
import { htmlDocument, statusWord } from './html/page';
import { renderSvg } from './html/vega';
import { formatPercent } from '../analysis/format';
import { summarize } from '../analysis/summarize';
import { isScenarioJournal } from '../analysis/summarize-scenario';
import type { JournalEvent } from '../core/events';
import type { RunSummary } from '../analysis/summary';
import { reportFiles } from './file-names';
import {
  defaultStaleAfterMs,
  scoredRunOf,
  scoreFormula,
  scoreServices,
  type ScoredRun,
  type ServiceScore,
} from '../analysis/score';
import { scoreSection } from './history-score';

export const historySchemaId = 'gameday/history/v1';

export interface HistoryRun {
  runId: string;
  /** The service it is evidence for; null when untagged. */
  service: string | null;
  /** The run directory, relative to the history directory. */
  dir: string;
  startedAt: string;
  status: RunSummary['status'];
  reason: string;
  rtoMs: number | null;
  rtoObjectiveMs: number | null;
  /** false: clients had not recovered when the run ended (rtoMs is null then). */
  recovered: boolean | null;
  rpoMs: number | null;
  rpoObjectiveMs: number | null;
  lostWrites: number | null;
  slos: Array<{ name: string; budgetConsumedPct: number | null; met: boolean | null }>;
  /** Older than the experiment's staleAfter when the history was made: no longer evidence of the system as it is. */
  stale: boolean;
}

/** One experiment's drills, oldest first. */
export interface HistoryGroup {
  experiment: string;
  file: string;
  runs: HistoryRun[];
  /** How long a drill's evidence stays fresh: its experiment's staleAfter (default 30d), as of its latest run. */
  staleAfterMs: number;
  /** Its latest drill is older than staleAfter: nothing fresh says the hypothesis still holds. */
  stale: boolean;
}

export interface History {
  schema: typeof historySchemaId;
  generatedAt: string;
  /** Run directories that could not be read, and why. */
  skipped: Array<{ dir: string; reason: string }>;
  /** Each service's resilience score now, per objective, over time, and the evidence it stands on. */
  services: ServiceScore[];
  /** How the score is computed, in words (analysis/score.ts). */
  scoreFormula: string[];
  experiments: HistoryGroup[];
}

/**
 * Every run under `dir` (one level down, and the experiments of a GameDay's directory one
 * further), each rebuilt from its journal — the record —
 * so drills from older versions are judged by today's summary, grouped per experiment
 * and ordered by start time. A drill older than its experiment's `staleAfter` (or its
 * GameDay's; default 30 days) is flagged stale: evidence that old no longer speaks for the system.
 */
export function collectHistory(dir: string, now = new Date()): History {
  const skipped: History['skipped'] = [];
  const scored: ScoredRun[] = [];
  const groups = new Map<string, HistoryGroup>();
  /** Each run's own staleAfter, until its group's is known. */
  const staleAfter = new Map<HistoryRun, number>();
  for (const run of readRuns(dir)) {
    if ('error' in run) {
      skipped.push({ dir: run.dir, reason: run.error });
      continue;
    }
    const { summary } = run;
    const group = groups.get(summary.experiment) ?? {
      experiment: summary.experiment,
      file: summary.file,
      runs: [],
      staleAfterMs: defaultStaleAfterMs,
      stale: false,
    };
    const entry = historyRun(summary, run.dir);
    // The same limit the score discounts by: the experiment's (or its GameDay's) staleAfter, else the default.
    staleAfter.set(entry, summary.staleAfterMs ?? defaultStaleAfterMs);
    group.runs.push(entry);
    groups.set(summary.experiment, group);
    scored.push(scoredRunOf(summary));
  }
  const experiments = [...groups.values()].sort((a, b) => a.experiment.localeCompare(b.experiment));
  for (const group of experiments) {
    group.runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    // Today's policy is the latest drill's: an older drill judged by a limit set since is judged by it too.
    const latest = group.runs[group.runs.length - 1];
    group.staleAfterMs = staleAfter.get(latest) ?? defaultStaleAfterMs;
    const olderThanLimit = (run: HistoryRun) => now.getTime() - Date.parse(run.startedAt) > group.staleAfterMs;
    for (const run of group.runs) run.stale = olderThanLimit(run);
    group.stale = olderThanLimit(latest);
  }
  return {
    schema: historySchemaId,
    generatedAt: now.toISOString(),
    skipped,
    services: scoreServices(scored, now),
    scoreFormula,
    experiments,
  };
}

/**
 * Every run in a directory of runs, each summarized from its journal: the directories one
 * level down, and the experiments of a GameDay's directory one further (each a drill of
 * its own); `dir` relative to the directory given, in name order.
 */
export function readRuns(dir: string): Array<{ dir: string; summary: RunSummary } | { dir: string; error: string }> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory of runs`);
  const runs: Array<{ dir: string; summary: RunSummary } | { dir: string; error: string }> = [];
  const read = (relative: string, events: JournalEvent[]) => {
    try {
      runs.push({ dir: relative, summary: summarize(events) });
    } catch (error) {
      runs.push({ dir: relative, error: errorMessage(error) });
    }
  };
  for (const name of journaledDirs(dir)) {
    const events = readJournal(path.join(dir, name, journalFileName));
    if (isScenarioJournal(events))
      for (const inner of journaledDirs(path.join(dir, name)))
        read(path.posix.join(name, inner), readJournal(path.join(dir, name, inner, journalFileName)));
    else read(name, events);
  }
  return runs;
}

function historyRun(summary: RunSummary, dir: string): HistoryRun {
  return {
    runId: summary.runId,
    service: summary.service ?? null,
    dir,
    startedAt: summary.startedAt,
    status: summary.status,
    reason: summary.reason,
    rtoMs: summary.rto.ms,
    rtoObjectiveMs: summary.rto.objectiveMs,
    recovered: summary.rto.recovered,
    rpoMs: summary.rpo?.ms ?? null,
    rpoObjectiveMs: summary.rpo?.objectiveMs ?? null,
    lostWrites: summary.rpo?.lostWrites ?? null,
    slos: summary.slos.map((slo) => ({ name: slo.name, budgetConsumedPct: slo.budgetConsumedPct, met: slo.met })),
    stale: false,
  };
}

const statusColors = {
  domain: ['passed', 'failed', 'aborted', 'error', 'halted', 'running'],
  range: [palette.ok, palette.bad, palette.warn, '#6a1b9a', palette.halt, palette.neutral],
};

/**
 * One metric of one experiment over its drills: a line through the runs, each point coloured by verdict, the objective
 * dashed.
 */
export function trendChart(
  title: string,
  unit: string,
  rows: Array<{ at: string; value: number; status: string; series?: string }>,
  objectives: Array<{ at: string; value: number }>,
): ChartSpec | null {
  if (rows.length === 0) return null;
  const x = { field: 'at', type: 'temporal', title: 'drill', axis: { format: '%b %d %H:%M', labelAngle: -30 } };
  return {
    width: chartWidth - 220,
    height: 120,
    title: { text: title, anchor: 'start' },
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', color: '#90a4ae' },
        encoding: { x, y: { field: 'value', type: 'quantitative', title: unit }, detail: { field: 'series' } },
      },
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative' },
          color: {
            field: 'status',
            type: 'nominal',
            scale: statusColors,
            legend: { orient: 'right', title: 'verdict' },
          },
          shape: {
            field: 'series',
            type: 'nominal',
            legend: rows.some((row) => row.series) ? { orient: 'right', title: 'SLO' } : null,
          },
          tooltip: [{ field: 'at', type: 'temporal' }, { field: 'value' }, { field: 'status' }],
        },
      },
      ...(objectives.length === 0
        ? []
        : [
            {
              data: { values: objectives },
              mark: { type: 'line', color: palette.bad, strokeDash: [4, 3], interpolate: 'step-after' },
              encoding: { x, y: { field: 'value', type: 'quantitative' } },
            },
          ]),
    ],
  };
}

/** The trend page: per experiment, RTO, RPO and budget per drill, and a table linking every run's report. */
export async function renderHistoryHtml(history: History): Promise<string> {
  const sections: string[] = [];
  for (const group of history.experiments) {
    const runs = group.runs;
    const rto = trendChart(
      'RTO per drill',
      'seconds',
      runs
        .filter((run) => run.rtoMs !== null)
        .map((run) => ({ at: run.startedAt, value: run.rtoMs! / 1000, status: run.status })),
      runs
        .filter((run) => run.rtoObjectiveMs !== null)
        .map((run) => ({ at: run.startedAt, value: run.rtoObjectiveMs! / 1000 })),
    );
    const rpo = trendChart(
      'RPO per drill',
      'seconds',
      runs
        .filter((run) => run.rpoMs !== null)
        .map((run) => ({ at: run.startedAt, value: run.rpoMs! / 1000, status: run.status })),
      runs
        .filter((run) => run.rpoObjectiveMs !== null)
        .map((run) => ({ at: run.startedAt, value: run.rpoObjectiveMs! / 1000 })),
    );
    const budget = trendChart(
      'Error budget consumed per drill',
      '% of the budget',
      runs.flatMap((run) =>
        run.slos
          .filter((slo) => slo.budgetConsumedPct !== null)
          .map((slo) => ({ at: run.startedAt, value: slo.budgetConsumedPct!, status: run.status, series: slo.name })),
      ),
      [],
    );
    const charts = await Promise.all(
      [
        [rto, 'No drill measured an RTO.'],
        [rpo, 'No drill measured an RPO (no write ledger).'],
        [budget, 'No drill counted an error budget (no SLO).'],
      ].map(async ([spec, missing]) =>
        spec
          ? `<figure class="chart">${await renderSvg(spec as ChartSpec)}</figure>`
          : `<p class="muted">${escapeHtml(missing as string)}</p>`,
      ),
    );
    const rows = [...runs].reverse().map((run) => {
      const rtoText = run.rtoMs !== null ? formatDuration(run.rtoMs) : run.recovered === false ? 'not recovered' : '—';
      const budgetText =
        run.slos
          .map((slo) => `${slo.name} ${slo.budgetConsumedPct === null ? '—' : formatPercent(slo.budgetConsumedPct)}`)
          .join(', ') || '—';
      const link = `${encodeURI(run.dir)}/${reportFiles.html}`;
      return row(run.status === 'passed' ? 'met' : 'missed', [
        escapeHtml(run.startedAt) + (run.stale ? ' <span class="badge stale">stale</span>' : ''),
        `<span class="badge ${run.status}">${statusWord(run.status)}</span>`,
        escapeHtml(rtoText),
        run.rpoMs === null ? '—' : escapeHtml(formatDuration(run.rpoMs)),
        escapeHtml(budgetText),
        `<a href="${escapeHtml(link)}">${escapeHtml(run.runId)}</a>`,
      ]);
    });
    const passed = runs.filter((run) => run.status === 'passed').length;
    const facts =
      `<code>${escapeHtml(group.file)}</code> · ${plural(runs.length, 'drill')}, ${passed} passed` +
      staleText(group, history.generatedAt);
    sections.push(`<section><h2>${escapeHtml(group.experiment)}</h2><p class="facts">${facts}</p>
${charts.join('\n')}
${table(['started', 'verdict', 'RTO', 'RPO', 'budget burned', 'run'], rows)}</section>`);
  }
  const notRead = history.skipped.map(
    (entry) => `<li><code>${escapeHtml(entry.dir)}</code>: ${escapeHtml(entry.reason)}</li>`,
  );
  const skipped = notRead.length === 0 ? '' : `<section><h2>Not read</h2><ul>${notRead.join('')}</ul></section>`;
  const total = history.experiments.reduce((sum, group) => sum + group.runs.length, 0);
  const counts = `${plural(total, 'drill')} of ${plural(history.experiments.length, 'experiment')}`;
  const facts = `<p class="facts">${counts} · generated ${escapeHtml(history.generatedAt)}</p>`;
  const found =
    sections.length === 0 ? '<p class="muted">No run directory with a journal was found.</p>' : sections.join('\n');
  const body = `<header><h1>GameDay history</h1>${facts}</header>
${await scoreSection(history.services)}
${found}
${skipped}
<footer>Rebuilt from each run's journal; this page loads nothing from the network.</footer>`;
  return htmlDocument('GameDay history', body);
}

/** history.html and history.json in `outDir`. */
export async function writeHistory(
  reportsDir: string,
  outDir: string = reportsDir,
): Promise<{ history: History; files: string[] }> {
  const history = collectHistory(reportsDir);
  fs.mkdirSync(outDir, { recursive: true });
  // Links in the page are relative to the runs' parent directory.
  const relocated =
    path.resolve(outDir) === path.resolve(reportsDir) ? history : relink(history, path.relative(outDir, reportsDir));
  const json = path.join(outDir, 'history.json');
  const html = path.join(outDir, 'history.html');
  fs.writeFileSync(json, JSON.stringify(history, null, 2) + '\n');
  fs.writeFileSync(html, await renderHistoryHtml(relocated));
  return { history, files: [html, json] };
}

function relink(history: History, prefix: string): History {
  return {
    ...history,
    experiments: history.experiments.map((group) => ({
      ...group,
      runs: group.runs.map((run) => ({ ...run, dir: path.posix.join(prefix.split(path.sep).join('/'), run.dir) })),
    })),
  };
}

/** ' · stale: …' when the latest drill is older than the experiment's staleAfter, ' · fresh …' while it is not. */
function staleText(group: HistoryGroup, generatedAt: string): string {
  const latest = group.runs[group.runs.length - 1];
  const age = formatDuration(Date.parse(generatedAt) - Date.parse(latest.startedAt));
  const limit = formatDuration(group.staleAfterMs);
  return group.stale
    ? ` · <span class="badge stale">stale</span> the latest drill ran ${escapeHtml(age)} ago, staleAfter ${limit}: ` +
        'run it again before relying on it'
    : ` · fresh: the latest drill ran ${escapeHtml(age)} ago (staleAfter ${limit})`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
