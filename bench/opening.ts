/**
 * When the traffic probe opens connections (TrafficClient.grow): under latency faults, which
 * need more connections to carry the rate, and past a saturated server's limit, where more
 * connections only overflow its accept queue.
 *
 *   npm run bench:opening [-- --no-faults] [-- --no-steps]
 *   (= npm run build && node -r ts-node/register/transpile-only bench/opening.ts)
 *
 * 1. Steps, first (a process that has just carried thousands of slow connections holds
 *    less): the trivial server of bench:traffic at 32,000, 48,000, 52,000, 56,000 and
 *    60,000 req/s, 5 s each after 1 s of warm-up, 2 s apart, one server for all, warmed
 *    first by 2 s at each of 1,000 to 16,000 req/s (doubling), unreported: held or
 *    not (as bench:traffic judges a ceiling step, ≤ 100 ms), send lag and latency p99,
 *    errors, connections opened, the server's accept-queue overflows.
 * 2. Fault shapes: the probe (from dist/, as bench:traffic runs it) against a server that
 *    answers after a delay — on every request or on a share of them, from 1 s into a 4 s run
 *    (one shape from the start) — one run each: send lag p99 and max over the whole run (the
 *    wait for a connection is in the send lag), achieved, errors, connections opened.
 *
 * Connections opened and overflows are the kernel's counters (TcpActiveOpens in
 * /proc/net/snmp, TcpExtListenOverflows in /proc/net/netstat), counted for the whole
 * machine around each run: run it with nothing else opening connections.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep } from '../src/core/clock';
import {
  defaultLagBoundMs,
  probeModules,
  runOpenModel,
  startServerProcess,
  startTrivialServer,
  sustained,
} from './traffic';

/** Answers after DELAY_MS on a SHARE of requests (0–1), from FROM_MS after its first request; at once otherwise. */
const delayingServer = `
  const delayMs = Number(process.env.DELAY_MS), share = Number(process.env.SHARE), fromMs = Number(process.env.FROM_MS);
  let first = 0;
  const server = require('node:http').createServer((req, res) => {
    req.resume();
    const at = performance.now();
    if (!first) first = at;
    if (at - first >= fromMs && Math.random() < share) setTimeout(() => res.end('ok'), delayMs);
    else res.end('ok');
  });
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
  process.stdin.on('end', () => process.exit(0)).resume();`;

interface FaultShape {
  label: string;
  rate: number;
  delayMs: number;
  share: number;
  fromMs: number;
}

const faultShapes: FaultShape[] = [
  { label: '500 ms on every request', rate: 1000, delayMs: 500, share: 1, fromMs: 1000 },
  { label: '1 s on half', rate: 2000, delayMs: 1000, share: 0.5, fromMs: 1000 },
  { label: '300 ms on 30 %', rate: 4000, delayMs: 300, share: 0.3, fromMs: 1000 },
  { label: '1 s on 10 % from the start', rate: 1000, delayMs: 1000, share: 0.1, fromMs: 0 },
  { label: '1 s on every request', rate: 2000, delayMs: 1000, share: 1, fromMs: 1000 },
];

const stepRates = [32_000, 48_000, 52_000, 56_000, 60_000];

/** The kernel's counters by `Group:Name` (Tcp:ActiveOpens, TcpExt:ListenOverflows, …). */
function kernelCounters(): Map<string, number> {
  const counters = new Map<string, number>();
  for (const file of ['/proc/net/snmp', '/proc/net/netstat']) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    for (let index = 0; index + 1 < lines.length; index += 2) {
      const names = lines[index].split(' ');
      const values = lines[index + 1].split(' ');
      for (let column = 1; column < names.length; column++)
        counters.set(`${names[0]}${names[column]}`, Number(values[column]));
    }
  }
  return counters;
}

function counted(before: Map<string, number>, after: Map<string, number>, name: string): number {
  return (after.get(name) ?? 0) - (before.get(name) ?? 0);
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  for (const arg of args)
    if (arg !== '--no-faults' && arg !== '--no-steps') {
      process.stderr.write(`bench/opening.ts: unknown option ${arg} (valid: --no-faults, --no-steps)\n`);
      process.exit(2);
    }
  const root = path.resolve(__dirname, '..', 'dist');
  if (!fs.existsSync(path.join(root, 'probes', 'traffic-client.js'))) {
    process.stderr.write(`bench/opening.ts: ${root} has no build; run \`npm run build\` first\n`);
    process.exit(2);
  }
  const modules = probeModules(root);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`bench:opening on ${os.cpus().length} cores, ${new Date().toISOString()}; load average ${os.loadavg()[0]}`);

  if (!args.has('--no-steps')) {
    out('\n| step (req/s) | held | send-lag p99 / latency p99 (ms) | errors | connections opened | overflows |');
    out('|---|---|---|---|---|---|');
    const server = await startTrivialServer();
    try {
      // Warmed as bench:traffic's search warms it before these rates: a cold server collapses at 32,000 either way.
      for (let rate = 1000; rate <= 16_000; rate *= 2)
        await runOpenModel(modules, server.url, { rate, durationMs: 2000 });
      for (const rate of stepRates) {
        const before = kernelCounters();
        const report = await runOpenModel(modules, server.url, { rate, durationMs: 5000, warmupMs: 1000 });
        const after = kernelCounters();
        out(
          `| ${rate.toLocaleString('en-US')} | ${sustained(report, defaultLagBoundMs) ? 'held' : 'missed'} | ` +
            `${report.sendLagMs.p99} / ${report.latencyMs.p99} | ${report.errors} | ` +
            `${counted(before, after, 'Tcp:ActiveOpens')} | ${counted(before, after, 'TcpExt:ListenOverflows')} |`,
        );
        await sleep(2000);
      }
    } finally {
      await server.close();
    }
  }
  if (!args.has('--no-faults')) {
    out('\n| fault, rate | send-lag p99 / max (ms) | achieved | errors | connections opened |');
    out('|---|---|---|---|---|');
    for (const shape of faultShapes) {
      const env = {
        ...process.env,
        DELAY_MS: String(shape.delayMs),
        SHARE: String(shape.share),
        FROM_MS: String(shape.fromMs),
      };
      const server = await startServerProcess(delayingServer, env);
      try {
        const before = kernelCounters();
        const report = await runOpenModel(modules, server.url, { rate: shape.rate, durationMs: 4000 });
        const opened = counted(before, kernelCounters(), 'Tcp:ActiveOpens');
        out(
          `| ${shape.label}, ${shape.rate.toLocaleString('en-US')} req/s | ${report.sendLagMs.p99} / ` +
            `${report.sendLagMs.max} | ${(report.achievedRatio * 100).toFixed(2)} % | ${report.errors} | ${opened} |`,
        );
      } finally {
        await server.close();
      }
    }
  }
}

main().catch((error) => {
  process.stderr.write(`bench/opening.ts: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
