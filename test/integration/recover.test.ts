/**
 * recover from the journal alone: a run that died after registering rollbacks (here an
 * exec fault, whose undo is a shell command) is undone newest first, once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Journal, readJournal } from '../../src/core/journal';
import { recoverRun } from '../../src/engine/recover';

function deadRun(dir: string, faults: Array<{ name: string; undo: string; reverted?: boolean }>): string {
  const runDir = path.join(dir, 'run');
  const journal = Journal.create(runDir);
  journal.append({
    type: 'run.started',
    runId: 'r',
    runDir,
    experiment: 'x',
    file: 'x.ts',
    description: '',
    target: { kind: 'endpoints' },
    gamedayVersion: '0',
    pid: 2 ** 22 + 1,
    host: os.hostname(),
    spec: {
      name: 'x',
      hypothesis: { recovery: { successRatio: 0.95, window: 5_000 } },
      traffic: { name: 'traffic', rate: 1 },
      slos: [],
      duration: 1_000,
    },
  });
  for (const fault of faults) {
    journal.append({
      type: 'fault.injecting',
      fault: fault.name,
      kind: 'exec',
      rollback: { kind: 'exec', command: fault.undo, timeoutMs: 5_000 },
      detail: {},
    });
    journal.append({ type: 'fault.injected', fault: fault.name, kind: 'exec', at: Date.now() });
    if (fault.reverted) journal.append({ type: 'fault.reverted', fault: fault.name, at: Date.now() });
  }
  journal.close(); // and then the process "died": no run.finished
  return runDir;
}

test('pending rollbacks run newest first, are journaled, and a second recover does nothing', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-recover-unit-'));
  try {
    const order = path.join(dir, 'order');
    const runDir = deadRun(dir, [
      { name: 'first', undo: `echo first >> ${order}` },
      { name: 'already-undone', undo: `echo never >> ${order}`, reverted: true },
      { name: 'second', undo: `echo second >> ${order}` },
    ]);
    const report = await recoverRun(runDir);
    assert.equal(
      report.faults.map((fault) => [fault.fault, fault.ok]),
      [
        ['second', true],
        ['first', true],
      ],
    );
    assert.is(fs.readFileSync(order, 'utf8'), 'second\nfirst\n');
    const events = readJournal(path.join(runDir, 'journal.ndjson'));
    assert.equal(
      events.map((event) => event.seq),
      events.map((_, i) => i + 1),
      'seq continues the journal',
    );
    assert.is(events[events.length - 1].type, 'run.finished');

    const again = await recoverRun(runDir);
    assert.is(again.clean, true);
    assert.is(fs.readFileSync(order, 'utf8'), 'second\nfirst\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a failing undo is reported, journaled, and tried again by the next recover', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-recover-unit-'));
  try {
    const flag = path.join(dir, 'fixed');
    const runDir = deadRun(dir, [{ name: 'stubborn', undo: `test -f ${flag}` }]);
    const failed = await recoverRun(runDir);
    assert.is(failed.faults[0].ok, false);
    assert.match(failed.faults[0].error ?? '', /exited with code 1/);
    fs.writeFileSync(flag, '');
    const retried = await recoverRun(runDir);
    assert.equal(
      retried.faults.map((fault) => [fault.fault, fault.ok]),
      [['stubborn', true]],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
