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
      return record.description;
  }
}
