export { LabObjectStores, type ObjectRegionLayout } from './object-stores';
export { ObjectBucket, type StoredObject, type ReplicationStatus } from './bucket';
export { bucketArn } from './arn';
export { type ReplicationConfiguration, type ReplicationRule } from './replication-config';
export { S3Error, type S3ErrorCode } from './s3-error';
