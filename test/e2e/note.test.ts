/**
 * Live notes on a real lab run: a note, a finding and an action item written with
 * `gameday note` from other processes while `gameday run` goes on are journaled by the run
 * and appear in its summary.json (notes), report.md (findings and action items, the
 * timeline) and report.html, escaped. A note to a finished run, or with no run going, is
 * refused and changes nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readJournal } from '../../src/core/journal';
import { repoRoot, runCli, spawnCli, waitForOutput } from '../support/cli';

let dir: string;
let labDir: string;
let file: string;
const runDir = () => path.join(dir, 'noted');

test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-note-'));
  // This file's own registry of live runs: `latest` is this file's run, whatever else runs on the machine.
  process.env.GAMEDAY_STATE_DIR = path.join(dir, 'state');
  labDir = path.join(dir, 'lab');
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(repoRoot, path.join(dir, 'node_modules', 'gameday'));
  const up = await runCli(['lab', 'up', '--dir', labDir]);
  assert.is(up.code, 0, up.stderr);
  file = path.join(dir, 'noted.ts');
  // 10 s: room, several times over, for three `gameday note` processes started at once after the fault.
  fs.writeFileSync(
    file,
    `import { defineExperiment, faults, probes } from 'gameday';
export default defineExperiment({
  name: 'noted drill',
  target: { kind: 'lab', dir: ${JSON.stringify(labDir)} },
  steadyState: { duration: '500ms' },
  traffic: probes.http({ endpoint: 'app-eu-west-1', path: '/health', rate: 10, timeout: '1s' }),
  faults: [faults.healthCheckFailure({ name: 'us-east-1-check', region: 'us-east-1', after: '300ms', duration: '3s' })],
  duration: '10s',
});
`,
  );
});

test.after(async () => {
  await runCli(['lab', 'down', '--dir', labDir]);
  fs.rmSync(dir, { recursive: true, force: true });
});

const hostile = 'pager fired | <img src=x onerror=alert(1)>';

test('a note, a finding and an action item from other terminals reach the report and summary.json', async () => {
  const run = spawnCli(['run', file, '--out', runDir(), '--no-pdf'], { cwd: dir });
  await waitForOutput(run.child, (text) => text.includes('fault us-east-1-check injected'), 60_000);
  // Three terminals at once, as people in a GameDay room would.
  const [note, finding, action] = await Promise.all([
    runCli(['note', hostile]),
    runCli(['note', 'DNS kept answering us-east-1 for 5s (TTL)', '--finding', '--run', runDir()]),
    runCli(['note', 'lower the app TTL to 1s', '--action', '--owner', 'alice', '--run', 'latest']),
  ]);
  const ran = await run.done;
  assert.is(ran.code, 0, ran.stderr + ran.stdout);

  const runId = (readJournal(path.join(runDir(), 'journal.ndjson'))[0] as { runId: string }).runId;
  for (const [result, said] of [
    [note, `note noted in run ${runId} at \\+\\d+\\.\\d\\ds: pager fired \\| <img src=x onerror=alert\\(1\\)>`],
    [finding, `finding noted in run ${runId} at \\+\\d+\\.\\d\\ds: DNS kept answering us-east-1 for 5s \\(TTL\\)`],
    [action, `action for alice noted in run ${runId} at \\+\\d+\\.\\d\\ds: lower the app TTL to 1s`],
  ] as const) {
    assert.is(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^${said}\\n$`));
  }
  assert.match(ran.stderr, /action for alice from \S+: lower the app TTL to 1s/, 'the run shows notes as they come');

  const summary = JSON.parse(fs.readFileSync(path.join(runDir(), 'summary.json'), 'utf8'));
  const author = os.userInfo().username;
  const notes = [...summary.notes].sort((a, b) => a.kind.localeCompare(b.kind));
  assert.equal(
    notes.map(({ kind, text, owner }: Record<string, unknown>) => ({ kind, text, owner })),
    [
      { kind: 'action', text: 'lower the app TTL to 1s', owner: 'alice' },
      { kind: 'finding', text: 'DNS kept answering us-east-1 for 5s (TTL)', owner: null },
      { kind: 'note', text: hostile, owner: null },
    ],
  );
  for (const entry of summary.notes) {
    assert.is(entry.author, author);
    assert.ok(entry.offsetMs > 0 && entry.offsetMs < 10_000, `written during the observation: ${entry.offsetMs}`);
    assert.ok(Date.parse(entry.at) > Date.parse(summary.startedAt));
  }

  const markdown = fs.readFileSync(path.join(runDir(), 'report.md'), 'utf8');
  assert.match(markdown, /\| DNS kept answering us-east-1 for 5s \(TTL\) \| \d+\.\d\d \| \S+ \|/);
  assert.match(markdown, /\| lower the app TTL to 1s \| alice \| \d+\.\d\d \| \S+ \|/);
  assert.match(markdown, /\| \d+\.\d\d \| note \(\S+\): pager fired \\\| &lt;img src=x onerror=alert\(1\)> \|/);
  assert.match(markdown, /\| \d+\.\d\d \| action for alice \(\S+\): lower the app TTL to 1s \|/);
  const html = fs.readFileSync(path.join(runDir(), 'report.html'), 'utf8');
  assert.ok(html.includes('pager fired | &lt;img src=x onerror=alert(1)&gt;'));
  assert.not.ok(html.includes('<img src=x'), 'typed text is never markup in report.html');
  assert.ok(html.includes('<section id="notes">'));
});

test('a note to a finished run, or with no run going, is refused and changes nothing', async () => {
  const journal = path.join(runDir(), 'journal.ndjson');
  const before = fs.readFileSync(journal, 'utf8');
  const late = await runCli(['note', 'too late', '--run', runDir()]);
  assert.is(late.code, 2);
  assert.match(late.stderr, /^gameday: run \S+ has finished \(passed, \S+\); notes go to a run while it runs\n$/);
  const none = await runCli(['note', 'anyone?']);
  assert.is(none.code, 2);
  assert.match(none.stderr, /^gameday: no gameday run is running on this machine; name one with --run DIR\n$/);
  assert.is(fs.readFileSync(journal, 'utf8'), before);
});

test.run();
