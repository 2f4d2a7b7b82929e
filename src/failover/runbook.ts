import { now } from '../core/clock';
import type { RunbookMarks } from '../measure/phases';
import type { RunbookContext, RunbookResult } from './context';
import { decide, detect } from './detect';
import { rejoin } from './failback';
import { hookName, runHook } from './hooks';
import { moveWriter } from './move-writer';
import { shiftTraffic } from './shift-traffic';
import { step, StepFailed } from './step';
import { strategyRunbook } from './strategies';
import { verify } from './verify';

export type { RunbookContext, RunbookResult } from './context';

/**
 * The failover runbook: detect → decide → (rejoin, failing back) → (the strategy's steps)
 * → fence → promote → (the strategy's steps) → shift traffic → warm → verify → notify,
 * each step timed in the journal. It acts
 * through the same AWS APIs as the faults (Route 53 health-check status, RDS
 * global-cluster failover), so it runs against the lab and a real account alike. A
 * failing step stops the runbook with a clear journal entry.
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

  // A failback returns to where the strategy's processes already run: its steps are the way out's.
  const written = strategyRunbook(ctx.target.strategy);
  const strategy = ctx.rejoin ? { beforeMove: [], afterMove: [], writers: written.writers } : written;
  // A strategy's own steps, carried out by the target in the region failed over to.
  const strategySteps = async (names: readonly string[]) => {
    for (const name of names) {
      await step(ctx, name, async () => {
        const detail = await ctx.target.strategyStep(name, ctx.to);
        return { at: now(), detail };
      });
    }
  };
  const custom = async (after: string) => {
    for (const [index, hook] of ctx.spec.steps.entries()) {
      if (hook.after !== after) continue;
      const name = hookName(hook, index, 'step');
      await step(ctx, name, async () => ({
        at: now(),
        detail: await runHook(hook, ctx.target.env, { from: ctx.from, to: ctx.to, step: name }),
      }));
    }
  };
  try {
    marks.detectedAt = await step(ctx, 'detect', () => detect(ctx, aws.model));
    if (ctx.progress) ctx.progress.detected = true;
    await custom('detect');
    marks.decidedAt = await step(ctx, 'decide', () => decide(ctx));
    await custom('decide');
    if (ctx.rejoin) await step(ctx, 'rejoin', () => rejoin(ctx, aws.model));
    await strategySteps(strategy.beforeMove);
    if (strategy.writers === 'every-region') {
      // The region failed over to already writes: nothing to fence, nothing to promote.
      for (const name of ['fence', 'promote'])
        ctx.journal.append({
          type: 'failover.step',
          step: name,
          status: 'skipped',
          at: now(),
          detail: { why: `every region writes: ${ctx.to} already takes writes` },
        });
    } else {
      const moved = await moveWriter(ctx, aws.model);
      marks.fencedAt = moved.fencedAt;
      marks.promotedAt = moved.promotedAt;
      promotionMs = Math.round(moved.promotedAt - moved.fencedAt);
    }
    await custom('fence');
    await custom('promote');
    await strategySteps(strategy.afterMove);
    marks.shiftedAt = await step(ctx, 'shift-traffic', () => shiftTraffic(ctx, aws.model));
    await custom('shift-traffic');
    for (const [index, hook] of ctx.spec.warm.entries()) {
      const name = `warm: ${hookName(hook, index)}`;
      await step(ctx, name, async () => ({
        at: now(),
        detail: await runHook(hook, ctx.target.env, { from: ctx.from, to: ctx.to, step: name }),
      }));
    }
    await custom('warm');
    await step(ctx, 'verify', () => verify(ctx));
    await custom('verify');
    await step(ctx, 'notify', async () => ({ at: now(), detail: { from: ctx.from, to: ctx.to } }));
    return finish(
      true,
      strategy.writers === 'every-region'
        ? `${ctx.to} serves clients and takes their writes`
        : `${ctx.to} serves clients and holds the writer`,
    );
  } catch (error) {
    return finish(false, error instanceof StepFailed ? error.message : `failover: ${(error as Error).message}`);
  }
}
