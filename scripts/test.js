#!/usr/bin/env node
// Runs the uvu suites: test/unit in one process (pure and fast), then every
// integration and e2e file in its own process, so a leaked socket or child in
// one file can neither hang nor poison the next. Prints the closing line
// "N passed, N failed" that CI counts.
//
//   node scripts/test.js                 all suites
//   node scripts/test.js unit e2e        some suites
//   node scripts/test.js test/integration/proxy.test.ts   one file
//
// Integration and e2e files run GAMEDAY_TEST_JOBS at a time (default 2): most of their
// time is spent waiting on labs, timers and child processes, not on the CPU. Each file's
// output is printed whole when it ends, so parallel files never interleave.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const suites = ['unit', 'integration', 'e2e'];
const testRunId = `${process.pid}-${Date.now()}`;
const fileTimeoutMs = Number(process.env.GAMEDAY_TEST_FILE_TIMEOUT_MS || 240_000);
const jobs = Math.max(1, Number(process.env.GAMEDAY_TEST_JOBS || 2));

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
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', ...args], {
      cwd: root,
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env, TS_NODE_PROJECT: path.join(root, 'tsconfig.json'), GAMEDAY_TEST_RUN: testRunId },
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
      // Strip colour codes before reading uvu's totals.
      const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
      const total = Number((plain.match(/Total:\s+(\d+)/g) || []).map((m) => m.match(/\d+/)[0]).reduce((a, b) => a + Number(b), 0));
      const passed = Number((plain.match(/Passed:\s+(\d+)/g) || []).map((m) => m.match(/\d+/)[0]).reduce((a, b) => a + Number(b), 0));
      const skipped = Number((plain.match(/Skipped:\s+(\d+)/g) || []).map((m) => m.match(/\d+/)[0]).reduce((a, b) => a + Number(b), 0));
      let failed = total - passed - skipped;
      // A file that crashed or hung before uvu printed totals counts as one failure.
      if (code !== 0 && failed <= 0) failed = 1;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (!stream) process.stdout.write(output);
      console.log(`-- ${label}: ${passed} passed, ${failed} failed (${seconds}s)`);
      resolve({ label, passed, failed, skipped });
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
  const results = [];

  if (explicitFiles.length > 0) {
    for (const file of explicitFiles) results.push(await runNode([file], path.relative(root, file)));
  } else {
    for (const suite of chosen.length > 0 ? chosen : suites) {
      const files = testFiles(path.join(root, 'test', suite));
      if (files.length === 0) continue;
      if (suite === 'unit') {
        const uvu = path.join(root, 'node_modules', 'uvu', 'bin.js');
        results.push(await runNode([uvu, 'test/unit', '.test.ts$', '-r', 'ts-node/register/transpile-only'], 'test/unit'));
      } else {
        results.push(...(await inParallel(files, (file) => runNode([file], path.relative(root, file), { stream: jobs === 1 }))));
      }
    }
  }

  if (explicitFiles.length === 0) results.push(orphanCheck());

  const passed = results.reduce((a, r) => a + r.passed, 0);
  const failed = results.reduce((a, r) => a + r.failed, 0);
  const skipped = results.reduce((a, r) => a + r.skipped, 0);
  const failing = results.filter((r) => r.failed > 0).map((r) => r.label);
  if (failing.length > 0) console.log(`\nfailing: ${failing.join(', ')}`);
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main();
