import path from 'node:path';
import { planExperiment } from '../../engine/plan';
import { runExperiment } from '../../engine/run';
import { newRunId } from '../../engine/run-id';
import { loadExperiment } from '../../experiment/loader';
import { approver } from '../approve';
import { exitCodeFor } from '../exit-codes';
import { UsageError } from '../output';
import { ProgressDisplay } from '../progress';
import { interruptController } from '../signals';

export interface FailoverCommandOptions {
  dryRun: boolean;
  approve: boolean;
  out?: string;
  reports: string;
  json: boolean;
  shift?: 'dns' | 'invert-health-check';
}

/** `gameday failover <file>`: the experiment's runbook alone, as a real DR action. */
export async function failoverCommand(file: string, options: FailoverCommandOptions): Promise<number> {
  const experiment = loadExperiment(file);
  if (!experiment.failover) throw new UsageError(`${experiment.file} has no failover runbook (add failover: {...})`);
  if (options.dryRun) {
    const steps = planExperiment(experiment).filter((step) => step.action.startsWith('failover '));
    process.stdout.write(`failover runbook of ${experiment.name} (${experiment.file}); dry run, nothing done\n\n`);
    for (const step of steps) if (!step.action.includes('detect:') && !step.action.startsWith('failback')) process.stdout.write(`  ${step.action.replace(/^failover /, '')}\n`);
    return 0;
  }
  const runId = newRunId(`failover-${experiment.name}`);
  const runDir = path.resolve(options.out ?? path.join(options.reports, runId));
  const progress = new ProgressDisplay();
  const interrupt = interruptController((message) => progress.line(message));
  try {
    const result = await runExperiment(experiment, {
      runId,
      runDir,
      signal: interrupt.signal,
      onEvent: (event) => progress.onEvent(event),
      approve: approver(options.approve),
      failoverOnly: true,
      trafficShift: options.shift,
    });
    progress.close();
    if (options.json) process.stdout.write(JSON.stringify(result.summary, null, 2) + '\n');
    else process.stdout.write(`${result.status.toUpperCase()}  failover: ${result.summary.reason}\n  report ${path.join(runDir, 'report.md')}\n`);
    return exitCodeFor(result.status);
  } finally {
    progress.close();
    interrupt.dispose();
  }
}
