import type { RollbackRecord } from '../core/events';
import { describeCommandFailure, runCommand } from '../core/shell';
import { performLabRequests } from './direct';
import { FaultError } from './types';
import { redactedMarker } from '../core/redact';
import { AwsClients } from '../aws/clients';
import { stopAndDelete } from '../aws/fis/experiment';
import { describeGlobalCluster, isSettledWriter, requestWriterMove } from '../aws/rds';
import { setHealthCheckInverted } from '../aws/route53';
import { now, sleep } from '../core/clock';

/**
 * Performs a rollback from its journal record. The live run and `gameday recover` both
 * come through here, so an interrupted run is undone exactly as a finished one is.
 * Every kind is idempotent: undoing what is already undone succeeds.
 */
export async function revertRecord(record: RollbackRecord): Promise<Record<string, unknown> | void> {
  switch (record.kind) {
    case 'exec': {
      const env = execEnv(record);
      const result = await runCommand(record.command, { timeoutMs: record.timeoutMs, cwd: record.cwd, env });
      if (result.exitCode !== 0)
        throw new FaultError(`rollback ${describeCommandFailure(record.command, result, record.timeoutMs)}`);
      return { durationMs: Math.round(result.durationMs) };
    }
    case 'lab':
      try {
        await performLabRequests(record.controlUrl, record.requests);
      } catch (error) {
        throw new FaultError(`rollback (${record.description}): ${(error as Error).message}`);
      }
      return;
    case 'failback':
      return failBack(record);
    case 'fis':
    case 'route53-health-check': {
      const clients = new AwsClients(record.connection);
      try {
        if (record.kind === 'fis')
          return await stopAndDelete(clients.fis(record.region), record.templateId, record.timeoutMs);
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

/**
 * Back to the topology the run started from: the old writer's region rejoins, then a
 * planned switchover moves the writer there. A writer already there is left alone, so
 * undoing a failover twice (a run, then recover) is fine.
 */
async function failBack(record: Extract<RollbackRecord, { kind: 'failback' }>): Promise<Record<string, unknown>> {
  const clients = new AwsClients(record.connection);
  const rds = clients.rds(record.region);
  const deadline = now() + record.timeoutMs - 1_000;
  const writerIsBack = async () =>
    isSettledWriter(await describeGlobalCluster(rds, record.globalClusterId), record.clusterArn);
  try {
    if (await writerIsBack()) return { writer: record.clusterArn, note: 'already the writer' };
    if (record.rejoin) await performLabRequests(record.rejoin.controlUrl, record.rejoin.requests);
    // The rejoined region must replicate before a switchover can catch it up; a failover still settling refuses it too.
    for (;;) {
      try {
        await requestWriterMove(rds, record.globalClusterId, record.clusterArn, true);
        break;
      } catch (error) {
        if (now() > deadline) throw new FaultError(`failing back to ${record.region}: ${(error as Error).message}`);
        await sleep(500);
      }
    }
    while (!(await writerIsBack())) {
      if (now() > deadline)
        throw new FaultError(`${record.region} was not the writer again within ${record.timeoutMs} ms`);
      await sleep(200);
    }
    return { writer: record.clusterArn };
  } finally {
    clients.destroy();
  }
}

/**
 * The journal never holds a secret (engine/redact.ts), so a record read back from it may
 * have redacted parts. An env value redacted by name is the same variable in the
 * recovering process's environment; a secret written inline in the command is gone for
 * good, and running the mangled command could do harm, so that is refused with what to do.
 */
function execEnv(record: Extract<RollbackRecord, { kind: 'exec' }>): Record<string, string> | undefined {
  if (record.command.includes(redactedMarker)) {
    throw new FaultError(
      `rollback command ${JSON.stringify(record.command)} carried a secret, which is never written ` +
        `to the journal; undo it by hand (pass secrets to exec faults through env so that recover can supply them)`,
    );
  }
  if (!record.env) return undefined;
  const env: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, value] of Object.entries(record.env)) {
    if (value !== redactedMarker) env[name] = value;
    else if (process.env[name] !== undefined) env[name] = process.env[name]!;
    else missing.push(name);
  }
  if (missing.length > 0) {
    throw new FaultError(
      `rollback \`${record.command}\` needs ${missing.join(', ')} from the environment (secret ` +
        `values are never written to the journal); set ${missing.length > 1 ? 'them' : 'it'} and run ` +
        `gameday recover again`,
    );
  }
  return env;
}
