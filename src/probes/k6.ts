import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { now } from '../core/clock';
import { duration, name } from '../core/fields';
import { K6NotFoundError, locateK6 } from './k6-binary';
import { K6Fold } from './k6-fold';
import { K6Process } from './k6-process';
import { K6Run, type K6Files } from './k6-run';
import { TrafficRecorder } from './recorder';
import type { HttpOutcomes, JourneyOutcomes, ProbeKind, ProbeSummary } from './types';

/** How long a k6 that has written nothing yet is watched for an early exit (a script it refuses) before faults. */
const startGraceMs = 5_000;

/** What gameday passes k6 itself, so refused among a probe's own `args` (more `--out`s are fine: k6 takes several). */
const ownedFlags = ['--summary-export'];

const wholeNumber = (what: string) => {
  const error = `expected a number of ${what}, a whole number > 0`;
  return z.number({ error }).int({ error }).positive({ error });
};

/** The user's load script, run by the real `k6` binary for the whole observation. */
export const k6ProbeSchema = z.strictObject({
  kind: z.literal('k6'),
  name: name.default('k6'),
  /** The k6 script, relative to the experiment file. */
  script: z.string({ error: 'expected the path of a k6 script, relative to the experiment file' }).min(1, {
    error: 'expected the path of a k6 script, relative to the experiment file',
  }),
  /** Environment for the script (`__ENV.NAME`); gameday's own environment is not passed, apart from PATH and K6_*. */
  env: z.record(z.string(), z.string()).default({}),
  /** `--vus`, `--duration`, `--iterations`: they override the script's own options (and its scenarios). */
  vus: wholeNumber('virtual users').optional(),
  duration: duration({ max: '24h' }).optional(),
  iterations: wholeNumber('iterations').optional(),
  /** Further `k6 run` flags, e.g. ['--tag', 'team=payments']. */
  args: z.array(z.string()).default([]),
  /** The tag whose value is the region a request went to (`tags: { region: 'eu-west-1' }` in the script). */
  regionTag: z.string().min(1).default('region'),
  /** How long k6 gets after gameday's SIGINT to finish its iterations and write its summary before it is killed. */
  stopTimeout: duration({ max: '5m' }).prefault('30s'),
});

export type K6Probe = z.output<typeof k6ProbeSchema>;
export type K6ProbeConfig = z.input<typeof k6ProbeSchema>;

