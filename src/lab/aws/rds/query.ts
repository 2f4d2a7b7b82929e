import { RdsError } from './errors';

/**
 * The AWS Query protocol's request side: `Action=DescribeGlobalClusters&Version=2014-10-31&…`,
 * form-encoded in a POST body (the SDKs) or in the URL's query string (also accepted by AWS).
 * Structures flatten to dotted names and lists to 1-based members under the list's member
 * name: `Filters.Filter.1.Name=db-cluster-id&Filters.Filter.1.Values.Value.1=…`. An empty
 * list is sent as the bare name with an empty value (`Filters=`).
 */

export const rdsApiVersion = '2014-10-31';

export interface QueryFilter {
  name: string;
  values: string[];
}

export class QueryParams {
  private constructor(private readonly values: ReadonlyMap<string, string>) {}

  /** The URL's query string and the form body together; a name in both takes the body's value. */
  static parse(url: string | undefined, body: string): QueryParams {
    const values = new Map<string, string>();
    const query = (url ?? '').split('?')[1];
    for (const source of [query ?? '', body]) {
      for (const [name, value] of new URLSearchParams(source)) values.set(name, value);
    }
    return new QueryParams(values);
  }

  get action(): string | undefined {
    return this.values.get('Action') || undefined;
  }

  get version(): string | undefined {
    return this.values.get('Version') || undefined;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  string(name: string): string | undefined {
    return this.values.get(name);
  }

  requiredString(name: string): string {
    const value = this.values.get(name);
    if (value === undefined || value === '')
      throw new RdsError('MissingParameter', `The request must contain the parameter ${name}`);
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    if (/^true$/i.test(value)) return true;
    if (/^false$/i.test(value)) return false;
    throw new RdsError(
      'InvalidParameterValue',
      `Invalid value ${JSON.stringify(value)} for ${name}: expected true or false`,
    );
  }

  integer(name: string, range?: { min: number; max: number }): number | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    const number = /^-?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number))
      throw new RdsError(
        'InvalidParameterValue',
        `Invalid value ${JSON.stringify(value)} for ${name}: expected an integer`,
      );
    if (range && (number < range.min || number > range.max)) {
      throw new RdsError(
        'InvalidParameterValue',
        `Invalid value ${number} for ${name}: must be between ${range.min} and ${range.max}`,
      );
    }
    return number;
  }

  /**
   * A list's members in index order: the sub-prefixes `<name>.<member>.1`, `….2`, … that
   * have at least one parameter. Indexes need not be contiguous; duplicates cannot occur.
   */
  listPrefixes(name: string, member: string): string[] {
    const pattern = new RegExp(`^${escapeRegExp(name)}\\.${escapeRegExp(member)}\\.(\\d+)(?:\\.|$)`);
    const indexes = new Set<number>();
    for (const key of this.values.keys()) {
      const match = pattern.exec(key);
      if (match) indexes.add(Number(match[1]));
    }
    return [...indexes].sort((a, b) => a - b).map((index) => `${name}.${member}.${index}`);
  }

  /** A list of strings (`<name>.<member>.N=value`). */
  stringList(name: string, member: string): string[] {
    return this.listPrefixes(name, member).map((prefix) => this.values.get(prefix) ?? '');
  }

  /**
   * `Filters.Filter.N.Name` / `Filters.Filter.N.Values.Value.M`, checked against the filter
   * names the operation supports.
   */
  filters(supported: readonly string[]): QueryFilter[] {
    return this.listPrefixes('Filters', 'Filter').map((prefix) => {
      const name = this.values.get(`${prefix}.Name`);
      if (!name)
        throw new RdsError(
          'InvalidParameterValue',
          `${prefix}.Name is required: every filter needs a name (${supported.join(', ')})`,
        );
      if (!supported.includes(name)) {
        throw new RdsError(
          'InvalidParameterValue',
          `Unrecognized filter name: ${name}. Supported filters: ${supported.join(', ')}`,
        );
      }
      const values = this.stringList(`${prefix}.Values`, 'Value');
      if (values.length === 0)
        throw new RdsError(
          'InvalidParameterValue',
          `Filter ${name} (${prefix}) needs at least one value in ${prefix}.Values.Value.N`,
        );
      return { name, values };
    });
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
