#!/usr/bin/env node
// The whole check of a change, and what `npm test` runs. In order: what this machine
// must have (Chromium, dig and Prometheus, said with the command that installs them,
// before anything else), the build, the type check, the house rules (the dependency
// check, formatting, line length), then the uvu suites — test/unit in one process (pure and fast), every
// integration and e2e file in its own process, so a leaked socket or child in one file
// can neither hang nor poison the next. Prints the closing line "N passed, N failed" that
// CI counts.
//
//   node scripts/test.js                 everything
//   node scripts/test.js unit e2e        some suites (no build, no checks)
//   node scripts/test.js checks          the house rules alone
//   node scripts/test.js test/integration/proxy.test.ts   one file
//
// The unit process and the integration and e2e files run GAMEDAY_TEST_JOBS at a time
// (default 2): most of their time is spent waiting on labs, timers and child processes, not
// on the CPU. They start longest first, by the time each took when it last ran (kept in
// ~/.cache/gameday/test-times.json; a file never timed starts first), so the slots finish
// together instead of one waiting on the last long file. Each file's output is printed
// whole when it ends, so parallel files never interleave.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const suites = ['unit', 'integration', 'e2e'];
const maxLineLength = 120;
const testRunId = `${process.pid}-${Date.now()}`;
const fileTimeoutMs = Number(process.env.GAMEDAY_TEST_FILE_TIMEOUT_MS || 240_000);
const jobs = Math.max(1, Number(process.env.GAMEDAY_TEST_JOBS || 2));
const timesFile = path.join(
  process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'),
  'gameday',
  'test-times.json',
);

function testFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(full));
    else if (entry.name.endsWith('.test.ts')) out.push(full);
  }
  return out.sort();
}

function runNode(args, label, { stream = true } = {}) {
  // Each file its own gameday state directory (the halt file, the live runs): a test's
  // `gameday halt` stops only that file's runs, and a developer's own halt in ~/.gameday
  // neither stops nor refuses the suite's.
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-test-state-'));
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', ...args], {
      cwd: root,
      env: {
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...process.env,
        TS_NODE_PROJECT: path.join(root, 'tsconfig.json'),
        GAMEDAY_TEST_RUN: testRunId,
        GAMEDAY_STATE_DIR: stateDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk) => {
      output += chunk;
      if (stream) process.stdout.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      output += `\n${label}: timed out after ${fileTimeoutMs} ms\n`;
      child.kill('SIGKILL');
    }, fileTimeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      fs.rmSync(stateDir, { recursive: true, force: true });
      // Strip colour codes before reading uvu's totals.
      const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
      const total = Number(
        (plain.match(/Total:\s+(\d+)/g) || []).map((m) => m.match(/\d+/)[0]).reduce((a, b) => a + Number(b), 0),
      );
      const passed = Number(
        (plain.match(/Passed:\s+(\d+)/g) || []).map((m) => m.match(/\d+/)[0]).reduce((a, b) => a + Number(b), 0),
      );
      const skipped = Number(
        (plain.match(/Skipped:\s+(\d+)/g) || []).map((m) => m.match(/\d+/)[0]).reduce((a, b) => a + Number(b), 0),
      );
      let failed = total - passed - skipped;
      // A file that crashed or hung before uvu printed totals counts as one failure.
      if (code !== 0 && failed <= 0) failed = 1;
      const seconds = (Date.now() - started) / 1000;
      if (!stream) process.stdout.write(output);
      console.log(`-- ${label}: ${passed} passed, ${failed} failed (${seconds.toFixed(1)}s)`);
      resolve({ label, passed, failed, skipped, seconds });
    });
  });
}

/**
 * Tests must clean up every process they start. After the suites, any PostgreSQL,
 * lab daemon or lab app process started from a gameday temp dir is a leak: it counts
 * as a failure and is killed so it cannot poison the next run.
 */
function orphanCheck() {
  // Only processes of this run: they inherit GAMEDAY_TEST_RUN from the test processes,
  // so a developer's own `gameday lab up` or a parallel run is never touched.
  const marker = `GAMEDAY_TEST_RUN=${testRunId}`;
  const lines = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!environ.includes(marker)) continue;
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/\) [ZX] /.test(stat)) continue; // exited, waiting to be reaped
      lines.push(`${entry} ${fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim()}`);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  if (lines.length === 0) {
    console.log('-- orphan check: no lab process left behind');
    return { label: 'orphan check', passed: 1, failed: 0, skipped: 0 };
  }
  console.log(`-- orphan check: ${lines.length} process(es) left behind by the tests:\n${lines.join('\n')}`);
  for (const line of lines) {
    try {
      process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    } catch {}
  }
  return { label: 'orphan check', passed: 0, failed: 1, skipped: 0 };
}

