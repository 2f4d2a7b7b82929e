/**
 * Route 53's error shapes. restXml errors are an HTTP status and `<ErrorResponse><Error><Type>Sender</Type>
 * <Code>…</Code><Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>` (one line on the wire);
 * the SDK picks its exception class (NoSuchHealthCheck, InvalidChangeBatch, …) by Code.
 *
 * InvalidChangeBatch uses that same shape: its problems travel in Message as
 * `[first problem, second problem]`. Route 53 once answered with a body of its own
 * (`<InvalidChangeBatch><Messages><Message>…`), which SDKs still model as `messages`; it
 * no longer does, so against real Route 53 and the lab alike the SDK's `messages` is
 * empty and the problems are in `message`.
 */

export type Route53ErrorCode =
  | 'InvalidInput'
  | 'InvalidChangeBatch'
  | 'NoSuchHostedZone'
  | 'NoSuchChange'
  | 'NoSuchHealthCheck'
  | 'HealthCheckAlreadyExists'
  | 'HealthCheckVersionMismatch'
  | 'HealthCheckInUse'
  | 'InvalidAction'
  | 'InternalFailure';

/** Statuses from the service model (an error without one is a 400). */
const statusByCode: Record<Route53ErrorCode, number> = {
  InvalidInput: 400,
  InvalidChangeBatch: 400,
  NoSuchHostedZone: 404,
  NoSuchChange: 404,
  NoSuchHealthCheck: 404,
  HealthCheckAlreadyExists: 409,
  HealthCheckVersionMismatch: 409,
  HealthCheckInUse: 400,
  InvalidAction: 400,
  InternalFailure: 500,
};

export class Route53Error extends Error {
  readonly status: number;
  /** 'Sender' for the caller's mistakes, 'Receiver' for the service's. */
  readonly type: 'Sender' | 'Receiver';

  constructor(
    readonly code: Route53ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code;
    this.status = statusByCode[code];
    this.type = this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

export const invalidInput = (message: string): Route53Error => new Route53Error('InvalidInput', message);

/** Every problem of a rejected batch, in Route 53's `[a, b]` form; nothing was changed. */
export const invalidChangeBatch = (messages: readonly string[]): Route53Error =>
  new Route53Error('InvalidChangeBatch', `[${messages.join(', ')}]`);

export const noSuchHostedZone = (id: string): Route53Error =>
  new Route53Error('NoSuchHostedZone', `No hosted zone found with ID: ${id}`);

export const noSuchChange = (id: string): Route53Error =>
  new Route53Error('NoSuchChange', `A change with the specified change ID ${id} does not exist.`);

export const noSuchHealthCheck = (id: string): Route53Error =>
  new Route53Error('NoSuchHealthCheck', `A health check with id ${id} does not exist.`);
