import { XMLParser } from 'fast-xml-parser';
import { bucketNameOfArn } from './arn';
import { S3Error } from './s3-error';

/** One rule of a bucket's replication configuration, as PutBucketReplication states it. */
export interface ReplicationRule {
  id: string;
  priority: number;
  enabled: boolean;
  /** Only keys starting with this replicate ('' for all). */
  prefix: string;
  destinationBucket: string;
  /** Whether a DeleteObject (a delete marker, on versioned S3) replicates. */
  deleteMarkerReplication: boolean;
}

export interface ReplicationConfiguration {
  role: string;
  rules: ReplicationRule[];
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'Rule',
});

type Node = Record<string, unknown>;

/**
 * A PutBucketReplication body read the way S3 checks it: a Role, one to 1000 rules, each
 * with a Status and a Destination bucket ARN. The filter forms read are Prefix (the V1 rule
 * form) and Filter/Prefix; tag filters are refused rather than ignored.
 */
export function parseReplicationConfiguration(xml: string): ReplicationConfiguration {
  let document: Node;
  try {
    document = parser.parse(xml) as Node;
  } catch (error) {
    throw new S3Error(
      'MalformedXML',
      `the replication configuration is not well-formed XML: ${(error as Error).message}`,
    );
  }
  const root = document.ReplicationConfiguration as Node | undefined;
  if (!root || typeof root !== 'object')
    throw new S3Error('MalformedXML', 'the body must be a <ReplicationConfiguration> element');
  const role = typeof root.Role === 'string' ? root.Role : '';
  if (!role) throw new S3Error('InvalidRequest', 'ReplicationConfiguration.Role is required (an IAM role ARN)');
  const rules = (root.Rule as Node[] | undefined) ?? [];
  if (rules.length === 0 || rules.length > 1000)
    throw new S3Error('MalformedXML', `a replication configuration holds 1 to 1000 rules, got ${rules.length}`);
  const ids = new Set<string>();
  return {
    role,
    rules: rules.map((rule, index) => {
      const where = `Rule[${index}]`;
      const id = typeof rule.ID === 'string' && rule.ID ? rule.ID : `rule-${index + 1}`;
      if (ids.has(id)) throw new S3Error('InvalidArgument', `${where}.ID ${id} is used by two rules`);
      ids.add(id);
      if (rule.Status !== 'Enabled' && rule.Status !== 'Disabled')
        throw new S3Error('MalformedXML', `${where}.Status must be Enabled or Disabled`);
      const filter = rule.Filter as Node | undefined;
      if (filter && typeof filter === 'object' && ('Tag' in filter || 'And' in filter))
        throw new S3Error('NotImplemented', `${where}.Filter: the lab filters by Prefix only, not by tags`);
      const prefix =
        (filter && typeof filter === 'object' && typeof filter.Prefix === 'string' ? filter.Prefix : undefined) ??
        (typeof rule.Prefix === 'string' ? rule.Prefix : '');
      const destination = rule.Destination as Node | undefined;
      const destinationArn = destination && typeof destination.Bucket === 'string' ? destination.Bucket : '';
      const destinationBucket = bucketNameOfArn(destinationArn);
      if (!destinationBucket)
        throw new S3Error(
          'InvalidArgument',
          `${where}.Destination.Bucket must be a bucket ARN (arn:aws:s3:::name), got ${JSON.stringify(destinationArn)}`,
        );
      const priority = Number(typeof rule.Priority === 'string' ? rule.Priority : index + 1);
      if (!Number.isInteger(priority) || priority < 0)
        throw new S3Error('InvalidArgument', `${where}.Priority must be a whole number ≥ 0`);
      const deleteMarker = rule.DeleteMarkerReplication as Node | undefined;
      return {
        id,
        priority,
        enabled: rule.Status === 'Enabled',
        prefix,
        destinationBucket,
        deleteMarkerReplication: deleteMarker?.Status === 'Enabled',
      };
    }),
  };
}

export function replicationConfigurationXml(configuration: ReplicationConfiguration): string {
  const rules = configuration.rules
    .map(
      (rule) =>
        `<Rule><ID>${escapeXml(rule.id)}</ID><Priority>${rule.priority}</Priority>` +
        `<Status>${rule.enabled ? 'Enabled' : 'Disabled'}</Status>` +
        `<Filter><Prefix>${escapeXml(rule.prefix)}</Prefix></Filter>` +
        `<Destination><Bucket>arn:aws:s3:::${rule.destinationBucket}</Bucket></Destination>` +
        `<DeleteMarkerReplication><Status>${rule.deleteMarkerReplication ? 'Enabled' : 'Disabled'}</Status>` +
        `</DeleteMarkerReplication></Rule>`,
    )
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ReplicationConfiguration xmlns="${s3Namespace}">` +
    `<Role>${escapeXml(configuration.role)}</Role>${rules}</ReplicationConfiguration>`
  );
}

export const s3Namespace = 'http://s3.amazonaws.com/doc/2006-03-01/';

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}
