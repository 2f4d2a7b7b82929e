import type { LookupFunction } from 'node:net';
import { errorMessage } from '../../core/errors';
import type { Journal } from '../../core/journal';
import type { Experiment } from '../../experiment/validate';
import { judgeFailbackTopology } from '../../failover/failback';
import { strategyRunbook } from '../../failover/strategies';
import { readTopology, startingTopology, type TopologyCheck } from '../../failover/topology';
import { probeKindOf } from '../../probes';
import { exchange } from '../../probes/exchange';
import { probeUrl } from '../../probes/url';
import { openTarget, type TargetSession } from '../../targets';
import { AwsTargetBusyError, describeHolder, LockHeldError } from '../../targets/lock';
import { haltedMessage, type HaltReading } from '../halt';

/**
 * Opens the experiment's target for this run, journaling what opening does; a target
 * that cannot be opened (busy, unreachable account, a lab that does not start) is the
 * reason the run ends with nothing injected.
 */
export async function openSession(
  experiment: Experiment,
  journal: Journal,
  lock: { runId: string; runDir: string },
): Promise<TargetSession | string> {
  let session: TargetSession;
  try {
    session = await openTarget(experiment.target, { ...lock, experiment: experiment.name }, (message) =>
      journal.append({ type: 'preflight.check', check: 'target', ok: true, detail: message }),
    );
  } catch (error) {
    if (error instanceof LockHeldError || error instanceof AwsTargetBusyError) {
      journal.append({ type: 'preflight.check', check: 'lock', ok: false, detail: error.message });
      return `target busy: ${error.message}`;
    }
    journal.append({ type: 'preflight.check', check: 'target', ok: false, detail: errorMessage(error) });
    return `target ${experiment.target.kind} could not be opened: ${errorMessage(error)}; nothing was injected`;
  }
  const tookOver = session.lock?.tookOver;
  if (tookOver) {
    journal.append({
      type: 'preflight.check',
      check: 'lock',
      ok: true,
      detail:
        `took over the stale lock ${session.lock!.file} of ${describeHolder(tookOver)}: that ` +
        `process is gone (run \`gameday recover ${tookOver.runDir}\` if it left faults behind)`,
    });
  }
  return session;
}

/**
 * Every endpoint answers HTTP at all (any status), and so do the traffic and any probe
 * that must be reached before it starts. Faults are pointless against a target that is
 * already down. Null when everything answered.
 */
export async function checkReachable(
  experiment: Experiment,
  session: TargetSession,
  journal: Journal,
  lookup: LookupFunction | undefined,
): Promise<string | null> {
  const urls = new Map<string, string>(Object.entries(session.endpoints));
  urls.set(experiment.traffic.name, probeUrl(experiment.traffic, session.endpoints));
  // Further probes measure what they find; only one that needs its service up first (the write ledger) is reached here.
  for (const probe of experiment.probes) {
    const url = probeKindOf(probe)?.preflightUrl?.(probe, session.endpoints);
    if (url) urls.set(probe.name, url);
  }
  const failures: string[] = [];
  for (const name of session.coldEndpoints) {
    urls.delete(name);
    journal.append({
      type: 'preflight.check',
      check: `reach ${name}`,
      ok: true,
      detail: `${session.endpoints[name]}: not reached: it stands by cold, started by the runbook`,
    });
  }
  for (const [name, url] of urls) {
    const result = await reach(url, 5_000, lookup);
    journal.append({
      type: 'preflight.check',
      check: `reach ${name}`,
      ok: result.ok,
      detail: `${url}: ${result.detail}`,
    });
    if (!result.ok) failures.push(`${name} (${url}): ${result.detail}`);
  }
  return failures.length > 0 ? `target unreachable: ${failures.join('; ')}; nothing was injected` : null;
}

/** How long a topology just restored (a failback, a reverted fault) gets to settle before it is a mismatch. */
const topologySettleMs = 15_000;

/**
 * A runbook must start from the topology it fails over from (failover/topology.ts): a
 * target left failed over by an earlier run ends the run here, with nothing injected
 * and the fix said. Null when it matches, or when there is no runbook to run.
 */
