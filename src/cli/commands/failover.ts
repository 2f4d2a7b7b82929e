import { runbookPlan } from '../../engine/plan';
import { loadExperiment } from '../../experiment/loader';
import { UsageError } from '../output';
import { runWithProgress } from './run';

export interface FailoverCommandOptions {
  dryRun: boolean;
  approve: boolean;
  out?: string;
  reports: string;
  json: boolean;
  shift?: 'dns' | 'invert-health-check';
  yes: boolean;
  /** Undo a failover done for real: the runbook reversed (failover/failback.ts). */
  failback: boolean;
  /** Print report.pdf (default true), as `gameday run` does. */
  pdf?: boolean;
  notify?: boolean;
}

/** `gameday failover <file> [--failback]`: the experiment's runbook alone, or reversed, as a real DR action. */
export async function failoverCommand(file: string, options: FailoverCommandOptions): Promise<number> {
  const experiment = loadExperiment(file);
  if (!experiment.failover) throw new UsageError(`${experiment.file} has no failover runbook (add failover: {...})`);
  if (options.dryRun) {
    // Operator-initiated: nothing to detect.
    const runbook = runbookPlan(experiment, { failback: options.failback })!;
    const which = options.failback ? 'failback' : 'failover';
    process.stdout.write(`${which} runbook of ${experiment.name} (${experiment.file}); dry run, nothing done\n\n`);
    for (const step of runbook.steps)
      if (!step.detect) process.stdout.write(`  ${runbook.from} → ${runbook.to}, ${step.action}\n`);
    return 0;
  }
  return runWithProgress(experiment, `${options.failback ? 'failback' : 'failover'}-${experiment.name}`, options, {
    failoverOnly: true,
    failback: options.failback,
    trafficShift: options.shift,
  });
}
