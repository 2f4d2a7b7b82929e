import type { ScheduledEntry } from '../entries';
import { DueTimes } from '../due-times';
import { cronFields, ExportError, standardCron } from './cron-fields';
import { header, onceCommand, unitName, type Exported, type ExportOptions } from './command';

/** What Kubernetes gives a stopped drill to roll back and report, in seconds. */
const terminationGraceSeconds = 300;

/**
 * A Kubernetes CronJob (batch/v1; spec.timeZone needs Kubernetes 1.27 or later). Overlap is
 * concurrencyPolicy: Forbid. `missed` is startingDeadlineSeconds: with 'run-once' one period
 * (the controller then starts the latest run it missed within it, and never counts up to the
 * hundred missed start times at which it stops scheduling), with 'skip' a minute. A drill
 * is never retried (backoffLimit 0): a second run is a second drill, not a retry.
 */
export function k8sCronJob(entries: ScheduledEntry[], options: ExportOptions): Exported {
  if (!options.image)
    throw new ExportError(
      'k8s-cronjob needs --image: the container image holding your project (its experiments and node_modules)',
    );
  const documents: string[] = [];
  const notes = new Set<string>();
  for (const entry of entries) {
    const schedule = entry.schedule;
    if (schedule.cron === undefined)
      throw new ExportError(
        `${entry.label}: every ${schedule.every} ms has no CronJob form (a CronJob fires at wall-clock times); give ` +
          "the schedule a cron (e.g. cron: '0 10 * * TUE')",
      );
    const cron = standardCron(cronFields(schedule.cron, 'a CronJob'), schedule.cron, 'a CronJob');
    if (schedule.overlap === 'queue')
      notes.add("Kubernetes cannot hold a run until the one going ends: overlap: 'queue' acts as 'skip' (Forbid)");
    const dues = new DueTimes(schedule, 0);
    const first = dues.next(options.now)!;
    const period = Math.round((dues.next(first)! - first) / 1000);
    const deadline = schedule.missed === 'run-once' ? period : 60;
    const command = onceCommand(entry, options);
    documents.push(
      [
        ...header(entry, '#'),
        '# Mount a volume at GAMEDAY_STATE_DIR to keep the schedule state (last runs, skips) between jobs.',
        'apiVersion: batch/v1',
        'kind: CronJob',
        'metadata:',
        `  name: ${unitName(entry)}`,
        '  labels:',
        '    app.kubernetes.io/name: gameday',
        'spec:',
        `  schedule: ${JSON.stringify(cron)}`,
        `  timeZone: ${JSON.stringify(schedule.timezone)}`,
        '  concurrencyPolicy: Forbid',
        `  startingDeadlineSeconds: ${deadline}`,
        '  successfulJobsHistoryLimit: 3',
        '  failedJobsHistoryLimit: 3',
        '  jobTemplate:',
        '    spec:',
        '      backoffLimit: 0',
        '      template:',
        '        spec:',
        '          restartPolicy: Never',
        `          terminationGracePeriodSeconds: ${terminationGraceSeconds}`,
        '          containers:',
        '            - name: gameday',
        `              image: ${JSON.stringify(options.image)}`,
        `              workingDir: ${JSON.stringify(options.workdir)}`,
        `              command: [${command.map((word) => JSON.stringify(word)).join(', ')}]`,
        '',
      ].join('\n'),
    );
  }
  return { files: [{ name: 'gameday-cronjobs.yaml', content: documents.join('---\n') }], notes: [...notes] };
}
