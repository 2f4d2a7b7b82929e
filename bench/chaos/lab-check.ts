import fs from 'node:fs';
import { StopExperimentCommand } from '@aws-sdk/client-fis';
import { activeManagedExperiments } from '../../src/aws/fis/experiment';
import { AwsClients } from '../../src/aws/clients';
import { labLockFile } from '../../src/targets/lock';
import type { LabStatus } from '../../src/lab/lab';

/**
 * Is the lab as the drill found it? The starting topology (the same writer and standbys,
 * the databases agreeing, nothing fenced, DNS answering as before), health checks Healthy
 * and not inverted, no toxic, no FIS experiment running, the run lock released. Anything
 * else is what the interrupted run left behind, however easily a reset would clear it.
 */

export type LabStatusOf = () => Promise<LabStatus>;

/** What the lab looked like before the first drill: what every drill must leave. */
export interface Baseline {
  roles: Record<string, { role: string; actualRole: string | null }>;
  dns: Record<string, string[]>;
}

export function baselineOf(status: LabStatus): Baseline {
  const problems = [...topologyProblems(status, null), ...downProblems(status), ...healthProblems(status)];
  if (problems.length > 0) throw new Error(`the lab is not healthy before the first drill: ${problems.join('; ')}`);
  return {
    roles: Object.fromEntries(
      status.regions.map((region) => [region.name, { role: region.role, actualRole: region.database.actualRole }]),
    ),
    dns: Object.fromEntries(status.dns.answers.map((answer) => [answer.name, answer.values])),
  };
}

/**
 * Everything that differs from the baseline, after waiting (up to `settleMs`) for what
 * heals by itself — a health check flips back only after its threshold of successes, a
 * rebuilt standby needs a moment to stream, DNS follows the checks. What nothing heals (a
 * toxic, a lock, the wrong writer, a database down) is not waited for beyond a short grace,
 * for an action the lab was still finishing. Empty: healthy.
 */
