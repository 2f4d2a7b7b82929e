'use strict';
/**
 * A stand-in for the k6 binary, which cannot be installed on these machines: `k6 run`
 * replays the `--out json` lines of a real k6 run (K6_STANDIN_FIXTURE, a file from
 * test/fixtures/k6/) into the --out json file, paced by their own timestamps (moved to
 * now; K6_STANDIN_SPEED > 1 replays faster), and ends as k6 ends: at the end of the
 * recording with its --summary-export written and exit 0, or 99 when a threshold the
 * recording declares is crossed; on SIGINT (gameday's stop) with the summary written and
 * exit 105. It parses the flags gameday passes the way k6 does and fails loudly, like
 * k6, on any other — so it checks gameday's invocation. K6_STANDIN_RECORD names a file
 * where it writes what it was run with; K6_STANDIN_EXIT forces its exit code at the end.
 *
 * The summary export is computed from the replayed points as k6 computes it (trend
 * percentiles interpolated between ranks, k6 metrics/sink.go) in k6's --summary-export
 * format, where a threshold maps to whether it failed (k6 internal/js/summary-wrapper.js).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');

const flushEveryMs = 200;

function fail(message, code = 255) {
  process.stderr.write(`Error: ${message}\n`);
  process.exit(code);
}

/** k6 run's flags, as cobra reads them: --flag=value or --flag value. */
function parseRun(args) {
  const run = { outs: [], summaryExport: null, env: {}, vus: null, duration: null, iterations: null, script: null };
  const valued = {
    '--out': (value) => run.outs.push(value),
    '-o': (value) => run.outs.push(value),
    '--summary-export': (value) => (run.summaryExport = value),
    '--env': (value) => addEnv(value),
    '-e': (value) => addEnv(value),
    '--vus': (value) => (run.vus = positiveInteger('--vus', value)),
    '-u': (value) => (run.vus = positiveInteger('-u', value)),
    '--duration': (value) => (run.duration = goDuration(value)),
    '-d': (value) => (run.duration = goDuration(value)),
    '--iterations': (value) => (run.iterations = positiveInteger('--iterations', value)),
    '-i': (value) => (run.iterations = positiveInteger('-i', value)),
  };
  function addEnv(value) {
    const equals = value.indexOf('=');
    if (equals <= 0) fail(`invalid argument "${value}" for "-e, --env" flag: expected NAME=VALUE`);
    run.env[value.slice(0, equals)] = value.slice(equals + 1);
  }
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (!arg.startsWith('-')) {
      if (run.script !== null) fail(`k6 run takes one script, got ${run.script} and ${arg}`);
      run.script = arg;
      continue;
    }
    const equals = arg.indexOf('=');
    const flag = equals > 0 ? arg.slice(0, equals) : arg;
    const handle = valued[flag];
    if (!handle) fail(`unknown flag: ${flag}`);
    const value = equals > 0 ? arg.slice(equals + 1) : args[++index];
    if (value === undefined) fail(`flag needs an argument: ${flag}`);
    handle(value);
  }
  if (run.script === null) fail('k6 run needs a script');
  if (!fs.existsSync(run.script)) fail(`The moduleSpecifier "${run.script}" couldn't be found on local disk.`, 107);
  const json = run.outs.filter((out) => out.startsWith('json='));
  if (run.outs.length !== json.length) fail(`the stand-in replays json outputs only, got ${run.outs.join(', ')}`);
  run.points = json.map((out) => out.slice('json='.length));
  return run;
}

function positiveInteger(flag, value) {
  if (!/^[1-9][0-9]*$/.test(value)) fail(`invalid argument "${value}" for "${flag}" flag`);
  return Number(value);
}

function goDuration(value) {
  if (!/^([0-9.]+(ns|us|µs|ms|s|m|h))+$/.test(value)) fail(`invalid argument "${value}" for "--duration" flag`);
  return value;
}

