import type { RollbackRecord } from '../core/events';
import { describeCommandFailure, runCommand } from '../core/shell';
import { performLabRequests } from './direct';
import { FaultError } from './types';
import { redactedMarker } from '../core/redact';
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
