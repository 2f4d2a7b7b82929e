import { fileReporters } from '../report/files';
import { scenarioFileReporters } from '../report/scenario/files';
import type { DrillReporters } from '../schedule/drill';

/**
 * The reporters every drill gets, whoever starts it — `gameday run`, `gameday schedule run`:
 * its report files (and the GitHub job summary when there is one). What a drill reports is
 * decided here, once; notifiers belong here too.
 */
export function drillReporters(options: { pdf?: boolean }): DrillReporters {
  const stepSummary = process.env.GITHUB_STEP_SUMMARY;
  return {
    experiment: (runDir) => fileReporters(runDir, { pdf: options.pdf, stepSummary }),
    scenario: (runDir) => ({
      reporters: scenarioFileReporters(runDir, { pdf: options.pdf, stepSummary }),
      stepReporters: (step) => fileReporters(step.runDir, { pdf: options.pdf }),
    }),
  };
}