/**
 * What the integration and e2e suites need from the machine, beyond npm's packages. Said
 * first, all of it, with the one command that installs it: not as a failure deep in a suite.
 */
function missingRequirements() {
  const missing = [];
  const onPath = (program) =>
    (process.env.PATH || '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, program)));
  const chromium =
    process.env.GAMEDAY_CHROMIUM ||
    ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'].find(
      (file) => fs.existsSync(file),
    );
  if (!chromium || !fs.existsSync(chromium))
    missing.push({
      what: 'Chromium',
      why: 'the report tests open report.html and print report.pdf in it (or set GAMEDAY_CHROMIUM=/path/to/chromium)',
      apt: 'chromium',
    });
  if (!onPath('dig'))
    missing.push({ what: 'dig', why: "the DNS tests ask the lab's DNS server with it", apt: 'dnsutils' });
  const explicit = process.env.PROMETHEUS_BIN;
  const prometheus = explicit
    ? fs.existsSync(explicit) && fs.existsSync(path.join(path.dirname(explicit), 'promtool'))
    : onPath('prometheus') && onPath('promtool');
  if (!prometheus)
    missing.push({
      what: 'Prometheus (prometheus and promtool)',
      why:
        'the alert-rule tests run a real Prometheus in the lab, and validation checks rule files with promtool ' +
        '(or set PROMETHEUS_BIN=/path/to/prometheus, promtool beside it)',
      apt: 'prometheus',
    });
  if (!fs.existsSync('/usr/bin/systemd-analyze'))
    missing.push({
      what: 'systemd-analyze',
      why: "the schedule export's systemd units are checked by systemd itself (systemd-analyze calendar and verify)",
      apt: 'systemd',
    });
  return missing;
}

/** A command as one step of the run: passed or failed, its output shown when it failed. */
function step(label, command, args) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (code !== 0) process.stdout.write(output.trimEnd() + '\n');
      console.log(`-- ${label}: ${code === 0 ? 'passed' : 'FAILED'} (${seconds}s)`);
      resolve({ label, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 });
    });
  });
}

/** Source files whose lines must fit in the house width; the invalid-experiment corpus quotes messages whole. */
function lineLengthCheck() {
  const long = [];
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!['node_modules', 'dist', 'invalid', 'journals'].includes(entry.name)) walk(full);
      } else if (/\.(ts|js|cjs)$/.test(entry.name)) {
        fs.readFileSync(full, 'utf8')
          .split('\n')
          .forEach((line, index) => {
            if (line.length > maxLineLength)
              long.push(`${path.relative(root, full)}:${index + 1}: ${line.length} characters`);
          });
      }
    }
  };
  for (const dir of ['src', 'test', 'bench', 'scripts', 'experiments', 'scenarios']) walk(path.join(root, dir));
  if (long.length > 0) console.log(long.join('\n'));
  console.log(`-- line length (≤ ${maxLineLength}): ${long.length === 0 ? 'passed' : `FAILED (${long.length} lines)`}`);
  return { label: 'line length', passed: long.length === 0 ? 1 : 0, failed: long.length === 0 ? 0 : 1, skipped: 0 };
}

/** The house rules: the layering, the format, the width. */
async function checks() {
  const bin = (name, ...file) => path.join(root, 'node_modules', name, ...file);
  return [
    await step('dependency rules (.dependency-cruiser.cjs)', process.execPath, [
      bin('dependency-cruiser', 'bin', 'dependency-cruise.mjs'),
      'src',
      '--config',
      '.dependency-cruiser.cjs',
      '--output-type',
      'err',
    ]),
    await step('format (prettier --check)', process.execPath, [
      bin('prettier', 'bin', 'prettier.cjs'),
      '--check',
      '--log-level',
      'warn',
      '**/*.{ts,js,cjs,json}',
    ]),
    lineLengthCheck(),
  ];
}