/** RFC 3339 with nanoseconds, as k6 writes its times. */
function k6Time(ms) {
  const whole = Math.floor(ms);
  const iso = new Date(whole).toISOString().slice(0, 19);
  const nanos = Math.round((ms - Math.floor(whole / 1000) * 1000) * 1e6);
  return `${iso}.${String(nanos).padStart(9, '0')}Z`;
}

function parseTime(text) {
  const match = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(text);
  return Date.parse(match[1] + match[3]) + (match[2] ? Number(match[2]) * 1000 : 0);
}

/** k6's trend percentile: linear between the values around pct × (count − 1). */
function trendPercentile(sorted, pct) {
  if (sorted.length === 0) return 0;
  const i = (pct / 100) * (sorted.length - 1);
  const low = sorted[Math.floor(i)];
  return low + (sorted[Math.ceil(i)] - low) * (i - Math.floor(i));
}

function aggregate(type, values, seconds) {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = values.reduce((total, value) => total + value, 0);
  switch (type) {
    case 'trend':
      return {
        avg: values.length ? sum / values.length : 0,
        min: sorted[0] ?? 0,
        med: trendPercentile(sorted, 50),
        max: sorted.at(-1) ?? 0,
        'p(90)': trendPercentile(sorted, 90),
        'p(95)': trendPercentile(sorted, 95),
      };
    case 'counter':
      return { count: sum, rate: seconds > 0 ? sum / seconds : 0 };
    case 'rate': {
      const passes = values.filter((value) => value !== 0).length;
      return { passes, fails: values.length - passes, value: values.length ? passes / values.length : 0 };
    }
    default:
      return { value: values.at(-1) ?? 0, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
  }
}

/** A threshold's source ('p(90) < 400') judged against the metric's aggregates; true when it holds. */
function holds(source, values) {
  const match = /^\s*([a-z]+(?:\([0-9.]+\))?)\s*(<=|>=|===|==|!=|<|>)\s*(-?[0-9.]+)\s*$/.exec(source);
  if (!match) fail(`the stand-in cannot evaluate threshold ${JSON.stringify(source)}`);
  const [, method, op, bound] = match;
  const measured = values[method];
  if (measured === undefined) fail(`threshold ${JSON.stringify(source)}: no ${method} for this metric`);
  const b = Number(bound);
  const compare = {
    '<': measured < b,
    '<=': measured <= b,
    '>': measured > b,
    '>=': measured >= b,
    '==': measured === b,
    '===': measured === b,
    '!=': measured !== b,
  };
  return compare[op];
}

function summaryExport(metrics, checks, seconds) {
  const exported = { root_group: groupOf('', ''), metrics: {} };
  for (const [name, metric] of metrics) {
    if (metric.values.length === 0) continue;
    const values = aggregate(metric.type, metric.values, seconds);
    if (metric.thresholds.length > 0) {
      // A rate metric's `rate` is exported as `value` (k6 summary-wrapper.js), and judged as `rate`.
      const judged = metric.type === 'rate' ? { ...values, rate: values.value } : values;
      values.thresholds = {};
      for (const source of metric.thresholds) values.thresholds[source] = !holds(source, judged);
    }
    exported.metrics[name] = values;
  }
  for (const [key, check] of checks) {
    const [groupPath, name] = JSON.parse(key);
    let group = exported.root_group;
    let path = '';
    for (const part of groupPath.split('::').slice(1)) {
      path += `::${part}`;
      group.groups[part] ??= groupOf(part, path);
      group = group.groups[part];
    }
    group.checks[name] = { name, path: `${groupPath}::${name}`, id: md5(`${groupPath}::${name}`), ...check };
  }
  return exported;
}

function groupOf(name, path) {
  return { name, path, id: md5(path), groups: {}, checks: {} };
}

function md5(text) {
  return crypto.createHash('md5').update(text).digest('hex');
}

function main() {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'version') {
    process.stdout.write('k6 v0.0.0-stand-in (gameday test stand-in replaying recorded k6 output)\n');
    return;
  }
  if (command !== 'run') fail(`unknown command "${command}" for "k6"`);
  const run = parseRun(args);
  const fixture = process.env.K6_STANDIN_FIXTURE;
  if (!fixture) fail('K6_STANDIN_FIXTURE is not set: the stand-in needs recorded k6 output to replay');
  const speed = Number(process.env.K6_STANDIN_SPEED || 1);
  if (process.env.K6_STANDIN_RECORD)
    fs.writeFileSync(
      process.env.K6_STANDIN_RECORD,
      JSON.stringify({ argv: process.argv.slice(2), run, cwd: process.cwd(), envKeys: Object.keys(process.env) }),
    );

  const lines = fs
    .readFileSync(fixture, 'utf8')
    .split('\n')
    .filter((line) => line.trim());
  const recorded = lines.map((line) => {
    const object = JSON.parse(line);
    return { line, object, time: object.type === 'Point' ? object.data.time : null };
  });
  const firstTime = parseTime(recorded.find((entry) => entry.time).time);
  const start = Date.now();
  let due = start;
  for (const entry of recorded) {
    if (entry.time) due = start + (parseTime(entry.time) - firstTime) / speed;
    entry.due = due;
  }

  const outputs = run.points.map((file) => fs.openSync(file, 'w'));
  const metrics = new Map();
  const checks = new Map();
  let next = 0;
  const flush = () => {
    let text = '';
    while (next < recorded.length && recorded[next].due <= Date.now()) {
      const { line, object, time, due: at } = recorded[next++];
      if (object.type === 'Metric') {
        const name = object.data.name ?? object.metric;
        metrics.set(name, { type: object.data.type, thresholds: object.data.thresholds ?? [], values: [] });
      } else {
        metrics.get(object.metric)?.values.push(object.data.value);
        if (object.metric === 'checks') {
          const key = JSON.stringify([object.data.tags.group ?? '', object.data.tags.check]);
          const check = checks.get(key) ?? { passes: 0, fails: 0 };
          check[object.data.value ? 'passes' : 'fails']++;
          checks.set(key, check);
        }
      }
      text += (time ? line.replace(`"time":"${time}"`, `"time":"${k6Time(at)}"`) : line) + '\n';
    }
    for (const fd of outputs) if (text) fs.writeSync(fd, text);
  };
  const end = (code) => {
    clearInterval(timer);
    flush();
    for (const fd of outputs) fs.closeSync(fd);
    const exported = summaryExport(metrics, checks, (Date.now() - start) / 1000);
    if (run.summaryExport) fs.writeFileSync(run.summaryExport, JSON.stringify(exported, null, 4));
    const crossed = Object.entries(exported.metrics).flatMap(([name, values]) =>
      Object.entries(values.thresholds ?? {})
        .filter(([, failed]) => failed)
        .map(([source]) => `${name} ${source}`),
    );
    process.stdout.write(`\n  replayed ${next} of ${recorded.length} recorded lines\n`);
    for (const [name, values] of Object.entries(exported.metrics))
      for (const [source, failed] of Object.entries(values.thresholds ?? {}))
        process.stdout.write(`    ${failed ? '✗' : '✓'} ${name} '${source}'\n`);
    if (code === null && crossed.length > 0)
      process.stderr.write(`thresholds on metrics '${crossed.join(', ')}' have been crossed\n`);
    process.exit(code ?? (process.env.K6_STANDIN_EXIT ? Number(process.env.K6_STANDIN_EXIT) : crossed.length ? 99 : 0));
  };
  const timer = setInterval(() => {
    flush();
    if (next >= recorded.length) end(null);
  }, flushEveryMs);
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.on(signal, () => {
      process.stderr.write(`test run was aborted because k6 received a '${signal}' signal\n`);
      end(105);
    });
}

main();
