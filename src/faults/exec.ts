import { describeCommandFailure, runCommand } from '../core/shell';
import type { ExecFault } from '../experiment/schema';
import { FaultError, type FaultKind } from './types';

type ResolvedExecFault = ExecFault & { name: string };

/** `exec`: the user's own inject and rollback shell commands, for systems we have no adapter for. */
export const execFault: FaultKind<ResolvedExecFault> = {
  plan: (fault) => ({
    inject: `sh -c ${JSON.stringify(fault.inject)} (timeout ${fault.timeout} ms)`,
    rollback: `sh -c ${JSON.stringify(fault.rollback)} (timeout ${fault.rollbackTimeout} ms)`,
  }),

  async prepare(fault, { target }) {
    const env = { ...target.env, ...fault.env };
    return {
      rollback: { kind: 'exec', command: fault.rollback, cwd: fault.cwd, env: Object.keys(env).length > 0 ? env : undefined, timeoutMs: fault.rollbackTimeout },
      async inject() {
        const result = await runCommand(fault.inject, { timeoutMs: fault.timeout, cwd: fault.cwd, env });
        if (result.exitCode !== 0) throw new FaultError(`inject ${describeCommandFailure(fault.inject, result, fault.timeout)}`);
        return { durationMs: Math.round(result.durationMs), output: result.output.slice(-500) };
      },
    };
  },
};
