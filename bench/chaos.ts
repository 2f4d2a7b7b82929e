/**
 * npm run chaos: interrupts CHAOS_N (default 25) lab drills, their moments stratified over
 * the drill's phases, and checks after each that the lab is as the drill found it without a
 * reset; exits non-zero unless every one is. See bench/chaos/interrupt.ts.
 */
import os from 'node:os';
import { runChaos, summaryLine } from './chaos/interrupt';

async function main(): Promise<void> {
  // 25: the signal drills (3 of every 5) then hit each of the five phases with each signal once.
  const n = Number(process.env.CHAOS_N ?? 25);
  if (!Number.isInteger(n) || n < 1) throw new Error(`CHAOS_N must be a whole number ≥ 1, got ${process.env.CHAOS_N}`);
  const started = Date.now();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(
    `chaos: ${n} lab drills, interrupted in turn by kill -9 + recover, SIGINT, SIGTERM, an exception in a probe, ` +
      `an exception in a runbook hook`,
  );
  say(
    'moments: stratified; signal drills, and probe drills apart, aim in turn at steady-state, ' +
      'fault-before-detection, promotion, failed-over, rollback-failback, uniformly within that phase as long as ' +
      'the calibration drill measured it; a hook throws where it runs (after decide); "in" is where the journal ' +
      'says the run was at that moment',
  );
  say('healthy: with no reset, the lab is as it started (writer, standby streaming, checks, no toxic, FIS, lock)');
  const { iterations, healthy } = await runChaos({ n, log: say, keepUnhealthy: true });
  const load = os.loadavg().map((value) => value.toFixed(2));
  say(
    `${summaryLine(iterations)} (${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, ` +
      `load ${load.join(' ')}, ${Math.round((Date.now() - started) / 1000)} s)`,
  );
  process.exitCode = healthy === n ? 0 : 1;
}

main().catch((error) => {
  process.stderr.write(`chaos: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
