import type { EventOf } from '../core/events';

/**
 * k6's exit codes (k6 errext/exitcodes/codes.go) in words. 105 is what k6 exits with when
 * it is stopped by a signal — gameday's SIGINT at the end of the observation — after it has
 * still written its summary.
 */
const exitCodes: Record<number, string> = {
  0: 'finished',
  97: 'its cloud test run failed',
  98: 'it could not follow its cloud test run',
  99: 'thresholds crossed',
  100: 'setup() timed out',
  101: 'teardown() timed out',
  102: 'timed out',
  103: 'stopped through its REST API',
  104: 'invalid configuration',
  105: 'stopped by a signal',
  106: 'its REST API could not start',
  107: 'the script threw an exception',
  108: 'the script aborted the test (test.abort())',
  109: 'k6 panicked',
  110: 'the script marked the test as failed',
  255: 'k6 failed (bad arguments, or the script could not be loaded)',
};

export const thresholdsCrossedExitCode = 99;
export const stoppedBySignalExitCode = 105;

export function describeExitCode(code: number): string {
  return `exit ${code}: ${exitCodes[code] ?? 'an error k6 does not name'}`;
}

/**
 * The k6 probe's objective: k6's own thresholds held, and k6 ended as it should — by itself
 * with 0, or with 105 when gameday stopped it. `met` is null when there is nothing to judge
 * by: k6 never finished in this journal, or it was stopped without leaving a summary.
 */
export function judgeK6(finished: EventOf<'k6.finished'> | null): { met: boolean | null; measured: string } {
  if (!finished) return { met: null, measured: 'k6 did not finish before the run ended' };
  const { exitCode, signal, stoppedBy, thresholds } = finished;
  const crossed = (thresholds ?? []).filter((threshold) => !threshold.ok);
  const held = (thresholds ?? []).length - crossed.length;
  const how =
    exitCode === null
      ? `k6 was killed by ${signal ?? 'a signal'}`
      : stoppedBy === 'gameday' && exitCode === stoppedBySignalExitCode
        ? 'stopped by gameday at the end of the observation'
        : `k6 ${describeExitCode(exitCode)}`;
  if (crossed.length > 0)
    return {
      met: false,
      measured:
        `thresholds crossed: ${crossed.map((threshold) => `${threshold.metric} ${threshold.threshold}`).join(', ')}` +
        ` (${how})`,
    };
  if (exitCode === thresholdsCrossedExitCode)
    return { met: false, measured: `${how} (k6 left no summary export saying which)` };
  const ended = exitCode === 0 || (stoppedBy === 'gameday' && exitCode === stoppedBySignalExitCode);
  if (!ended) return { met: exitCode === null ? null : false, measured: how };
  // k6 exits 99 when a threshold is crossed, so a 0 says they held even without the export.
  if (thresholds === null)
    return exitCode === 0
      ? { met: true, measured: `${how}; no summary export, so the thresholds are not listed` }
      : { met: null, measured: `${how}; no summary export to judge its thresholds by` };
  return {
    met: true,
    measured: thresholds.length === 0 ? `${how}; the script declares no thresholds` : `${how}; ${held} held`,
  };
}
