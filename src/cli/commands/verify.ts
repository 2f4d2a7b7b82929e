import { verifyEvidence, VerifyError } from '../../report/verify-evidence';
import { exitCodes } from '../exit-codes';
import { UsageError } from '../output';

/**
 * `gameday verify <runDir | history dir>`: one line per run directory — ok, CHANGED (and
 * which file), or unsealed; exit 1 when anything changed since it was sealed.
 */
export function verifyCommand(dir: string, options: { json: boolean }): number {
  let verification;
  try {
    verification = verifyEvidence(dir);
  } catch (error) {
    if (error instanceof VerifyError) throw new UsageError(error.message);
    throw error;
  }
  if (options.json) process.stdout.write(JSON.stringify(verification, null, 2) + '\n');
  else {
    const lines = verification.runs.map((run) => {
      if (run.status === 'unsealed')
        return (
          `unsealed ${run.run}: no evidence.json (killed before its reports: gameday recover, then gameday report ` +
          'seals it)'
        );
      if (run.status === 'changed') return `CHANGED  ${run.run}: ${run.problems.join('; ')}`;
      const chain = run.previous === null ? 'first of its directory' : `chained to ${run.previous}`;
      const reports = `${run.files - 1} report${run.files === 2 ? '' : 's'}`;
      const sealed = `journal and ${reports} as sealed at ${run.sealedAt}`;
      return `ok       ${run.run}: ${sealed}, ${chain}; evidence ${run.sealSha256}`;
    });
    const changed = verification.runs.filter((run) => run.status === 'changed').length;
    const sealed = verification.runs.filter((run) => run.status !== 'unsealed').length;
    lines.push(
      changed === 0
        ? `verified: ${sealed} sealed run${sealed === 1 ? '' : 's'}, nothing changed`
        : `NOT VERIFIED: ${changed} of ${sealed} sealed run${sealed === 1 ? '' : 's'} changed since sealed`,
    );
    process.stdout.write(lines.join('\n') + '\n');
  }
  return verification.ok ? exitCodes.passed : exitCodes.failed;
}
