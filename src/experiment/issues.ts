import { z } from 'zod';
import type { ExperimentIssue } from './errors';

/**
 * Zod's issues in a user's words: the field path as written (`faults[0].duration`), the
 * value that was given, the kinds or fields that are valid there. Experiments and GameDay
 * scenarios are checked by different schemas and worded by this one translation, so a
 * mistake reads the same in either file.
 */
export function issuesOf(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  file: string,
  schema: z.ZodType,
): ExperimentIssue[] {
  return issues.map((issue) => toIssue(issue, input, file, schema));
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function toIssue(issue: z.core.$ZodIssue, input: unknown, file: string, schema: z.ZodType): ExperimentIssue {
  const path = formatPath(issue.path);
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if ((issue as { discriminator?: string }).discriminator && options) {
        const kinds = options.map(String).join(', ');
        const message =
          value === undefined
            ? `is required; valid kinds: ${kinds}`
            : `unknown kind ${JSON.stringify(value)}; valid kinds: ${kinds}`;
        return { file, path, message };
      }
      return { file, path, message: issue.message };
    }
    case 'invalid_type': {
      if (value === undefined) return { file, path, message: `is required (expected ${issue.expected})` };
      // A field's own wording ("expected a duration like '30s'") says more than the bare type.
      const expected = hasOwnMessage(issue) ? issue.message : `expected ${issue.expected}`;
      return { file, path, message: `${expected}, got ${describeValue(value)}` };
    }
    case 'unrecognized_keys': {
      const valid = validKeysAt(issue.path, input, schema);
      const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
      const suffix = valid.length > 0 ? `; valid fields: ${valid.join(', ')}` : '';
      return { file, path, message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}${suffix}` };
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v)).join(', ');
      return { file, path, message: `expected one of ${values}, got ${describeValue(value)}` };
    }
    case 'too_small':
    case 'too_big':
    case 'not_multiple_of':
      // Say what was given, as a wrong type does: a long name or a big number is easier to find when quoted.
      if (typeof value === 'number') return { file, path, message: `${issue.message}, got ${describeValue(value)}` };
      return { file, path, message: issue.message };
    default:
      return { file, path, message: issue.message };
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** The field names the schema accepts at `path`, following discriminated unions by the input's kind. */
function validKeysAt(path: readonly PropertyKey[], input: unknown, root: z.ZodType): string[] {
  let schema: z.ZodType = root;
  let value: unknown = input;
  const unwrap = (s: z.ZodType): z.ZodType => {
    for (;;) {
      if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable)
        s = s.unwrap() as z.ZodType;
      else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
      else if (s instanceof z.ZodDiscriminatedUnion) {
        const kind = (value as { kind?: unknown } | undefined)?.kind;
        const match = (s.options as z.ZodType[]).find(
          (option) =>
            option instanceof z.ZodObject &&
            (option.shape as Record<string, z.ZodType>).kind instanceof z.ZodLiteral &&
            ((option.shape as Record<string, z.ZodLiteral>).kind.values as Set<unknown>).has(kind),
        );
        if (!match) return s;
        s = match;
      } else return s;
    }
  };
  schema = unwrap(schema);
  for (const key of path) {
    value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(key)];
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else return [];
    if (!schema) return [];
    schema = unwrap(schema);
  }
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** Zod's generic messages start "Invalid input"; anything else was written for the field. */
function hasOwnMessage(issue: z.core.$ZodIssue): boolean {
  return issue.message !== '' && !issue.message.startsWith('Invalid input');
}

export function isThenable(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Why a default export that is not an object cannot be read as one, when there is more to say than its type. */
export function notAnObjectHint(value: unknown, what: 'experiments' | 'scenarios'): string {
  if (isThenable(value)) return `; ${what} are loaded synchronously: export the object itself, not a promise of it`;
  if (typeof value === 'function')
    return '; export the object itself, not a function that builds it (call it: export default build())';
  return '';
}

export function describeValue(value: unknown): string {
  if (isThenable(value)) return 'a promise';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (typeof value === 'function') return 'a function';
  return typeof value;
}