export async function whatRemains(
  statusOf: LabStatusOf,
  labDir: string,
  controlUrl: string,
  baseline: Baseline,
  settleMs = 45_000,
): Promise<string[]> {
  const started = Date.now();
  for (;;) {
    const status = await statusOf();
    const lasting = [
      ...leftovers(status, labDir),
      ...(await runningExperiments(status, controlUrl)).map(
        (experiment) => `FIS experiment ${experiment.id} (${experiment.fault}) still ${experiment.status}`,
      ),
      ...topologyProblems(status, baseline),
      ...downProblems(status),
    ];
    const healing = [...healthProblems(status), ...dnsProblems(status, baseline)];
    const waited = Date.now() - started;
    if (lasting.length + healing.length === 0) return [];
    if (waited > settleMs || (lasting.length > 0 && waited > 3_000)) return [...lasting, ...healing];
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * The harness's repair, so the next drill starts clean: stop gameday's FIS experiments still
 * running, remove a lock its dead run left, `gameday lab reset` (topology, data, toxics,
 * health checks). What it did, for the drill's line.
 */
export async function repair(
  statusOf: LabStatusOf,
  labDir: string,
  controlUrl: string,
  reset: () => Promise<{ code: number | null; stderr: string }>,
): Promise<string[]> {
  const done: string[] = [];
  const status = await statusOf();
  const clients = new AwsClients({ endpoint: controlUrl, labCredentials: true });
  try {
    for (const region of status.regions) {
      for (const experiment of await activeManagedExperiments(clients.fis(region.name))) {
        await clients.fis(region.name).send(new StopExperimentCommand({ id: experiment.id }));
        done.push(`stopped FIS experiment ${experiment.id}`);
      }
    }
  } finally {
    clients.destroy();
  }
  if (fs.existsSync(labLockFile(labDir))) {
    fs.rmSync(labLockFile(labDir));
    done.push('removed the run lock');
  }
  const result = await reset();
  if (result.code !== 0) throw new Error(`gameday lab reset failed (exit ${result.code}): ${result.stderr.trim()}`);
  done.push('lab reset');
  return done;
}

function leftovers(status: LabStatus, labDir: string): string[] {
  const left: string[] = [];
  const toxic = status.regions.flatMap((region) => region.proxies).filter((proxy) => proxy.toxics.length > 0);
  // A fault's toxics come in pairs (upstream, downstream) on every proxy it cuts: said once, by name.
  const toxics = new Set(
    toxic.flatMap((proxy) => proxy.toxics.map((name) => name.replace(/-(up|down)stream:.*$/, ''))),
  );
  if (toxic.length > 0) left.push(`toxics ${[...toxics].join(', ')} on ${toxic.map((proxy) => proxy.name).join(', ')}`);
  for (const region of status.regions) {
    for (const proxy of region.proxies) if (!proxy.enabled) left.push(`${region.name} proxy ${proxy.name} is down`);
    if (region.healthCheck?.inverted) left.push(`${region.name} health check inverted`);
    if (region.healthCheck?.disabled) left.push(`${region.name} health check disabled`);
  }
  if (fs.existsSync(labLockFile(labDir))) left.push('run lock left behind');
  return left;
}

async function runningExperiments(status: LabStatus, controlUrl: string) {
  const clients = new AwsClients({ endpoint: controlUrl, labCredentials: true });
  try {
    const found = [];
    for (const region of status.regions) found.push(...(await activeManagedExperiments(clients.fis(region.name))));
    return found;
  } finally {
    clients.destroy();
  }
}

/** Roles as the lab and the databases themselves say; against the baseline, or (null) self-consistent. */
function topologyProblems(status: LabStatus, baseline: Baseline | null): string[] {
  const problems: string[] = [];
  for (const region of status.regions) {
    const before = baseline?.roles[region.name];
    if (before && region.role !== before.role) problems.push(`${region.name} is ${region.role} (was ${before.role})`);
    if (region.database.running && region.database.actualRole !== region.role)
      problems.push(`${region.name} database says ${region.database.actualRole}, the lab says ${region.role}`);
    if (region.database.demoted) problems.push(`${region.name} database fenced (demoted)`);
  }
  const primaries = status.regions.filter((region) => region.role === 'primary');
  if (primaries.length !== 1) problems.push(`${primaries.length} primaries`);
  return problems;
}

function downProblems(status: LabStatus): string[] {
  const problems: string[] = [];
  for (const region of status.regions) {
    if (!region.database.running) problems.push(`${region.name} database down`);
    if (!region.app.running) problems.push(`${region.name} app down`);
  }
  return problems;
}

function healthProblems(status: LabStatus): string[] {
  const problems: string[] = [];
  for (const region of status.regions) {
    if (!region.healthCheck) problems.push(`${region.name} has no health check`);
    else if (region.healthCheck.status.toLowerCase() !== 'healthy')
      problems.push(`${region.name} health check ${region.healthCheck.status}`);
    const replication = region.replication as {
      receiverStatus?: string;
      standbys?: Array<{ state: string }>;
    } | null;
    if (region.role === 'standby' && replication?.receiverStatus !== 'streaming')
      problems.push(`${region.name} replication ${replication?.receiverStatus ?? 'unknown'}`);
    const streaming = (replication?.standbys ?? []).filter((standby) => standby.state === 'streaming').length;
    if (region.role === 'primary' && streaming < status.regions.length - 1)
      problems.push(`${region.name} has ${streaming} standbys streaming`);
  }
  return problems;
}

function dnsProblems(status: LabStatus, baseline: Baseline): string[] {
  return status.dns.answers
    .filter((answer) => JSON.stringify(answer.values) !== JSON.stringify(baseline.dns[answer.name] ?? []))
    .map((answer) => `DNS ${answer.name} answers ${answer.values.map(lastField).join(', ') || 'nothing'}`);
}

const lastField = (record: string) => record.split('\t').at(-1) ?? record;
