/**
 * A PostgreSQL node's log, with real child processes standing in for the postmaster: what
 * they print is kept and written to the log file, including what the processes they forked
 * print after they exit (a postmaster's children hold its stderr), and a restart writes to
 * a stream of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PgServerLog } from '../../src/lab/postgres/server-log';
import { waitUntil } from '../support/eventually';
import { tempDir } from '../support/temp-dir';

const closed = (child: ChildProcess) => new Promise<void>((resolve) => child.once('close', () => resolve()));
const exited = (child: ChildProcess) => new Promise<void>((resolve) => child.once('exit', () => resolve()));
/** The file's lines, once it holds `count` of them: the stream writes asynchronously, after the child closed. */
async function linesOnceWritten(file: string, count: number): Promise<string[]> {
  const read = () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
  await waitUntil(() => read().length >= count, 2_000);
  return read();
}

const tempLogFile = () => path.join(tempDir('gameday-pg-log-'), 'postgres.log');

test('lines printed after the process exited, by a child still holding its pipe, are kept and written', async () => {
  const file = tempLogFile();
  const uncaught: Error[] = [];
  const onUncaught = (error: Error) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  try {
    const log = new PgServerLog({ file });
    // The shell exits at once; the subshell it forked writes to the inherited stderr 200 ms later.
    const child = spawn('sh', ['-c', '(sleep 0.2; echo "late line" >&2) & echo "early line"'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    log.capture(child, { toFile: true });
    await exited(child);
    log.record('gameday: stopped');
    await closed(child);
    const written = await linesOnceWritten(file, 3);
    assert.equal(uncaught, [], 'no write after the stream ended');
    assert.equal(written.sort(), ['early line', 'gameday: stopped', 'late line']);
    assert.match(log.tail(), 'late line');
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});

test('a restarted postmaster appends to the file; a program captured without toFile stays in memory', async () => {
  const file = tempLogFile();
  const log = new PgServerLog({ file });
  const first = spawn('sh', ['-c', 'echo first run'], { stdio: ['ignore', 'pipe', 'pipe'] });
  log.capture(first, { toFile: true });
  await closed(first);
  const initdb = spawn('sh', ['-c', 'echo initdb says'], { stdio: ['ignore', 'pipe', 'pipe'] });
  log.capture(initdb);
  await closed(initdb);
  const second = spawn('sh', ['-c', 'echo second run'], { stdio: ['ignore', 'pipe', 'pipe'] });
  log.capture(second, { toFile: true });
  await closed(second);
  // Between runs, gameday's own lines have no file to go to.
  log.record('gameday: between runs');
  assert.equal(await linesOnceWritten(file, 2), ['first run', 'second run']);
  assert.is(log.tail(), 'first run\ninitdb says\nsecond run\ngameday: between runs');
});

test.run();
