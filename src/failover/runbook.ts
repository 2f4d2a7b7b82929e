import { errorMessage } from '../core/errors';
import { DescribeDBInstancesCommand, type RDSClient } from '@aws-sdk/client-rds';
import { describeGlobalCluster, isSettledWriter, RdsError, requestWriterMove, writerArn } from '../aws/rds';
import { GetHealthCheckCommand, GetHealthCheckStatusCommand } from '@aws-sdk/client-route-53';
import type { LookupFunction } from 'node:net';
import { describeAwsError } from '../aws/clients';
import type { AwsModel, ResourceSelector } from '../aws/model';
import { now, sleep } from '../core/clock';
import type { RollbackRecord } from '../core/events';
import type { Journal } from '../core/journal';
import type { TargetSession } from '../targets';
import { trafficShiftOf, type FailoverSpec } from './spec';
import type { RunbookMarks } from '../measure/phases';
import type { TrafficRecorder } from '../probes/recorder';
import { errorRatioAbove } from '../probes/recorder';
import { setHealthCheckInverted } from '../aws/route53';
import { hookName, runHook } from './hooks';
import { exchange } from '../probes/exchange';

export interface RunbookContext {
  spec: FailoverSpec;
  from: string;
  to: string;
  target: TargetSession;
  journal: Journal;
  recorder: TrafficRecorder | null;
  signal: AbortSignal;
  /** Manual mode: asks the operator; resolves true to go ahead. */
  approve: (question: string) => Promise<boolean>;
  /** Registers (and journals) the undo of a change the runbook makes, before it makes it. */
  registerChange: (name: string, rollback: RollbackRecord) => void;
  /** Operator-initiated (`gameday failover`): nothing to detect. */
  skipDetection?: boolean;
  /** Filled in as the runbook goes, for the engine deciding how long to wait for it. */
  progress?: { detected: boolean };
  /** What verify asks, as a new client would: the traffic URL and the target's name lookup. */
  verifyProbe: { url: string; method: string; headers: Record<string, string>; body?: string; lookup?: LookupFunction } | null;
}

export interface RunbookResult {
  ok: boolean;
  reason: string;
  marks: RunbookMarks;
  promotionMs: number | null;
}

class StepFailed extends Error {}

const pollMs = 200;

/**
 * The failover runbook: detect → decide → fence → promote → shift traffic → warm →
 * verify → notify, each step timed in the journal. It acts through the same AWS APIs as
 * the faults (Route 53 health-check status, RDS global-cluster failover), so it runs
 * against the lab and a real account alike. A failing step stops the runbook with a
 * clear journal entry.
 */
export async function runFailover(ctx: RunbookContext): Promise<RunbookResult> {
  const marks: RunbookMarks = { detectedAt: null, decidedAt: null, fencedAt: null, promotedAt: null, shiftedAt: null };
  let promotionMs: number | null = null;
  const aws = ctx.target.aws;
  const finish = (ok: boolean, reason: string): RunbookResult => {
    ctx.journal.append({ type: 'failover.completed', from: ctx.from, to: ctx.to, ok, reason });
    return { ok, reason, marks, promotionMs };
  };
  if (!aws) return finish(false, 'the target has no AWS model to fail over with');

  const custom = async (after: string) => {
    for (const [index, hook] of ctx.spec.steps.entries()) {
      if (hook.after !== after) continue;
      const name = hookName(hook, index, 'step');
      await step(ctx, name, async () => ({ at: now(), detail: await runHook(hook, ctx.target.env, { from: ctx.from, to: ctx.to, step: name }) }));
    }
  };
  try {
    marks.detectedAt = await step(ctx, 'detect', () => detect(ctx, aws.model));
    if (ctx.progress) ctx.progress.detected = true;
    await custom('detect');
    marks.decidedAt = await step(ctx, 'decide', () => decide(ctx));
    await custom('decide');
    const moved = await moveWriter(ctx, aws.model);
    marks.fencedAt = moved.fencedAt;
    marks.promotedAt = moved.promotedAt;
    promotionMs = Math.round(moved.promotedAt - moved.fencedAt);
    await custom('fence');
    await custom('promote');
    marks.shiftedAt = await step(ctx, 'shift-traffic', () => shiftTraffic(ctx, aws.model));
    await custom('shift-traffic');
    for (const [index, hook] of ctx.spec.warm.entries()) {
      const name = `warm: ${hookName(hook, index)}`;
      await step(ctx, name, async () => ({ at: now(), detail: await runHook(hook, ctx.target.env, { from: ctx.from, to: ctx.to, step: name }) }));
    }
    await custom('warm');
    await step(ctx, 'verify', () => verify(ctx));
    await custom('verify');
    await step(ctx, 'notify', async () => ({ at: now(), detail: { from: ctx.from, to: ctx.to } }));
    return finish(true, `${ctx.to} serves clients and holds the writer`);
  } catch (error) {
    return finish(false, error instanceof StepFailed ? error.message : `failover: ${(error as Error).message}`);
  }
}

