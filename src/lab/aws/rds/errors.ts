/**
 * RDS errors as they travel: an HTTP status and
 * `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error><RequestId>…`.
 * The code is the wire code the SDKs map to their exception classes — which is not always
 * the class name: DBInstanceNotFoundFault travels as `DBInstanceNotFound`.
 */

/** Wire code → HTTP status, for the codes the lab sends (from the RDS service model and the common errors). */
const statusOf = {
  // Modelled faults of the operations the lab serves.
  GlobalClusterNotFoundFault: 404,
  DBClusterNotFoundFault: 404,
  DBInstanceNotFound: 404,
  InvalidGlobalClusterStateFault: 400,
  InvalidDBClusterStateFault: 400,
  InvalidDBInstanceState: 400,
  // Common errors of every Query API.
  InvalidAction: 400,
  MissingAction: 400,
  MissingParameter: 400,
  InvalidParameterValue: 400,
  InvalidParameterCombination: 400,
  InternalFailure: 500,
} as const;

export type RdsErrorCode = keyof typeof statusOf;

export class RdsError extends Error {
  readonly status: number;

  constructor(
    readonly code: RdsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RdsError';
    this.status = statusOf[code];
  }

  /** `Sender` for the caller's mistakes (4xx), `Receiver` for the service's own (5xx). */
  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}
