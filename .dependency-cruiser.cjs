/**
 * The layering of src/ (ARCHITECTURE.md), held by `npm run lint:deps`, which `npm test`
 * runs: core ← targets ← faults / probes / failover ← experiment ← analysis ← report ←
 * notify ← engine ← scenario ← schedule ← cli, and engine ← compare ← cli; measure/ pure; lab/, aws/ and
 * prometheus/ on their own; no import cycles; yargs only in the CLI. Type-only imports count: a type from a
 * layer above is a dependency on it.
 */
const layer = (...names) => `^src/(${names.join('|')})/`;
const above = {
  targets: ['faults', 'probes', 'failover', 'experiment', 'analysis', 'report', 'notify', 'engine', 'cli'],
  kinds: ['experiment', 'analysis', 'report', 'notify', 'engine', 'cli'],
  experiment: ['analysis', 'report', 'notify', 'engine', 'cli'],
  analysis: ['report', 'notify', 'engine', 'cli'],
  report: ['engine', 'cli'],
  notify: ['engine', 'cli'],
};

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle: split what both need into a module of its own.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-is-the-ground',
      comment: 'core/ is the ground floor: it imports nothing else from src/.',
      severity: 'error',
      from: { path: layer('core') },
      to: { path: '^src/', pathNot: layer('core') },
    },
    {
      name: 'measure-is-pure',
      comment: 'measure/ is pure (numbers in, numbers out): nothing else from src/.',
      severity: 'error',
      from: { path: layer('measure') },
      to: { path: '^src/', pathNot: layer('measure') },
    },
    {
      name: 'lab-stands-alone',
      comment: 'The lab is a miniature AWS in its own processes: it uses core/ and nothing else of gameday.',
      severity: 'error',
      from: { path: layer('lab') },
      to: { path: '^src/', pathNot: layer('lab', 'core') },
    },
    {
      name: 'aws-stands-alone',
      comment: 'aws/ holds the SDK clients and helpers: core/ only.',
      severity: 'error',
      from: { path: layer('aws') },
      to: { path: '^src/', pathNot: layer('aws', 'core') },
    },
    {
      name: 'prometheus-stands-alone',
      comment:
        "prometheus/ holds the Prometheus HTTP client, PromQL and rule-file reading: core/ only (the lab's own " +
        'Prometheus process lives in lab/).',
      severity: 'error',
      from: { path: layer('prometheus') },
      to: { path: '^src/', pathNot: layer('prometheus', 'core') },
    },
    {
      name: 'lab-behind-targets',
      comment:
        "Only targets/ (and the lab's own CLI commands) reach into the lab; faults/ may use the control API's client, which the direct fault path and recover speak.",
      severity: 'error',
      from: { path: '^src/', pathNot: [layer('lab', 'targets', 'cli'), '^src/faults/'] },
      to: { path: layer('lab') },
    },
    {
      name: 'faults-use-only-the-lab-client',
      comment: "faults/ may use the lab's control-API client, nothing else of the lab.",
      severity: 'error',
      from: { path: layer('faults') },
      to: { path: layer('lab'), pathNot: '^src/lab/client\\.ts$' },
    },
    {
      name: 'targets-below-kinds',
      severity: 'error',
      from: { path: layer('targets') },
      to: { path: layer(...above.targets) },
    },
    {
      name: 'kinds-below-experiment',
      severity: 'error',
      from: { path: layer('faults', 'probes', 'failover') },
      to: { path: layer(...above.kinds) },
    },
    {
      name: 'faults-probes-apart',
      comment:
        'faults/, probes/ and failover/ are one layer; only failover/ may use probes/ (the traffic it watches and asks).',
      severity: 'error',
      from: { path: layer('faults', 'probes') },
      to: { path: layer('faults', 'probes', 'failover'), pathNot: '$1' },
    },
    {
      name: 'experiment-below-analysis',
      severity: 'error',
      from: { path: layer('experiment') },
      to: { path: layer(...above.experiment) },
    },
    {
      name: 'analysis-below-report',
      severity: 'error',
      from: { path: layer('analysis') },
      to: { path: layer(...above.analysis) },
    },
    {
      name: 'report-below-engine',
      severity: 'error',
      from: { path: layer('report') },
      to: { path: layer(...above.report) },
    },
    {
      name: 'report-below-notify',
      comment:
        'Notifiers (Slack, webhooks) say what the reports say, in their words: notify/ uses report/, never the reverse.',
      severity: 'error',
      from: { path: layer('report') },
      to: { path: layer('notify') },
    },
    {
      name: 'notify-below-engine',
      comment: 'A notifier is a reporter the caller attaches: it knows events and summaries, not the engine that runs.',
      severity: 'error',
      from: { path: layer('notify') },
      to: { path: layer(...above.notify) },
    },
    {
      name: 'scenario-above-engine',
      comment:
        'A GameDay runs experiments through the engine on one session; nothing below it (the engine, the reports) ' +
        'knows of scenarios: only the scheduler, the CLI and the public API import scenario/.',
      severity: 'error',
      from: { path: '^src/', pathNot: [layer('scenario', 'schedule', 'cli'), '^src/index\\.ts$'] },
      to: { path: layer('scenario') },
    },
    {
      name: 'compare-above-engine',
      comment:
        'A comparison runs one experiment through the engine once per failover strategy; nothing below it knows of ' +
        'comparisons (their figures are folded in analysis/, rendered in report/compare/): only the CLI imports compare/.',
      severity: 'error',
      from: { path: '^src/', pathNot: [layer('compare', 'cli')] },
      to: { path: layer('compare') },
    },
    {
      name: 'schedule-above-scenario',
      comment:
        'The scheduler starts experiments and GameDays through the same functions as `gameday run`; nothing it ' +
        'runs knows it was scheduled: only the CLI and the public API import schedule/.',
      severity: 'error',
      from: { path: '^src/', pathNot: [layer('schedule', 'cli'), '^src/index\\.ts$'] },
      to: { path: layer('schedule') },
    },
    {
      name: 'cli-is-the-top',
      comment: 'Nothing in the library imports the CLI.',
      severity: 'error',
      from: { path: '^src/', pathNot: [layer('cli'), '^src/index\\.ts$'] },
      to: { path: layer('cli') },
    },
    {
      name: 'yargs-only-in-cli',
      comment: 'The library never parses arguments: yargs belongs to cli/.',
      severity: 'error',
      from: { path: '^src/', pathNot: layer('cli') },
      to: { path: 'node_modules/yargs' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
