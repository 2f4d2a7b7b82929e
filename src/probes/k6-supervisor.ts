/**
 * Runs k6 on gameday's behalf, in its own process: `node k6-supervisor.js <k6> <args…>`.
 *
 * Load must not outlive the drill. gameday stops k6 with SIGINT at the end of the
 * observation, but a gameday killed with -9 never gets there, and k6 would go on loading
 * the target until its script ends. So k6 is started from here, and this process watches
 * its stdin — a pipe from gameday, closed by the kernel however gameday dies — and then
 * stops k6 as gameday would have: SIGINT (k6 still writes its summary), and SIGKILL if it
 * has not exited `K6_SUPERVISOR_GRACE_MS` later. Signals sent here are passed on to k6.
 * Exits with k6's code, or 128 + the signal's number when a signal ended it.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';

const [binary, ...args] = process.argv.slice(2);
const graceMs = Number(process.env.K6_SUPERVISOR_GRACE_MS) || 30_000;

const k6 = spawn(binary, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let exited = false;

k6.on('error', (error) => {
  process.stderr.write(`gameday: k6 could not be started: ${error.message}\n`);
  process.exit(127);
});
k6.on('exit', (code, signal) => {
  exited = true;
  process.exit(code ?? 128 + (signal ? os.constants.signals[signal] : 0));
});

function stopK6(signal: NodeJS.Signals): void {
  if (exited) return;
  k6.kill(signal);
  setTimeout(() => {
    if (!exited) k6.kill('SIGKILL');
  }, graceMs).unref();
}

process.on('SIGINT', () => stopK6('SIGINT'));
process.on('SIGTERM', () => stopK6('SIGTERM'));
process.stdin.on('end', () => stopK6('SIGINT'));
process.stdin.on('error', () => stopK6('SIGINT'));
process.stdin.resume();
