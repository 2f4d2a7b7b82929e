/**
 * Turns caller input (TypeScript callers and JSON from the API alike) into a `Toxic`
 * with defaults applied, or an `InvalidToxicError` naming the field and what is valid.
 * Strict on unknown names: a misspelt attribute silently ignored would be a drill that
 * injected nothing.
 */
import { InvalidToxicError } from './errors';
import { streamDirections, type StreamDirection } from './stream-direction';
import type { Toxic } from './toxic';
import { isToxicType, toxicKind, toxicTypes, type ToxicType } from './toxics';
import type { ToxicAttributes } from './toxics/kind';

const toxicFields = ['name', 'type', 'stream', 'toxicity', 'attributes'] as const;
const patchFields = ['toxicity', 'attributes'] as const;

export function resolveToxic(input: unknown): Toxic {
  const fields = asObject(input, 'toxic');
  rejectUnknownNames(fields, toxicFields, 'toxic', 'fields');
  const type = resolveType(fields.type);
  const stream = resolveStream(fields.stream);
  const name = fields.name === undefined ? `${type}_${stream}` : resolveName(fields.name);
  const toxicity = fields.toxicity === undefined ? 1 : resolveToxicity(fields.toxicity, 'toxic.toxicity');
  const attributes = resolveAttributes(type, fields.attributes === undefined ? {} : fields.attributes);
  return Object.freeze({ name, type, stream, toxicity, attributes });
}

/**
 * Applies an update. `name`, `type` and `stream` may be repeated unchanged (Toxiproxy
 * clients send the whole toxic back) but not changed: that is a different toxic, so
 * remove and add instead.
 */
export function patchToxic(current: Toxic, patch: unknown): Toxic {
  const fields = asObject(patch, 'toxic');
  for (const identity of ['name', 'type', 'stream'] as const) {
    if (fields[identity] !== undefined && fields[identity] !== current[identity]) {
      throw new InvalidToxicError(
        `toxic.${identity}`,
        `cannot change ${identity} of toxic "${current.name}" ` +
          `(${JSON.stringify(current[identity])}); remove it and add a new one`,
      );
    }
  }
  rejectUnknownNames(fields, [...patchFields, 'name', 'type', 'stream'], 'toxic', 'fields');
  const toxicity =
    fields.toxicity === undefined ? current.toxicity : resolveToxicity(fields.toxicity, 'toxic.toxicity');
  const changedAttributes = fields.attributes === undefined ? {} : asObject(fields.attributes, 'toxic.attributes');
  const attributes = resolveAttributes(current.type, { ...current.attributes, ...changedAttributes });
  return Object.freeze({ ...current, toxicity, attributes });
}

function resolveType(value: unknown): ToxicType {
  if (isToxicType(value)) return value;
  const got = value === undefined ? 'missing' : `unknown toxic type ${JSON.stringify(value)}`;
  throw new InvalidToxicError('toxic.type', `${got}; valid types: ${toxicTypes.join(', ')}`);
}

function resolveStream(value: unknown): StreamDirection {
  if (value === undefined) return 'downstream';
  if (streamDirections.some((direction) => direction === value)) return value as StreamDirection;
  throw new InvalidToxicError(
    'toxic.stream',
    `must be ${streamDirections.map((d) => `"${d}"`).join(' or ')} (upstream = client to server), ` +
      `got ${JSON.stringify(value)}`,
  );
}

function resolveName(value: unknown): string {
  if (typeof value === 'string' && value.trim() !== '' && !value.includes('/')) return value;
  throw new InvalidToxicError('toxic.name', `must be a non-empty string without "/", got ${JSON.stringify(value)}`);
}

function resolveToxicity(value: unknown, field: string): number {
  if (typeof value === 'number' && value >= 0 && value <= 1) return value;
  throw new InvalidToxicError(field, `must be a number from 0 to 1, got ${JSON.stringify(value)}`);
}

function resolveAttributes(type: ToxicType, value: unknown): ToxicAttributes {
  const given = asObject(value, 'toxic.attributes');
  const specs = toxicKind(type).attributes;
  const described = Object.entries(specs).map(([name, spec]) => `${name} (${spec.unit})`);
  for (const name of Object.keys(given)) {
    if (!Object.prototype.hasOwnProperty.call(specs, name)) {
      throw new InvalidToxicError(
        `toxic.attributes.${name}`,
        `unknown attribute for ${type}; valid attributes: ${described.join(', ')}`,
      );
    }
  }
  const resolved: Record<string, number> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const field = `toxic.attributes.${name}`;
    const raw = given[name] ?? spec.default;
    if (raw === undefined) throw new InvalidToxicError(field, `required for ${type}: ${spec.summary} (${spec.unit})`);
    const tooSmall = typeof raw === 'number' && (spec.aboveMin ? raw <= spec.min : raw < spec.min);
    if (typeof raw !== 'number' || !Number.isFinite(raw) || tooSmall) {
      const bound = spec.aboveMin ? `> ${spec.min}` : `>= ${spec.min}`;
      throw new InvalidToxicError(field, `must be a number ${bound} (${spec.unit}), got ${JSON.stringify(raw)}`);
    }
    resolved[name] = raw;
  }
  return Object.freeze(resolved);
}

function asObject(value: unknown, field: string): Readonly<Record<string, unknown>> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new InvalidToxicError(field, `must be a JSON object, got ${value === null ? 'null' : typeof value}`);
}

function rejectUnknownNames(
  fields: Readonly<Record<string, unknown>>,
  valid: readonly string[],
  field: string,
  what: string,
): void {
  const unknown = Object.keys(fields).filter((name) => !valid.includes(name));
  if (unknown.length > 0) {
    throw new InvalidToxicError(`${field}.${unknown[0]}`, `unknown field; valid ${what}: ${valid.join(', ')}`);
  }
}
