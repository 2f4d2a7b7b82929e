import type { RollbackRecord } from '../engine/events';
import { describeCommandFailure, runCommand } from '../engine/shell';
import { FaultError } from './types';

/**
 * Performs a rollback from its journal record. The live run and `gameday recover` both
 * come through here, so an interrupted run is undone exactly as a finished one is.
 */
export async function revertRecord(record: RollbackRecord): Promise<Record<string, unknown> | void> {
  switch (record.kind) {
    case 'exec': {
      const result = await runCommand(record.command, { timeoutMs: record.timeoutMs, cwd: record.cwd, env: record.env });
      if (result.exitCode !== 0) throw new FaultError(`rollback ${describeCommandFailure(record.command, result, record.timeoutMs)}`);
      return { durationMs: Math.round(result.durationMs) };
    }
  }
}

export function describeRollback(record: RollbackRecord): string {
  switch (record.kind) {
    case 'exec':
      return `sh -c ${JSON.stringify(record.command)}`;
  }
}
