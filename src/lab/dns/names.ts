/** Domain names in the zone are compared lowercased, absolute, with one trailing dot. */

export function normalizeName(name: string): string {
  const trimmed = name.trim().toLowerCase().replace(/\.+$/, '');
  return trimmed === '' ? '.' : `${trimmed}.`;
}

/** True for the origin itself and every name below it; both arguments normalized. */
export function isInZone(name: string, origin: string): boolean {
  return origin === '.' || name === origin || name.endsWith(`.${origin}`);
}

const labelPattern = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * Why a (normalized) name can't be a record name, or undefined when it can: RFC 1035 lengths
 * (labels up to 63 bytes, the name up to 255), letters, digits, hyphen and underscore.
 * Wildcards are refused rather than stored, because the lab does not implement RFC 4592 matching.
 */
export function domainNameProblem(name: string): string | undefined {
  if (name === '.') return 'the root is not a record name';
  if (name.length > 254) return `the name is ${name.length - 1} characters; at most 253 are allowed`;
  const labels = name.slice(0, -1).split('.');
  if (labels.some((label) => label === '*')) return 'wildcard records are not supported by the lab';
  const bad = labels.find((label) => !labelPattern.test(label));
  if (bad !== undefined) {
    return `label '${bad}' is not 1-63 letters, digits, '-' or '_' (not starting or ending with '-')`;
  }
  return undefined;
}
