/**
 * What a drill's length costs: memory and time to re-render a long drill's reports, and
 * the memory of a live run.
 *
 *   npm run bench:long [-- --live] [-- --only 1h|24h|live] [-- --dir /tmp/gameday-bench-long]
 *   (= npm run build && node -r ts-node/register/transpile-only bench/long-drills.ts)
 *
 * 1. Re-render. Two synthetic journals with the shapes a real run writes
 *    (bench/synthetic-journal.ts): a 1 h drill at 500 req/s and a 24 h drill at 50 req/s.
 *    Each is re-rendered by `gameday report DIR --no-pdf` (dist/, as shipped) in a child
 *    process under `/usr/bin/time -v` (Debian's `time` package): wall time and peak RSS
 *    (its "Maximum resident set size"), with the journal's bytes and bytes per request.
 *    Targets: ≤ 15 s and ≤ 300 MB each.
 * 2. `--live`: a real drill, bench/live-drill.experiment.ts (10 minutes at 500 req/s on an
 *    ephemeral lab, a region outage and failover, failback), run by `gameday run`; the
 *    gameday process's RSS is read from /proc/<pid>/status every 2 s. Target ≤ 250 MB. The
 *    lab's own processes (its daemon, PostgreSQL) are not gameday's and are not counted. The
 *    curve is written to DIR/live-rss.tsv (seconds, MB).
 *
 * The machine is shared: `uptime`'s load is printed with the figures. Progress goes to
 * stderr; a table and one JSON line to stdout.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeSyntheticJournal, type SyntheticDrill } from './synthetic-journal';

const root = path.resolve(__dirname, '..');
const gameday = path.join(root, 'bin', 'gameday');
const timeBinary = '/usr/bin/time';

interface Args {
  live: boolean;
  only: string | null;
  dir: string;
}

const drills: Array<SyntheticDrill & { name: string }> = [
  { name: '1h', durationMs: 3_600_000, rate: 500 },
  { name: '24h', durationMs: 86_400_000, rate: 50 },
];

interface RerenderFigures {
  drill: string;
  rate: number;
  durationS: number;
  requests: number;
  journalBytes: number;
  bytesPerRequest: number;
  generateMs: number;
  wallMs: number;
  peakRssMb: number;
  exitCode: number | null;
}

interface LiveFigures {
  runDir: string;
  exitCode: number | null;
  wallMs: number;
  samples: number;
  peakRssMb: number;
  /** RSS a minute in, five and nine minutes in, and at its last sample: whether it grows with the drill. */
  rssAt1MinMb: number | null;
  rssAt5MinMb: number | null;
  rssAt9MinMb: number | null;
  lastRssMb: number | null;
  journalBytes: number;
  requests: number | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { live: false, only: null, dir: path.join(os.tmpdir(), 'gameday-bench-long') };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--live') args.live = true;
    else if (flag === '--only') args.only = argv[++i] ?? '';
    else if (flag === '--dir') args.dir = argv[++i] ?? '';
    else {
      process.stderr.write(
        `bench:long: unknown option ${flag}\nusage: bench/long-drills.ts [--live] [--only 1h|24h|live] [--dir DIR]\n`,
      );
      process.exit(2);
    }
  }
  if (args.only === 'live') args.live = true;
  else if (args.only !== null && !drills.some((drill) => drill.name === args.only)) {
    process.stderr.write(`bench:long: --only: expected one of ${drills.map((drill) => drill.name).join(', ')}, live\n`);
    process.exit(2);
  }
  return args;
}

const mb = (bytes: number) => Math.round((bytes / 1e6) * 10) / 10;

function run(command: string, args: string[]): Promise<{ code: number | null; stderr: string; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, wallMs: Math.round(performance.now() - started) }));
  });
}

async function rerender(drill: SyntheticDrill & { name: string }, dir: string): Promise<RerenderFigures> {
  const runDir = path.join(dir, drill.name);
  fs.rmSync(runDir, { recursive: true, force: true });
  process.stderr.write(`${drill.name}: writing the journal (${drill.rate} req/s for ${drill.durationMs / 1000} s)…\n`);
  const generated = performance.now();
  const { file, requests } = writeSyntheticJournal(runDir, drill);
  const generateMs = Math.round(performance.now() - generated);
  const journalBytes = fs.statSync(file).size;
  process.stderr.write(`${drill.name}: gameday report ${runDir} --no-pdf…\n`);
  const result = await run(timeBinary, ['-v', process.execPath, gameday, 'report', runDir, '--no-pdf']);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr);
  if (!rss) throw new Error(`${timeBinary} -v printed no maximum resident set size:\n${result.stderr}`);
  if (result.code !== 0) process.stderr.write(result.stderr);
  return {
    drill: drill.name,
    rate: drill.rate,
    durationS: drill.durationMs / 1000,
    requests,
    journalBytes,
    bytesPerRequest: Math.round((journalBytes / requests) * 10) / 10,
    generateMs,
    wallMs: result.wallMs,
    peakRssMb: mb(Number(rss[1]) * 1024),
    exitCode: result.code,
  };
}

