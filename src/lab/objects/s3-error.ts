/** S3's error codes the lab answers with, and their HTTP statuses (S3 API reference, "Error responses"). */
const statuses = {
  NoSuchBucket: 404,
  NoSuchKey: 404,
  ReplicationConfigurationNotFoundError: 404,
  PermanentRedirect: 301,
  MalformedXML: 400,
  InvalidArgument: 400,
  InvalidRequest: 400,
  InvalidBucketName: 400,
  MethodNotAllowed: 405,
  NotImplemented: 501,
  InternalError: 500,
} as const;

export type S3ErrorCode = keyof typeof statuses;

export class S3Error extends Error {
  readonly status: number;

  constructor(
    readonly code: S3ErrorCode,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'S3Error';
    this.status = statuses[code];
  }
}
