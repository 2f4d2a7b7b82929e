/** The options `gameday run` (and `gate`, `failover`) take, for an experiment or a scenario alike. */
export interface RunCommandOptions {
  out?: string;
  reports: string;
  json: boolean;
  approve: boolean;
  /** Consent to act on a real AWS account. */
  yes: boolean;
  /** Print report.pdf (default true). */
  pdf?: boolean;
  /** Tell the file's notifiers, or the environment's default (default true); --no-notify: nobody. */
  notify?: boolean;
}
