import { ReadinessError, type ReadinessCheck } from '../../engine/readiness';
import { checkFileReadiness } from '../../scenario/check';
import { exitCodes } from '../exit-codes';
import { UsageError } from '../output';

const marks: Record<ReadinessCheck['status'], string> = { ok: 'ok  ', failed: 'FAIL', skipped: 'skip' };

/**
 * `gameday check <file>`: read-only readiness checks of the file's target for its
 * experiments, one line per check (ok, FAIL with its fix, skip with why); exit 1 when one
 * failed. Progress (an ephemeral lab starting) goes to stderr.
 */
export async function checkCommand(file: string, options: { json: boolean }): Promise<number> {
  let report;
  try {
    report = await checkFileReadiness(file, { onProgress: (message) => process.stderr.write(`target: ${message}\n`) });
  } catch (error) {
    if (error instanceof ReadinessError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
  if (options.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    const lines = [`readiness of ${report.target} for ${report.file} (${report.name})`];
    for (const check of report.checks) {
      lines.push(`  ${marks[check.status]}  ${check.check}: ${check.detail}`);
      if (check.status === 'failed' && check.fix) lines.push(`        fix: ${check.fix}`);
    }
    const failedCount = report.checks.filter((check) => check.status === 'failed').length;
    const skippedCount = report.checks.filter((check) => check.status === 'skipped').length;
    const skippedText = skippedCount > 0 ? ` (${skippedCount} skipped, said why)` : '';
    lines.push(
      failedCount === 0
        ? `READY  ${report.checks.length - skippedCount} checks passed${skippedText}`
        : `NOT READY  ${failedCount} of ${report.checks.length} checks failed${skippedText}`,
    );
    process.stdout.write(lines.join('\n') + '\n');
  }
  return report.ok ? exitCodes.passed : exitCodes.failed;
}
