import type { ScheduledEntry } from '../entries';
import type { Exported, ExportOptions } from './command';
import { crontab } from './crontab';
import { githubActions } from './github-actions';
import { k8sCronJob } from './k8s-cronjob';
import { systemd } from './systemd';

export { ExportError } from './cron-fields';
export type { Exported, ExportedFile, ExportOptions } from './command';

/** The schedulers a schedule can be handed to, by `--format`. */
export const exportFormats = {
  crontab,
  systemd,
  'github-actions': githubActions,
  'k8s-cronjob': k8sCronJob,
} satisfies Record<string, (entries: ScheduledEntry[], options: ExportOptions) => Exported>;

export type ExportFormat = keyof typeof exportFormats;