/** Runs one step with started/succeeded/failed journal entries; returns when its effect happened. */
async function step(ctx: RunbookContext, name: string, work: () => Promise<{ at: number; detail?: Record<string, unknown> }>): Promise<number> {
  ctx.journal.append({ type: 'failover.step', step: name, status: 'started', at: now() });
  try {
    const { at, detail } = await work();
    ctx.journal.append({ type: 'failover.step', step: name, status: 'succeeded', at, detail });
    return at;
  } catch (error) {
    const message = errorMessage(error);
    ctx.journal.append({ type: 'failover.step', step: name, status: 'failed', at: now(), error: message });
    throw new StepFailed(`failover step ${name} failed: ${message}`);
  }
}

// ------------------------------------------------------------------ detect

/**
 * Route 53 semantics: a check is unhealthy after `FailureThreshold` consecutive failed
 * observations. Each poll reads the checkers' latest reports (GetHealthCheckStatus);
 * a new round of reports counts as one observation, failed when most checkers failed.
 */
async function detect(ctx: RunbookContext, model: AwsModel): Promise<{ at: number; detail: Record<string, unknown> }> {
  if (ctx.skipDetection) return { at: now(), detail: { signal: 'operator-initiated' } };
  const { detect: spec } = ctx.spec;
  const healthCheckId = spec.healthCheck ? model.healthChecks[ctx.from] : undefined;
  if (!healthCheckId && !spec.errorRatio) throw new Error(`nothing to detect with: no health check for ${ctx.from} and no detect.errorRatio`);
  const route53 = ctx.target.aws!.clients.route53();
  let threshold = 3;
  if (healthCheckId) {
    const { HealthCheck } = await route53.send(new GetHealthCheckCommand({ HealthCheckId: healthCheckId }));
    threshold = HealthCheck?.HealthCheckConfig?.FailureThreshold ?? 3;
  }
  let lastRound = 0;
  let consecutiveFailures = 0;
  const deadline = now() + spec.timeout;
  while (!ctx.signal.aborted) {
    if (healthCheckId) {
      try {
        const { HealthCheckObservations = [] } = await route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: healthCheckId }));
        const round = Math.max(0, ...HealthCheckObservations.map((o) => o.StatusReport?.CheckedTime?.getTime() ?? 0));
        if (round > lastRound) {
          lastRound = round;
          const failed = HealthCheckObservations.filter((o) => o.StatusReport?.Status?.startsWith('Failure')).length;
          consecutiveFailures = failed * 2 > HealthCheckObservations.length ? consecutiveFailures + 1 : 0;
          if (consecutiveFailures >= threshold) {
            return { at: now(), detail: { signal: 'route53-health-check', healthCheckId, failureThreshold: threshold, lastReport: HealthCheckObservations[0]?.StatusReport?.Status } };
          }
        }
      } catch (error) {
        throw new Error(`Route 53 GetHealthCheckStatus ${healthCheckId}: ${describeAwsError(error)}`);
      }
    }
    if (spec.errorRatio && ctx.recorder) {
      const current = now();
      const breach = errorRatioAbove(ctx.recorder, spec.errorRatio.window, spec.errorRatio.above, current);
      if (breach) return { at: current, detail: { signal: 'error-ratio', errorRatio: Math.round(breach.errorRatio * 1000) / 1000, window: spec.errorRatio.window } };
    }
    if (now() > deadline) throw new Error(`no failure of ${ctx.from} detected within ${spec.timeout} ms`);
    await sleep(pollMs, ctx.signal);
  }
  throw new Error('the run ended before a failure was detected');
}

async function decide(ctx: RunbookContext): Promise<{ at: number; detail: Record<string, unknown> }> {
  if (ctx.spec.mode === 'automatic') return { at: now(), detail: { mode: 'automatic' } };
  const approved = await ctx.approve(`Fail over from ${ctx.from} to ${ctx.to} (${ctx.spec.kind})?`);
  if (!approved) throw new Error('not approved (manual mode: answer the prompt, or pass --approve)');
  return { at: now(), detail: { mode: 'manual', approved: true } };
}

// ------------------------------------------------------------------ fence + promote

function firstArn(selector: ResourceSelector | undefined): string | undefined {
  return selector && 'arns' in selector ? selector.arns[0] : undefined;
}

