import type { Experiment } from '../experiment/validate';
import { notifiersFor } from '../notify';
import { fileReporters } from '../report/files';
import { annotationReporters } from '../report/grafana-annotations';
import { scenarioFileReporters } from '../report/scenario/files';
import type { DrillReporters } from '../schedule/drill';
import type { Definition } from '../scenario/loader';
import type { Scenario } from '../scenario/validate';

export interface DrillReporterOptions {
  pdf?: boolean;
  /** false: `--no-notify`, nobody is told. */
  notify?: boolean;
  /** Who started the drill: the first message's "who" (the operator, or the scheduler and its host). */
  by: string;
  /** A drill (default), or `gameday failover` and its failback: a real DR action, said as such. */
  action?: 'run' | 'failover' | 'failback';
}

/**
 * The reporters every drill gets, whoever starts it — `gameday run`, `gate`, `failover`,
 * `gameday schedule run`: its report files (and the GitHub job summary when there is one),
 * its Grafana annotations, then its notifiers (after the files: the thread's verdict
 * uploads report.pdf). What a drill reports is decided here, once. Building them throws
 * NotifySetupError when a notifier could not deliver (no SLACK_BOT_TOKEN): before anything
 * has started.
 */
export function drillReporters(options: DrillReporterOptions): DrillReporters & {
  /** Throws NotifySetupError now for what would refuse the definition's drills later (a scheduler's start). */
  ready(definition: Definition): void;
} {
  const stepSummary = process.env.GITHUB_STEP_SUMMARY;
  const notify = { by: options.by, action: options.action };
  const experimentNotifiers = (experiment: Experiment) =>
    options.notify === false ? [] : notifiersFor({ kind: 'experiment', experiment }, notify).reporters;
  const dayNotifiers = (scenario: Scenario) =>
    options.notify === false
      ? { reporters: [], stepReporters: () => [] }
      : notifiersFor({ kind: 'scenario', scenario }, notify);
  return {
    experiment: (runDir, experiment) => [
      ...fileReporters(runDir, { pdf: options.pdf, stepSummary }),
      ...annotationReporters(experiment),
      ...experimentNotifiers(experiment),
    ],
    scenario: (runDir, scenario) => {
      const notifiers = dayNotifiers(scenario);
      return {
        reporters: [...scenarioFileReporters(runDir, { pdf: options.pdf, stepSummary }), ...notifiers.reporters],
        stepReporters: (step) => [
          ...fileReporters(step.runDir, { pdf: options.pdf }),
          ...annotationReporters(step.experiment),
          ...notifiers.stepReporters(step),
        ],
      };
    },
    ready: (definition) => {
      if (definition.kind === 'experiment') experimentNotifiers(definition.experiment);
      else dayNotifiers(definition.scenario);
    },
  };
}