export async function checkStartingTopology(
  experiment: Experiment,
  session: TargetSession,
  journal: Journal,
  regions: { from: string; to: string } | null,
  signal: AbortSignal,
): Promise<string | null> {
  const aws = session.aws;
  if (!experiment.failover || !regions || !aws) return null;
  return journalTopology(
    journal,
    () =>
      startingTopology(
        aws,
        { ...regions, file: experiment.file, standby: strategyRunbook(session.strategy).standby },
        { settleMs: topologySettleMs, signal },
      ),
    'nothing was injected',
  );
}

/** A failback needs the writer where the runbook sent it (`regions.from` of the failback). */
export async function checkFailbackTopology(
  session: TargetSession,
  journal: Journal,
  regions: { from: string; to: string },
): Promise<string | null> {
  const aws = session.aws;
  // A target without the AWS APIs cannot fail over at all; the runbook says so when it does not start.
  if (!aws) return null;
  return journalTopology(
    journal,
    async () => [judgeFailbackTopology(await readTopology(aws, regions), regions)],
    'nothing was changed',
  );
}

/** Journals every check as a preflight.check; the first mismatch, and its fix, is the reason the run ends. */
async function journalTopology(
  journal: Journal,
  read: () => Promise<TopologyCheck[]>,
  untouched: string,
): Promise<string | null> {
  let checks: TopologyCheck[];
  try {
    checks = await read();
  } catch (error) {
    journal.append({ type: 'preflight.check', check: 'topology', ok: false, detail: errorMessage(error) });
    return `preflight: the target's topology could not be read: ${errorMessage(error)}; ${untouched}`;
  }
  for (const { check, ok, detail, fix } of checks)
    journal.append({ type: 'preflight.check', check, ok, detail: fix ? `${detail}. Fix: ${fix}` : detail });
  const [first, ...others] = checks.filter((check) => !check.ok);
  if (!first) return null;
  const also = others.length > 0 ? ` (also: ${others.map((check) => check.check).join(', ')})` : '';
  return `preflight: ${first.detail}${also}; ${untouched}${first.fix ? `. Fix: ${first.fix}` : ''}`;
}

/** One request to see whether anything answers HTTP there (any status will do). */
function reach(url: string, timeoutMs: number, lookup?: LookupFunction): Promise<{ ok: boolean; detail: string }> {
  return exchange(url, { method: 'GET', agent: false, timeoutMs, lookup }).then(
    (answer) => ({ ok: true, detail: `HTTP ${answer.status}` }),
    (error: NodeJS.ErrnoException) => ({ ok: false, detail: error.code ?? error.message }),
  );
}

/**
 * What the probes need of this machine before anything is opened or injected (a browser
 * probe: a Chromium; a k6 probe: k6); each journaled. Null when everything is there.
 */
export async function checkProbePrerequisites(experiment: Experiment, journal: Journal): Promise<string | null> {
  const missing: string[] = [];
  for (const probe of [experiment.traffic, ...experiment.probes])
    for (const { check, ok, detail } of (await probeKindOf(probe)?.prerequisites?.(probe)) ?? []) {
      journal.append({ type: 'preflight.check', check, ok, detail });
      if (!ok) missing.push(`${probe.name}: ${detail}`);
    }
  return missing.length > 0 ? `preflight: ${missing.join('; ')}; nothing was injected` : null;
}

/**
 * The safety lever (engine/halt.ts): while it is pulled, every run — `run`, `gate`,
 * `failover`, a GameDay's — is refused here, before its target is opened. Null when
 * gameday is not halted.
 */
export function checkNotHalted(reading: HaltReading, file: string, journal: Journal): string | null {
  if (!reading.halted) {
    journal.append({ type: 'preflight.check', check: 'halt', ok: true, detail: `gameday is not halted (${file})` });
    return null;
  }
  const message = haltedMessage(reading);
  journal.append({ type: 'preflight.check', check: 'halt', ok: false, detail: message });
  return message;
}
