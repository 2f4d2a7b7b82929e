/**
 * npm run chaos: interrupts CHAOS_N (default 20) lab drills at random moments and checks
 * the lab is healthy after each; exits non-zero unless every one is. See bench/chaos/interrupt.ts.
 */
import { runChaos } from './chaos/interrupt';

async function main(): Promise<void> {
  const n = Number(process.env.CHAOS_N ?? 20);
  if (!Number.isInteger(n) || n < 1) throw new Error(`CHAOS_N must be a whole number ≥ 1, got ${process.env.CHAOS_N}`);
  const started = Date.now();
  process.stdout.write(
    `chaos: ${n} lab drills, each interrupted at a random moment (SIGINT, SIGTERM, kill -9 + ` +
      `recover, an exception in a probe or a runbook hook)\n`,
  );
  const { healthy } = await runChaos({ n, log: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(
    `${healthy} of ${n} healthy (${new Date().toISOString().slice(0, 10)}, ` +
      `${Math.round((Date.now() - started) / 1000)} s)\n`,
  );
  process.exitCode = healthy === n ? 0 : 1;
}

main().catch((error) => {
  process.stderr.write(`chaos: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
