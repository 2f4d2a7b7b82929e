import { describeCommandFailure, runCommand } from '../engine/shell';
import type { ExecFault } from '../experiment/schema';
import type { ResolvedFault } from '../experiment/validate';
import { FaultError, FaultKind } from './types';

type ResolvedExecFault = Extract<ResolvedFault, { kind: 'exec' }> & ExecFault;

/** `exec`: the user's own inject and rollback shell commands, for systems we have no adapter for. */
export const execFault: FaultKind<ResolvedExecFault> = {
  plan: (fault) => ({
    inject: `sh -c ${JSON.stringify(fault.inject)} (timeout ${fault.timeout} ms)`,
    rollback: `sh -c ${JSON.stringify(fault.rollback)} (timeout ${fault.rollbackTimeout} ms)`,
  }),

  rollbackRecord: (fault) => ({
    kind: 'exec',
    command: fault.rollback,
    cwd: fault.cwd,
    env: Object.keys(fault.env).length > 0 ? fault.env : undefined,
    timeoutMs: fault.rollbackTimeout,
  }),

  async inject(fault) {
    const result = await runCommand(fault.inject, { timeoutMs: fault.timeout, cwd: fault.cwd, env: fault.env });
    if (result.exitCode !== 0) throw new FaultError(`inject ${describeCommandFailure(fault.inject, result, fault.timeout)}`);
    return { durationMs: Math.round(result.durationMs), output: result.output.slice(-500) };
  },
};
