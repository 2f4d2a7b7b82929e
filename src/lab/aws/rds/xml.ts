import type { RdsError } from './errors';
import { rdsApiVersion } from './query';

/**
 * The AWS Query protocol's response side for RDS:
 *
 *   <DescribeGlobalClustersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
 *     <DescribeGlobalClustersResult>…</DescribeGlobalClustersResult>
 *     <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
 *   </DescribeGlobalClustersResponse>
 *
 * Results are plain objects with the API's member names, rendered in key order. A list's
 * items are wrapped in the member name the service model gives that list — RDS has its
 * quirks (a GlobalClusters list holds `<GlobalClusterMember>` items) — so every list the lab
 * renders must be named in `listMembers`; an unnamed one is a bug and throws.
 */

export const rdsXmlNamespace = `http://rds.amazonaws.com/doc/${rdsApiVersion}/`;

/** List name → item element name, from the RDS service model. */
const listMembers: Record<string, string> = {
  GlobalClusters: 'GlobalClusterMember',
  GlobalClusterMembers: 'GlobalClusterMember',
  Readers: 'member',
  TagList: 'Tag',
  DBClusters: 'DBCluster',
  DBClusterMembers: 'DBClusterMember',
  AvailabilityZones: 'AvailabilityZone',
  DBInstances: 'DBInstance',
};

export function responseXml(action: string, result: Record<string, unknown> | undefined, requestId: string): string {
  const resultXml = result === undefined ? '' : element(`${action}Result`, result);
  const metadata = `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
  return `<${action}Response xmlns="${rdsXmlNamespace}">${resultXml}${metadata}</${action}Response>\n`;
}

export function errorXml(error: RdsError, requestId: string): string {
  const body = element('Error', { Type: error.type, Code: error.code, Message: error.message });
  return `<ErrorResponse xmlns="${rdsXmlNamespace}">${body}<RequestId>${requestId}</RequestId></ErrorResponse>\n`;
}

function element(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    const member = listMembers[name];
    if (!member) throw new Error(`rds xml: no member name known for the list ${name}`);
    if (value.length === 0) return `<${name}/>`;
    return `<${name}>${value.map((item) => element(member, item)).join('')}</${name}>`;
  }
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (typeof value === 'object') {
    const children = Object.entries(value as Record<string, unknown>)
      .map(([key, child]) => element(key, child))
      .join('');
    return `<${name}>${children}</${name}>`;
  }
  return `<${name}>${escapeText(String(value))}</${name}>`;
}

function escapeText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