/** Seconds each test file took when it last ran, by its label; {} before the first run. */
function lastTimes() {
  try {
    return JSON.parse(fs.readFileSync(timesFile, 'utf8'));
  } catch {
    return {};
  }
}

/** Keeps this run's times for the next run's order; a machine where it cannot write just keeps no order. */
function saveTimes(results) {
  const times = lastTimes();
  for (const result of results)
    if (result.seconds !== undefined) times[result.label] = Number(result.seconds.toFixed(1));
  const temporary = `${timesFile}.${process.pid}`;
  try {
    fs.mkdirSync(path.dirname(timesFile), { recursive: true });
    fs.writeFileSync(temporary, JSON.stringify(times, null, 2) + '\n');
    fs.renameSync(temporary, timesFile);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}

/** Longest first by the last run's times; files never timed before all of them (they may be long), by name. */
function longestFirst(items) {
  const times = lastTimes();
  const secondsOf = (item) => times[item.label] ?? Infinity;
  return [...items].sort((a, b) =>
    secondsOf(a) === secondsOf(b) ? a.label.localeCompare(b.label) : secondsOf(b) - secondsOf(a),
  );
}

/** Runs `work` over `items`, `jobs` at a time; results in the order of `items`. */
async function inParallel(items, work) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}

async function main() {
  const args = process.argv.slice(2);
  const explicitFiles = args.filter((a) => a.endsWith('.ts'));
  const chosen = args.filter((a) => suites.includes(a));
  const everything = args.length === 0;
  const results = [];

  if (everything || chosen.some((suite) => suite !== 'unit')) {
    const missing = missingRequirements();
    if (missing.length > 0) {
      console.log('The integration and e2e tests need what this machine lacks:');
      for (const requirement of missing) console.log(`  ${requirement.what}: ${requirement.why}`);
      console.log(
        `Install ${missing.length > 1 ? 'them' : 'it'} with:\n  sudo apt-get update && sudo apt-get ` +
          `install -y ${missing.map((requirement) => requirement.apt).join(' ')}`,
      );
      console.log(`\n0 passed, ${missing.length} failed`);
      process.exitCode = 1;
      return;
    }
  }
  if (everything) {
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const build = await step('build (tsc -p tsconfig.json)', process.execPath, [tsc, '-p', 'tsconfig.json']);
    results.push(build);
    // The e2e suite runs the built CLI: without a build there is nothing to test.
    if (build.failed > 0) return finish(results);
    results.push(
      await step('type check (tsc -p tsconfig.check.json)', process.execPath, [tsc, '-p', 'tsconfig.check.json']),
    );
  }
  if (everything || args.includes('checks')) results.push(...(await checks()));
  if (args.includes('checks') && chosen.length === 0 && explicitFiles.length === 0) return finish(results);

  if (explicitFiles.length > 0) {
    for (const file of explicitFiles) results.push(await runNode([file], path.relative(root, file)));
  } else {
    // Every chosen suite in one pool: the unit suite as one process, each other file as its own.
    const items = [];
    for (const suite of chosen.length > 0 ? chosen : suites) {
      const files = testFiles(path.join(root, 'test', suite));
      if (files.length === 0) continue;
      if (suite === 'unit') {
        const uvu = path.join(root, 'node_modules', 'uvu', 'bin.js');
        items.push({
          label: 'test/unit',
          args: [uvu, 'test/unit', '.test.ts$', '-r', 'ts-node/register/transpile-only'],
        });
      } else {
        items.push(...files.map((file) => ({ label: path.relative(root, file), args: [file] })));
      }
    }
    // Live output when nothing runs beside it.
    const stream = jobs === 1 || items.length === 1;
    const finished = await inParallel(longestFirst(items), (item) => runNode(item.args, item.label, { stream }));
    saveTimes(finished);
    results.push(...finished);
  }

  if (explicitFiles.length === 0) results.push(orphanCheck());
  finish(results);
}

function finish(results) {
  const passed = results.reduce((a, r) => a + r.passed, 0);
  const failed = results.reduce((a, r) => a + r.failed, 0);
  const skipped = results.reduce((a, r) => a + r.skipped, 0);
  const failing = results.filter((r) => r.failed > 0).map((r) => r.label);
  if (failing.length > 0) console.log(`\nfailing: ${failing.join(', ')}`);
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main();
