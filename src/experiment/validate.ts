import { z } from 'zod';
import { ExperimentIssue, ExperimentValidationError } from './errors';
import type { ResolvedFault } from '../faults';
import { experimentSchema } from './schema';

/** What the schema gives: defaults applied, durations in ms; faults not yet named, the duration not yet resolved. */
type ParsedExperiment = z.output<typeof experimentSchema>;

export type { ResolvedFault };

/** An experiment ready to run: validated, defaults applied, every duration in ms. */
export type Experiment = Omit<ParsedExperiment, 'faults' | 'duration'> & {
  faults: ResolvedFault[];
  /** Observation length in ms. */
  duration: number;
  /** The file it came from, for messages and reports. */
  file: string;
};

/** Observation continues this long after the last fault ends, unless the file says otherwise. */
export const defaultTailMs = 15_000;

/**
 * Validates an experiment definition. Returns the resolved experiment or throws
 * ExperimentValidationError carrying one issue per problem.
 */
export function validateExperiment(input: unknown, file: string): Experiment {
  if (input === null || typeof input !== 'object' || Array.isArray(input) || isThenable(input)) {
    throw new ExperimentValidationError([
      {
        file,
        path: '',
        message:
          `expected an experiment object (export default defineExperiment({...})), got ` +
          `${describe(input)}${notAnObjectHint(input)}`,
      },
    ]);
  }
  let parsed: ReturnType<typeof experimentSchema.safeParse>;
  try {
    parsed = experimentSchema.safeParse(input);
  } catch (error) {
    // A getter or proxy in the file that throws while we read it: the file's fault, said as such.
    throw new ExperimentValidationError([
      {
        file,
        path: '',
        message: `reading the exported experiment threw: ${error instanceof Error ? error.message : String(error)}`,
      },
    ]);
  }
  if (!parsed.success) {
    throw new ExperimentValidationError(parsed.error.issues.map((issue) => toExperimentIssue(issue, input, file)));
  }
  return resolve(parsed.data, file);
}

function resolve(spec: ParsedExperiment, file: string): Experiment {
  const faults = spec.faults.map((fault, index) => ({ ...fault, name: fault.name ?? `${fault.kind}-${index + 1}` }));
  const lastFaultEnd = Math.max(0, ...faults.map((fault) => fault.after + (fault.duration ?? 0)));
  return { ...spec, faults, duration: spec.duration ?? lastFaultEnd + defaultTailMs, file };
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function toExperimentIssue(issue: z.core.$ZodIssue, input: unknown, file: string): ExperimentIssue {
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
      return { file, path, message: `${expected}, got ${describe(value)}` };
    }
    case 'unrecognized_keys': {
      const valid = validKeysAt(issue.path, input);
      const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
      const suffix = valid.length > 0 ? `; valid fields: ${valid.join(', ')}` : '';
      return { file, path, message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}${suffix}` };
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v)).join(', ');
      return { file, path, message: `expected one of ${values}, got ${describe(value)}` };
    }
    case 'too_small':
    case 'too_big':
    case 'not_multiple_of':
      // Say what was given, as a wrong type does: a long name or a big number is easier to find when quoted.
      if (typeof value === 'number') return { file, path, message: `${issue.message}, got ${describe(value)}` };
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
function validKeysAt(path: readonly PropertyKey[], input: unknown): string[] {
  let schema: z.ZodType = experimentSchema as unknown as z.ZodType;
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

function isThenable(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function notAnObjectHint(value: unknown): string {
  if (isThenable(value)) return '; experiments are loaded synchronously: export the object itself, not a promise of it';
  if (typeof value === 'function')
    return '; export the object itself, not a function that builds it (call it: export default build())';
  return '';
}

function describe(value: unknown): string {
  if (isThenable(value)) return 'a promise';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (typeof value === 'function') return 'a function';
  return typeof value;
}