/** How an endpoint reaches the script: `GAMEDAY_ENDPOINT_<NAME>`, the name upper-cased, anything else `_`. */
export function endpointVariable(endpoint: string): string {
  return `GAMEDAY_ENDPOINT_${endpoint.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** `k6 run` as gameday invokes it. */
export function k6RunArgs(
  probe: K6Probe,
  context: { endpoints: Record<string, string>; runId: string; files: K6Files },
): string[] {
  const args = ['run', `--out=json=${context.files.points}`, `--summary-export=${context.files.summaryExport}`];
  for (const [endpoint, url] of Object.entries(context.endpoints))
    args.push('-e', `${endpointVariable(endpoint)}=${url}`);
  args.push('-e', `GAMEDAY_RUN_ID=${context.runId}`);
  if (probe.vus !== undefined) args.push(`--vus=${probe.vus}`);
  if (probe.duration !== undefined) args.push(`--duration=${probe.duration}ms`);
  if (probe.iterations !== undefined) args.push(`--iterations=${probe.iterations}`);
  return [...args, ...probe.args, probe.script];
}

/**
 * What of gameday's environment k6 gets: what a process needs to run and reach the network
 * (PATH, HOME, locale, proxies, CA bundles) and k6's own K6_* settings — not the cloud or
 * chat credentials gameday itself holds, which would otherwise sit in the script's __ENV.
 */
export function k6Environment(own: NodeJS.ProcessEnv, probeEnv: Record<string, string>): NodeJS.ProcessEnv {
  const passed = /^(PATH|HOME|USER|TMPDIR|TZ|LANG|LC_[A-Z]+|SSL_CERT_FILE|SSL_CERT_DIR|(HTTPS?|NO)_PROXY|K6_.+)$/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(own)) if (passed.test(key) && key !== 'K6_BIN') env[key] = value;
  return { ...env, ...probeEnv };
}

/**
 * A k6 probe: the user's k6 script, run by the k6 binary with the target's endpoints as
 * variables, its `--out json` read live into samples like the traffic's (RTO, SLOs,
 * latency, per scenario, request name and check), stopped at the end of the observation.
 */
export const k6Probe: ProbeKind<
  typeof k6ProbeSchema,
  { summary: ProbeSummary; outcomes: HttpOutcomes; journeys: JourneyOutcomes[] }
> = {
  schema: k6ProbeSchema,
  label: 'k6 probe',
  // With the http probes: it measures the steady state's time too.
  startOrder: 0,

  validate(probe, context, report) {
    probe.args.forEach((arg, index) => {
      const flag = arg.split('=')[0];
      if (ownedFlags.includes(flag))
        report(
          ['args', index],
          `gameday passes ${flag} itself (it reads the thresholds from it); for a summary of your own, ` +
            'give the script a handleSummary()',
        );
    });
    const variables = new Map<string, string>();
    for (const endpoint of context.endpointNames) {
      const variable = endpointVariable(endpoint);
      const other = variables.get(variable);
      if (other !== undefined)
        report([], `endpoints ${JSON.stringify(other)} and ${JSON.stringify(endpoint)} would both be ${variable}`);
      variables.set(variable, endpoint);
    }
  },

  resolveFiles(probe, experimentDir, report) {
    const script = path.resolve(experimentDir, probe.script);
    let isFile = false;
    try {
      isFile = fs.statSync(script).isFile();
    } catch {
      // Said below.
    }
    if (!isFile) report(['script'], `no such file: ${script} (a k6 script, relative to the experiment file)`);
    return { ...probe, script };
  },

  async prerequisites() {
    try {
      const k6 = await locateK6();
      return [{ check: 'k6', ok: true, detail: `${k6.version} (${k6.path})` }];
    } catch (error) {
      if (!(error instanceof K6NotFoundError)) throw error;
      return [{ check: 'k6', ok: false, detail: error.message }];
    }
  },

  // Its scenarios, request names and checks are known once k6 runs: `<probe>.<scenario>` and the like (k6-fold.ts).
  journeys: (probe) => ({ names: [probe.name], prefix: `${probe.name}.` }),

  plan: (probe, endpoints) =>
    `start k6 probe ${probe.name} (k6: K6_BIN or on PATH, asked \`k6 version\` before the target is opened): ` +
    `k6 run ${probe.script}${shape(probe)} with ` +
    `${Object.keys(endpoints).map(endpointVariable).join(', ') || 'no endpoints'}; stopped with SIGINT at the end ` +
    `of the observation (k6 gets ${probe.stopTimeout} ms to write its summary)`,

  async start(probe, context) {
    const k6 = await locateK6();
    const dir = path.join(context.runDir, 'k6', probe.name);
    fs.mkdirSync(dir, { recursive: true });
    const files: K6Files = {
      points: path.join(dir, 'points.json'),
      summaryExport: path.join(dir, 'summary-export.json'),
      log: path.join(dir, 'k6.log'),
    };
    const args = k6RunArgs(probe, { endpoints: context.session.endpoints, runId: context.runId, files });
    const recorder = new TrafficRecorder(context.journal, probe.name, context.latencyThresholds, {
      journalRows: false,
    });
    context.journal.append({ type: 'probe.started', probe: probe.name, kind: probe.kind, url: probe.script, rate: 0 });
    const clockOffset = now() - Date.now();
    const k6Process = K6Process.start({
      binary: k6.path,
      args,
      env: k6Environment(process.env, probe.env),
      cwd: path.dirname(probe.script),
      logFile: files.log,
      graceMs: probe.stopTimeout,
    });
    const relative = (file: string) => path.relative(context.runDir, file);
    context.journal.append({
      type: 'k6.started',
      probe: probe.name,
      pid: k6Process.pid,
      command: [k6.path, ...args],
      version: k6.version,
      files: { points: relative(files.points), summaryExport: relative(files.summaryExport), log: relative(files.log) },
    });
    const run = new K6Run(probe, context.journal, recorder, k6Process, files, clockOffset);
    await run.running(startGraceMs);
    return {
      name: probe.name,
      kind: probe.kind,
      recorder,
      endObservation: () => run.finish(),
      async stop() {
        await run.finish();
        recorder.close();
        context.journal.append({
          type: 'probe.stopped',
          probe: probe.name,
          requests: recorder.requests,
          errors: recorder.errors,
        });
      },
    };
  },

  summarize: (started, context) => new K6Fold(started, context),
};

function shape(probe: K6Probe): string {
  const parts: string[] = [];
  if (probe.vus !== undefined) parts.push(`${probe.vus} VUs`);
  if (probe.duration !== undefined) parts.push(`for ${probe.duration} ms`);
  if (probe.iterations !== undefined) parts.push(`${probe.iterations} iterations`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}
