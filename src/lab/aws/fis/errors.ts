/**
 * FIS's error shapes. restJson1 errors are an HTTP status, the `x-amzn-errortype` header
 * naming the shape, and a JSON body `{ message }`; the SDK turns them into its own
 * exception classes (ValidationException, ResourceNotFoundException, ...) by that name.
 */

export type FisErrorCode =
  | 'ValidationException'
  | 'ResourceNotFoundException'
  | 'ConflictException'
  | 'ServiceQuotaExceededException'
  | 'UnknownOperationException';

const statusByCode: Record<FisErrorCode, number> = {
  ValidationException: 400,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ServiceQuotaExceededException: 402,
  UnknownOperationException: 404,
};

export class FisError extends Error {
  readonly status: number;

  constructor(
    readonly code: FisErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code;
    this.status = statusByCode[code];
  }
}

export const validationError = (message: string): FisError => new FisError('ValidationException', message);
export const notFoundError = (message: string): FisError => new FisError('ResourceNotFoundException', message);
export const conflictError = (message: string): FisError => new FisError('ConflictException', message);
export const quotaError = (message: string): FisError => new FisError('ServiceQuotaExceededException', message);
