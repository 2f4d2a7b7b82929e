/**
 * A manual failover's go-ahead asked at a real terminal (a pseudo-terminal from util-linux's
 * `script`, as an operator's shell would give): the question stays on screen while it is up
 * (the status line does not erase it), Ctrl-C there stops the run and rolls back (exit 3, as
 * any interrupted run), and "n" refuses: either way nothing moved and the lab keeps its
 * starting topology.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readJournal } from '../../src/core/journal';
import { gamedayBin, repoRoot, runCli } from '../support/cli';
import { assertStartingTopology } from '../support/lab-topology';

let dir: string;
let labDir: string;
let file: string;

test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-approve-'));
  labDir = path.join(dir, 'lab');
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(repoRoot, path.join(dir, 'node_modules', 'gameday'));
  const up = await runCli(['lab', 'up', '--dir', labDir]);
  assert.is(up.code, 0, up.stderr);
  file = path.join(dir, 'manual.ts');
  fs.writeFileSync(
    file,
    `import { defineExperiment, probes } from 'gameday';
export default defineExperiment({
  name: 'manual failover',
  target: { kind: 'lab', dir: ${JSON.stringify(labDir)}, regions: ['us-east-1', 'eu-west-1'] },
  traffic: probes.http({ endpoint: 'app', path: '/health', rate: 5, timeout: '1s' }),
  duration: '10s',
  failover: { mode: 'manual', kind: 'planned', from: 'us-east-1', to: 'eu-west-1', trafficShift: 'dns' },
});
`,
  );
});

test.after(async () => {
  await runCli(['lab', 'down', '--dir', labDir]);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** `gameday failover` at a terminal; `answer` is typed once the question is on screen. */
function failoverAtTerminal(runDir: string, answer: string): Promise<{ code: number | null; screen: string }> {
  // `exec`: no shell stays between the terminal and gameday. script(1) runs the command with $SHELL, and a shell
  // that is itself killed by the terminal's SIGINT would report 130 instead of gameday's own exit code.
  const command = `exec ${[process.execPath, gamedayBin, 'failover', file, '--yes', '--no-pdf', '--out', runDir]
    .map((word) => `'${word}'`)
    .join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: dir,
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  let answered = false;
  child.stdout.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
    if (!answered && screen.includes('[y/N] ')) {
      answered = true;
      // Long enough for a few status-line redraws (every 250 ms) to have had their chance to erase the question.
      setTimeout(() => child.stdin.write(answer), 800);
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, screen })));
}

function movedNothing(runDir: string): void {
  const events = readJournal(path.join(runDir, 'journal.ndjson'));
  const steps = events
    .filter((event) => event.type === 'failover.step')
    .map((event) => `${event.step}:${event.status}`);
  assert.ok(steps.includes('decide:failed'), steps.join(' '));
  assert.not.ok(
    steps.some((step) => /^(fence|promote|shift-traffic):/.test(step)),
    `no step after the decision: ${steps.join(' ')}`,
  );
}

test('Ctrl-C at the question stops the run and rolls back: exit 3, the question never erased', async () => {
  const runDir = path.join(dir, 'interrupted');
  const { code, screen } = await failoverAtTerminal(runDir, '\x03');
  assert.is(code, 3, screen);
  assert.match(screen, /ABORTED +manual failover: interrupted by SIGINT/);
  // What follows the question up to the answer is the terminal's own echo, not a status line redrawn over it.
  const afterQuestion = screen.slice(screen.indexOf('[y/N] ') + '[y/N] '.length);
  assert.not.ok(afterQuestion.slice(0, afterQuestion.indexOf('SIGINT')).includes('\x1b['), JSON.stringify(screen));
  movedNothing(runDir);
  await assertStartingTopology(labDir);
});

test('"n" refuses the failover: it fails, nothing moved', async () => {
  const runDir = path.join(dir, 'refused');
  const { code, screen } = await failoverAtTerminal(runDir, 'n\n');
  assert.is(code, 1, screen);
  assert.match(screen, /not approved/);
  movedNothing(runDir);
  await assertStartingTopology(labDir);
});

test.run();
