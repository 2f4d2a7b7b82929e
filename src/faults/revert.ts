import type { RollbackRecord } from '../engine/events';
import { describeCommandFailure, runCommand } from '../engine/shell';
import { performLabRequests } from './lab/requests';
import { FaultError } from './types';
import { AwsClients } from '../aws/clients';
import { stopAndDelete } from '../aws/fis/experiment';
import { setHealthCheckInverted } from '../aws/route53';

/**
 * Performs a rollback from its journal record. The live run and `gameday recover` both
 * come through here, so an interrupted run is undone exactly as a finished one is.
 * Every kind is idempotent: undoing what is already undone succeeds.
 */
export async function revertRecord(record: RollbackRecord): Promise<Record<string, unknown> | void> {
  switch (record.kind) {
    case 'exec': {
      const result = await runCommand(record.command, { timeoutMs: record.timeoutMs, cwd: record.cwd, env: record.env });
      if (result.exitCode !== 0) throw new FaultError(`rollback ${describeCommandFailure(record.command, result, record.timeoutMs)}`);
      return { durationMs: Math.round(result.durationMs) };
    }
    case 'lab':
      try {
        await performLabRequests(record.controlUrl, record.requests);
      } catch (error) {
        throw new FaultError(`rollback (${record.description}): ${(error as Error).message}`);
      }
      return;
    case 'fis':
    case 'route53-health-check': {
      const clients = new AwsClients(record.connection);
      try {
        if (record.kind === 'fis') return await stopAndDelete(clients.fis(record.region), record.templateId, record.timeoutMs);
        await setHealthCheckInverted(clients.route53(), record.healthCheckId, record.inverted);
        return;
      } catch (error) {
        throw new FaultError(`rollback (${record.description}): ${(error as Error).message}`);
      } finally {
        clients.destroy();
      }
    }
  }
}

export function describeRollback(record: RollbackRecord): string {
  switch (record.kind) {
    case 'exec':
      return `sh -c ${JSON.stringify(record.command)}`;
    case 'lab':
      return `lab: ${record.description}`;
    case 'fis':
    case 'route53-health-check':
      return record.description;
  }
}
