import { z } from 'zod';
import { duration } from '../core/fields';
import { describeCommandFailure, runCommand } from '../core/shell';
import { faultTiming } from './timing';
import { FaultError, type FaultImplementation, type FaultKind, type Named } from './types';

export const execFaultSchema = z.strictObject({
  kind: z.literal('exec'),
  ...faultTiming,
  /** Shell command that injects the fault (run with /bin/sh -c). */
  inject: z.string({ error: 'expected a shell command string' }).min(1, { error: 'must not be empty' }),
  /** Shell command that undoes it. Registered before `inject` starts. */
  rollback: z.string({ error: 'expected a shell command string' }).min(1, { error: 'must not be empty' }),
  timeout: duration({ max: '1h' }).prefault('30s'),
  rollbackTimeout: duration({ max: '1h' }).prefault('30s'),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).default({}),
});

export type ExecFault = z.output<typeof execFaultSchema>;
export type ExecFaultConfig = z.input<typeof execFaultSchema>;

/**
 * The user's own inject and rollback shell commands, for systems gameday has no adapter for; the same through any API.
 */
const viaShell: FaultImplementation<Named<ExecFault>> = {
  plan: (fault) => ({
    inject: `sh -c ${JSON.stringify(fault.inject)} (timeout ${fault.timeout} ms)`,
    rollback: `sh -c ${JSON.stringify(fault.rollback)} (timeout ${fault.rollbackTimeout} ms)`,
  }),

  async prepare(fault, { target }) {
    const env = { ...target.env, ...fault.env };
    return {
      rollback: {
        kind: 'exec',
        command: fault.rollback,
        cwd: fault.cwd,
        env: Object.keys(env).length > 0 ? env : undefined,
        timeoutMs: fault.rollbackTimeout,
      },
      async inject() {
        const result = await runCommand(fault.inject, { timeoutMs: fault.timeout, cwd: fault.cwd, env });
        if (result.exitCode !== 0)
          throw new FaultError(`inject ${describeCommandFailure(fault.inject, result, fault.timeout)}`);
        return { durationMs: Math.round(result.durationMs), output: result.output.slice(-500) };
      },
    };
  },
};

/** `exec`: your own inject and rollback commands. */
export const execFault: FaultKind<typeof execFaultSchema> = {
  schema: execFaultSchema,
  via: { aws: viaShell, direct: viaShell },
};
