/** Rollback described as data, so a later process can perform it without the original closure. */
export type RollbackRecord =
  | { kind: 'exec'; command: string; cwd?: string; env?: Record<string, string>; timeoutMs: number }
  | {
      kind: 'lab';
      /** Where the lab lives, so recover can find its control endpoint again. */
      labDir: string;
      controlUrl: string;
      /** Control-API calls that undo the fault, in order; a 404 means already undone. */
      requests: LabRequest[];
      description: string;
      timeoutMs: number;
    }
  | {
      /**
       * Stop every experiment started from the template, then delete it. Found again by id (and by tags in recover).
       */
      kind: 'fis';
      connection: AwsConnectionRecord;
      region: string;
      templateId: string;
      description: string;
      timeoutMs: number;
    }
  | {
      kind: 'route53-health-check';
      connection: AwsConnectionRecord;
      healthCheckId: string;
      /** The value to restore. */
      inverted: boolean;
      description: string;
      timeoutMs: number;
    }
  | {
      /**
       * The undo of a failover: the old writer's region rejoins (the lab starts and rebuilds
       * the database it fenced; an AWS region rejoins by itself), then a planned switchover
       * moves the writer back without losing writes. Undone after everything else: it needs
       * the old region reachable again.
       */
      kind: 'failback';
      connection: AwsConnectionRecord;
      globalClusterId: string;
      /** Where the writer goes back to, and its regional cluster. */
      region: string;
      clusterArn: string;
      /** Control-API calls bringing the old writer's database back first (the lab); null where it rejoins alone. */
      rejoin: { controlUrl: string; requests: LabRequest[] } | null;
      description: string;
      timeoutMs: number;
    };

/** How to reach the AWS APIs again (endpoint override, profile, lab credentials). */
export interface AwsConnectionRecord {
  endpoint?: string;
  profile?: string;
  labCredentials?: boolean;
}

export interface LabRequest {
  method: 'POST' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
}

/** A rollback in words, for reports and `gameday recover`'s output. */
export function describeRollback(record: RollbackRecord): string {
  switch (record.kind) {
    case 'exec':
      return `sh -c ${JSON.stringify(record.command)}`;
    case 'lab':
      return `lab: ${record.description}`;
    case 'fis':
    case 'route53-health-check':
    case 'failback':
      return record.description;
  }
}

/** Undone after every other change of its run (newest first among them), whatever the order they were made in. */
export function undoneLast(record: RollbackRecord): boolean {
  return record.kind === 'failback';
}