/**
 * Moves the writer with RDS: FailoverGlobalCluster with AllowDataLoss (unplanned) or
 * SwitchoverGlobalCluster (planned). Fencing is verified, not assumed: the old writer's
 * cluster stops being the writer and, where its instance is known, stops accepting
 * connections; promotion ends when the target cluster is the available writer.
 */
async function moveWriter(ctx: RunbookContext, model: AwsModel): Promise<{ fencedAt: number; promotedAt: number }> {
  const globalClusterId = model.globalClusterId;
  const targetArn = firstArn(model.resources[ctx.to]?.dbClusters);
  const fromArn = firstArn(model.resources[ctx.from]?.dbClusters);
  const fromInstance = firstArn(model.resources[ctx.from]?.dbInstances);
  const rds = ctx.target.aws!.clients.rds(ctx.to);
  const rdsFrom = ctx.target.aws!.clients.rds(ctx.from);
  let fencedAt = 0;
  let promotedAt = 0;
  const fenceVerification: string[] = [];

  ctx.journal.append({ type: 'failover.step', step: 'fence', status: 'started', at: now() });
  const planned = ctx.spec.kind === 'planned';
  try {
    if (!globalClusterId || !targetArn) throw new Error('the target names no global cluster or no cluster ARN for the new writer region');
    await requestWriterMove(rds, globalClusterId, targetArn, planned);
    const deadline = now() + 15 * 60_000;
    for (;;) {
      const cluster = await describeGlobalCluster(rds, globalClusterId);
      const writer = writerArn(cluster);
      if (!fencedAt && fromInstance) {
        const instanceStatus = await instanceStatusOf(rdsFrom, fromInstance);
        if (instanceStatus !== 'available') {
          fencedAt = now();
          fenceVerification.push(`old writer instance ${instanceStatus}`);
        }
      }
      if (!fencedAt && writer !== fromArn) {
        fencedAt = now();
        fenceVerification.push('old cluster no longer the writer');
      }
      if (isSettledWriter(cluster, targetArn)) {
        promotedAt = now();
        if (!fencedAt) fencedAt = promotedAt;
        if (writer !== fromArn && !fenceVerification.includes('old cluster no longer the writer')) fenceVerification.push('old cluster no longer the writer');
        break;
      }
      if (now() > deadline) throw new Error(`${targetArn} did not become the writer within 15 minutes`);
      if (ctx.signal.aborted) throw new Error('interrupted while the writer was moving (RDS carries on with it)');
      await sleep(pollMs);
    }
  } catch (error) {
    const message = error instanceof RdsError ? error.message : `RDS ${planned ? 'SwitchoverGlobalCluster' : 'FailoverGlobalCluster'}: ${describeAwsError(error)}`;
    ctx.journal.append({ type: 'failover.step', step: 'fence', status: 'failed', at: now(), error: message });
    throw new StepFailed(`failover step fence failed: ${message}`);
  }
  ctx.journal.append({ type: 'failover.step', step: 'fence', status: 'succeeded', at: fencedAt, detail: { verified: fenceVerification.join('; '), planned } });
  ctx.journal.append({ type: 'failover.step', step: 'promote', status: 'started', at: fencedAt });
  ctx.journal.append({ type: 'failover.step', step: 'promote', status: 'succeeded', at: promotedAt, detail: { writer: targetArn } });
  return { fencedAt, promotedAt };
}

async function instanceStatusOf(rds: RDSClient, instanceArn: string): Promise<string> {
  const { DBInstances } = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceArn }));
  return DBInstances?.[0]?.DBInstanceStatus ?? 'unknown';
}

// ------------------------------------------------------------------ traffic

/**
 * Data plane first: Route 53 failover records move clients once the old region's check is
 * unhealthy. With `invert-health-check` the runbook forces that (control plane), with its
 * undo journaled first. Where the target can watch its DNS (the lab), the step ends when
 * DNS answers the new region.
 */