/** The resident set of a process from /proc, bytes; null once it is gone. */
function rssOf(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function live(dir: string): Promise<LiveFigures> {
  const runDir = path.join(dir, 'live');
  fs.rmSync(runDir, { recursive: true, force: true });
  const experiment = path.join(root, 'bench', 'live-drill.experiment.ts');
  process.stderr.write(`live: gameday run ${path.relative(root, experiment)} (10 minutes at 500 req/s)…\n`);
  const started = performance.now();
  const child = spawn(process.execPath, [gameday, 'run', experiment, '--no-pdf', '--no-notify', '--out', runDir], {
    stdio: ['ignore', 'ignore', 'inherit'],
    cwd: root,
  });
  const samples: Array<{ atMs: number; rss: number }> = [];
  const sampler = setInterval(() => {
    const rss = child.pid === undefined ? null : rssOf(child.pid);
    if (rss !== null) samples.push({ atMs: performance.now() - started, rss });
  }, 2_000);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  clearInterval(sampler);
  // The curve, to see what grows: seconds since the start and MB, one line each.
  fs.writeFileSync(
    path.join(dir, 'live-rss.tsv'),
    samples.map((sample) => `${(sample.atMs / 1000).toFixed(0)}\t${mb(sample.rss)}`).join('\n') + '\n',
  );
  const journal = path.join(runDir, 'journal.ndjson');
  let requests: number | null = null;
  try {
    const summary = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as {
      traffic: { requests: number };
    };
    requests = summary.traffic.requests;
  } catch {
    // No summary: the run failed before writing one; its exit code says so.
  }
  const at = (minutes: number) => {
    const sample = samples.find((candidate) => candidate.atMs >= minutes * 60_000);
    return sample ? mb(sample.rss) : null;
  };
  return {
    runDir,
    exitCode,
    wallMs: Math.round(performance.now() - started),
    samples: samples.length,
    peakRssMb: mb(Math.max(0, ...samples.map((sample) => sample.rss))),
    rssAt1MinMb: at(1),
    rssAt5MinMb: at(5),
    rssAt9MinMb: at(9),
    lastRssMb: samples.length > 0 ? mb(samples[samples.length - 1].rss) : null,
    journalBytes: fs.existsSync(journal) ? fs.statSync(journal).size : 0,
    requests,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
    process.stderr.write('bench:long: dist/ is not built (npm run bench:long builds it first)\n');
    process.exit(2);
  }
  if (!fs.existsSync(timeBinary)) {
    process.stderr.write(`bench:long: ${timeBinary} not found (Debian package: time)\n`);
    process.exit(2);
  }
  fs.mkdirSync(args.dir, { recursive: true });
  const loadBefore = os.loadavg();
  const rerenders: RerenderFigures[] = [];
  for (const drill of drills)
    if (args.only === null || args.only === drill.name) rerenders.push(await rerender(drill, args.dir));
  const liveFigures = args.live ? await live(args.dir) : null;
  const loadAfter = os.loadavg();

  const out: string[] = [];
  out.push(`bench:long on ${os.cpus().length} cores, ${new Date().toISOString()}`);
  const load = (averages: number[]) => averages.map((average) => average.toFixed(2)).join(' ');
  out.push(`load average before ${load(loadBefore)}, after ${load(loadAfter)}`);
  out.push('');
  const columns = (cells: Array<string | number>, widths: number[]) =>
    cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join(' ');
  const widths = [6, 5, 10, 11, 10, 14, 12, 5];
  out.push(
    columns(['drill', 'rate', 'requests', 'journal MB', 'bytes/req', 'report wall s', 'peak RSS MB', 'exit'], widths),
  );
  for (const r of rerenders)
    out.push(
      columns(
        [
          r.drill,
          r.rate,
          r.requests,
          mb(r.journalBytes).toFixed(1),
          r.bytesPerRequest.toFixed(1),
          (r.wallMs / 1000).toFixed(1),
          r.peakRssMb.toFixed(1),
          String(r.exitCode),
        ],
        widths,
      ),
    );
  if (liveFigures) {
    out.push('');
    out.push(
      `live 10 min at 500 req/s: peak RSS ${liveFigures.peakRssMb} MB (at 1, 5 and 9 min ${liveFigures.rssAt1MinMb}, ` +
        `${liveFigures.rssAt5MinMb} and ${liveFigures.rssAt9MinMb} MB, ` +
        `last ${liveFigures.lastRssMb} MB; ${liveFigures.samples} samples every 2 s), ` +
        `${liveFigures.requests} requests, ` +
        `journal ${mb(liveFigures.journalBytes)} MB, exit ${liveFigures.exitCode}, ` +
        `${(liveFigures.wallMs / 1000).toFixed(0)} s`,
    );
  }
  out.push('');
  out.push(JSON.stringify({ cores: os.cpus().length, loadBefore, loadAfter, rerenders, live: liveFigures }));
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:long: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
