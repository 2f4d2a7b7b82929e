import { now } from '../core/clock';
import { errorMessage } from '../core/errors';
import type { RunbookContext } from './context';

/** A step failed: the runbook stops there, and its result says which step and why. */
export class StepFailed extends Error {}

/** How often the steps poll the APIs they wait on. */
export const pollMs = 200;

/** Runs one step with started/succeeded/failed journal entries; returns when its effect happened. */
export async function step(
  ctx: RunbookContext,
  name: string,
  work: () => Promise<{ at: number; detail?: Record<string, unknown> }>,
): Promise<number> {
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