async function shiftTraffic(ctx: RunbookContext, model: AwsModel): Promise<{ at: number; detail: Record<string, unknown> }> {
  const healthCheckId = model.healthChecks[ctx.from];
  const mode = trafficShiftOf(ctx.spec);
  if (mode === 'invert-health-check') {
    if (!healthCheckId) throw new Error(`no health check for ${ctx.from} to invert`);
    // Inverting a failing check makes it healthy: clients would move back to the broken region.
    const { HealthCheckObservations = [] } = await ctx.target.aws!.clients.route53().send(new GetHealthCheckStatusCommand({ HealthCheckId: healthCheckId }));
    const failing = HealthCheckObservations.filter((o) => o.StatusReport?.Status?.startsWith('Failure')).length;
    if (failing * 2 > HealthCheckObservations.length) {
      throw new Error(
        `${ctx.from}'s health check ${healthCheckId} is failing; inverting it would report it healthy and send clients back there. Use trafficShift: 'dns' (the failover records move clients by themselves)`,
      );
    }
    ctx.registerChange(`failover: invert ${healthCheckId}`, {
      kind: 'route53-health-check',
      connection: model.connection,
      healthCheckId,
      inverted: false,
      description: `Route 53: UpdateHealthCheck ${healthCheckId} Inverted=false`,
      timeoutMs: 30_000,
    });
    await setHealthCheckInverted(ctx.target.aws!.clients.route53(), healthCheckId, true);
  }
  const shifted = await ctx.target.awaitTrafficShift(ctx.to, ctx.signal);
  if (!shifted) return { at: now(), detail: { mode, note: 'Route 53 answers the secondary while the primary check is unhealthy' } };
  return { at: now(), detail: { mode, ...shifted } };
}

/**
 * Clients are served by the new region: verify sends its own requests, each on a new
 * connection resolved afresh (a keep-alive connection to the old region, still healthy
 * in a planned move, would prove nothing), and needs the success ratio over the window
 * with every success answered by the new region.
 */
async function verify(ctx: RunbookContext): Promise<{ at: number; detail: Record<string, unknown> }> {
  const { successRatio, window, timeout } = ctx.spec.verify;
  const probe = ctx.verifyProbe;
  if (!probe) return { at: now(), detail: { note: 'no traffic probe to verify with' } };
  const started = now();
  const results: Array<{ t: number; ok: boolean }> = [];
  while (!ctx.signal.aborted) {
    const sentAt = now();
    const answer = await askOnce(probe, Math.min(2_000, window));
    results.push({ t: sentAt, ok: answer.status >= 200 && answer.status < 400 && answer.region === ctx.to });
    const current = now();
    const recent = results.filter((result) => result.t >= current - window);
    const ratio = recent.filter((result) => result.ok).length / recent.length;
    if (current - started >= Math.min(window, 1_000) && recent.length >= 3 && ratio >= successRatio) {
      return { at: current, detail: { servedBy: ctx.to, successRatio: Math.round(ratio * 1000) / 1000, requests: recent.length } };
    }
    if (current - started > timeout) {
      throw new Error(`clients were not served by ${ctx.to} at ≥ ${successRatio * 100}% within ${timeout} ms (last: ${answer.detail})`);
    }
    await sleep(pollMs, ctx.signal);
  }
  throw new Error('the run ended before verification');
}

function askOnce(probe: NonNullable<RunbookContext['verifyProbe']>, timeoutMs: number): Promise<{ status: number; region: string; detail: string }> {
  return exchange(probe.url, { method: probe.method, headers: probe.headers, body: probe.body, agent: false, timeoutMs, lookup: probe.lookup }).then(
    (answer) => ({ status: answer.status, region: answer.region, detail: `HTTP ${answer.status} from ${answer.region || 'an unnamed region'}` }),
    (error: NodeJS.ErrnoException) => ({ status: 0, region: '', detail: error.code ?? error.message }),
  );
}

// ------------------------------------------------------------------ failback

/**
 * Back to the original topology: the old writer's region rejoins as a standby of the new
 * one (the lab rebuilds it, having fenced it by stopping it; on AWS it rejoins by itself),
 * then a planned switchover moves the writer back without losing writes.
 */
export async function failBack(ctx: RunbookContext): Promise<void> {
  const aws = ctx.target.aws!;
  await step(ctx, 'failback', async () => {
    await ctx.target.rejoinRegion(ctx.from);
    const fromArn = firstArn(aws.model.resources[ctx.from]?.dbClusters);
    if (!aws.model.globalClusterId || !fromArn) throw new Error('no global cluster or cluster ARN to fail back to');
    const rds = aws.clients.rds(ctx.from);
    const deadline = now() + 5 * 60_000;
    // The rejoined region must be replicating before a switchover can catch it up.
    for (;;) {
      try {
        await requestWriterMove(rds, aws.model.globalClusterId, fromArn, true);
        break;
      } catch (error) {
        if (now() > deadline) throw new Error(`failing back to ${ctx.from}: ${(error as Error).message}`);
        await sleep(500);
      }
    }
    for (;;) {
      const cluster = await describeGlobalCluster(rds, aws.model.globalClusterId);
      if (isSettledWriter(cluster, fromArn)) return { at: now(), detail: { writer: fromArn } };
      if (now() > deadline) throw new Error(`${ctx.from} was not the writer again within 5 minutes`);
      await sleep(pollMs);
    }
  });
}
