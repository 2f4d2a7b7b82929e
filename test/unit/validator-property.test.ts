/**
 * The validator over thousands of random definitions: valid ones built field by field
 * from what the schema documents, invalid ones made by breaking exactly one thing in a
 * valid one. It must never throw anything but ExperimentValidationError, accept every
 * valid definition and reject every broken one.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ExperimentValidationError } from '../../src/experiment/errors';
import { validateExperiment } from '../../src/experiment/validate';

type Definition = Record<string, unknown>;

// ---------------------------------------------------------------- valid pieces

/** A duration string for `ms` in one of the spellings users write. */
const spelled = (ms: number) =>
  fc.constantFrom(
    `${ms}ms`,
    ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`,
    ms >= 60_000 && ms % 1000 === 0 ? `${Math.floor(ms / 60_000)}m${(ms % 60_000) / 1000}s` : `${ms}ms`,
  );
const durationBetween = (minMs: number, maxMs: number) =>
  fc.integer({ min: minMs, max: maxMs }).chain((ms) => spelled(ms).map((text) => ({ ms, text })));
const durationText = (minMs: number, maxMs: number) => durationBetween(minMs, maxMs).map(({ text }) => text);

const name = fc.string({ minLength: 1, maxLength: 60 }).filter((text) => text.trim().length > 0);
const ratio = fc.double({ min: 0, max: 1, noNaN: true });
const endpointName = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_-]{0,10}$/);
const statusRanges = fc
  .array(fc.tuple(fc.integer({ min: 100, max: 599 }), fc.integer({ min: 0, max: 99 })), { minLength: 1, maxLength: 3 })
  .map((ranges) =>
    ranges.map(([from, width]) => (width === 0 ? `${from}` : `${from}-${Math.min(599, from + width)}`)).join(','),
  );
const urlPath = fc.stringMatching(/^\/[a-z0-9/]{0,12}$/);
const stringMap = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 20 }), {
  maxKeys: 3,
});
/** Request headers: HTTP tokens for names (none the connection's own), values that cannot split a request. */
const headerMap = fc.dictionary(
  fc.stringMatching(/^x-[a-z0-9!#$%&'*+.^_`|~-]{1,10}$/),
  fc.string({ maxLength: 20 }).filter((value) => !/[\r\n\0]/.test(value)),
  { maxKeys: 3 },
);

const httpProbe = (endpoints: string[]) =>
  fc.record(
    {
      kind: fc.constant('http'),
      endpoint: fc.constantFrom(...endpoints),
      path: urlPath,
      method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'),
      headers: headerMap,
      rate: fc.double({ min: 0.01, max: 200_000, noNaN: true }),
      timeout: durationText(1, 300_000),
      successStatus: statusRanges,
      connection: fc.constantFrom('keep-alive', 'new'),
    },
    { requiredKeys: ['kind', 'endpoint'] },
  );

const stopCondition = fc.oneof(
  fc.record(
    { kind: fc.constant('errorRatio'), above: ratio, window: durationText(1, 60_000) },
    { requiredKeys: ['kind', 'above'] },
  ),
  fc.record(
    {
      kind: fc.constant('command'),
      run: fc.string({ minLength: 1, maxLength: 20 }),
      every: durationText(1, 60_000),
      timeout: durationText(1, 60_000),
    },
    { requiredKeys: ['kind', 'run'] },
  ),
);

/** Fault timing that fits the experiment: every fault starts before the end and ends by it. */
const timing = fc.record({
  after: durationBetween(0, 60_000),
  duration: fc.option(durationBetween(1, 60_000), { nil: undefined }),
});

const execFault = timing.chain(({ after, duration }) =>
  fc
    .record(
      {
        kind: fc.constant('exec'),
        after: fc.constant(after.text),
        duration: fc.constant(duration?.text),
        inject: fc.string({ minLength: 1, maxLength: 20 }),
        rollback: fc.string({ minLength: 1, maxLength: 20 }),
        timeout: durationText(1, 3_600_000),
        env: stringMap,
      },
      { requiredKeys: ['kind', 'inject', 'rollback'] },
    )
    .map((fault) => ({ fault: withoutUndefined(fault), endsAt: after.ms + (duration?.ms ?? 0), startsAt: after.ms })),
);

const labRegions = ['us-east-1', 'eu-west-1', 'us-west-2', 'ap-southeast-2', 'sa-east-1'];

const labFault = (regions: string[]) =>
  timing.chain(({ after, duration }) =>
    fc
      .oneof(
        fc.record({
          kind: fc.constant('regionOutage'),
          mode: fc.constantFrom('blackhole', 'stop'),
          scope: fc.constantFrom('all', 'cross-region'),
        }),
        fc.record({
          kind: fc.constant('latency'),
          link: fc.constantFrom('ingress', 'replication'),
          latency: durationText(1, 300_000),
          jitter: durationText(0, 300_000),
        }),
        fc.record({ kind: fc.constant('dbStop'), mode: fc.constantFrom('immediate', 'fast') }),
        fc.record({ kind: fc.constant('healthCheckFailure') }),
      )
      .chain((fault) =>
        fc
          .constantFrom(...regions)
          .map((region) => ({ ...fault, region, after: after.text, ...(duration ? { duration: duration.text } : {}) })),
      )
      .map((fault) => ({ fault, endsAt: after.ms + (duration?.ms ?? 0), startsAt: after.ms })),
  );

/** Names faults uniquely and sets an experiment duration (or none) that every fault fits in. */
function assemble(
  base: Definition,
  faults: Array<{ fault: Definition; endsAt: number; startsAt: number }>,
  extraMs: number,
  explicitDuration: boolean,
): Definition {
  const named = faults.map(({ fault }, index) => ({ ...fault, name: `fault-${index}` }));
  const needed = Math.max(1, ...faults.map(({ endsAt, startsAt }) => Math.max(endsAt, startsAt + 1)));
  return { ...base, faults: named, ...(explicitDuration ? { duration: `${needed + extraMs}ms` } : {}) };
}

const common = {
  description: fc.string({ maxLength: 30 }),
  hypothesis: fc.record(
    {
      rto: durationText(0, 600_000),
      recovery: fc.record({ successRatio: ratio, window: durationText(1, 60_000) }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  ),
  steadyState: fc.record(
    { duration: durationText(1, 60_000), successRatio: ratio, recoveryTimeout: durationText(1, 600_000) },
    { requiredKeys: [] },
  ),
  stopConditions: fc.array(stopCondition, { maxLength: 2 }),
  tags: fc.array(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: 3 }),
};

const endpointsExperiment = fc
  .uniqueArray(endpointName, { minLength: 1, maxLength: 3 })
  .chain((names) =>
    fc.record({
      name,
      target: fc.constant({
        kind: 'endpoints',
        endpoints: Object.fromEntries(names.map((n, i) => [n, `http://127.0.0.1:${9000 + i}`])),
      }),
      traffic: httpProbe(names),
      ...common,
      faults: fc.array(execFault, { maxLength: 3 }),
      extraMs: fc.integer({ min: 0, max: 60_000 }),
      explicitDuration: fc.boolean(),
    }),
  )
  .map(({ faults, extraMs, explicitDuration, ...base }) => assemble(base, faults, extraMs, explicitDuration));

const labExperiment = fc
  .shuffledSubarray(labRegions, { minLength: 2, maxLength: 4 })
  .chain((regions) =>
    fc.record({
      name,
      // api 'direct' offers every lab fault; through 'aws' some combinations are refused (tested by the corpus).
      target: fc.record(
        {
          kind: fc.constant('lab'),
          regions: fc.constant(regions),
          primary: fc.constantFrom(...regions),
          api: fc.constant('direct'),
        },
        { requiredKeys: ['kind', 'regions', 'api'] },
      ),
      traffic: httpProbe(['app', ...regions.map((region) => `app-${region}`)]),
      ...common,
      faults: fc.array(labFault(regions), { maxLength: 3 }),
      failover: fc.option(
        fc.record(
          {
            mode: fc.constantFrom('automatic', 'manual'),
            kind: fc.constantFrom('unplanned', 'planned'),
            from: fc.constant(regions[0]),
            to: fc.constant(regions[1]),
            failback: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
        { nil: undefined },
      ),
      extraMs: fc.integer({ min: 0, max: 60_000 }),
      explicitDuration: fc.boolean(),
    }),
  )
  .map(({ faults, extraMs, explicitDuration, failover, ...base }) =>
    assemble(
      failover
        ? {
            ...base,
            failover: {
              ...failover,
              from: (base.target as { primary?: string }).primary ?? failover.from,
              to: otherRegion(base.target as { regions: string[]; primary?: string }),
            },
          }
        : base,
      faults,
      extraMs,
      explicitDuration,
    ),
  );

const validExperiment = fc.oneof(endpointsExperiment, labExperiment);

function otherRegion(target: { regions: string[]; primary?: string }): string {
  const from = target.primary ?? target.regions[0];
  return target.regions.find((region) => region !== from)!;
}

function withoutUndefined<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

// ---------------------------------------------------------------- mutations

/** One change the schema must reject; `apply` edits a deep copy. */
interface Mutation {
  what: string;
  apply: (definition: Definition) => void;
}

const notADuration = fc.oneof(
  fc.constantFrom('soon', '5', '5 minutes', '-1s', '1.5.5s', 's', '', '10x', 'NaNs', '∞s'),
  fc.string({ maxLength: 8 }).filter((text) => !/^\s*(\d+(\.\d+)?(ms|s|m|h|d))+\s*$/.test(text)),
);
const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}));
const notANumber = fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // wrong types
  notAString.map((value) => ({
    what: `name = ${JSON.stringify(value)}`,
    apply: (d: Definition) => void (d.name = value),
  })),
  notANumber.map((value) => ({
    what: `traffic.rate = ${JSON.stringify(value)}`,
    apply: (d: Definition) => void ((d.traffic as Definition).rate = value),
  })),
  notAString.map((value) => ({
    what: `traffic.timeout = ${JSON.stringify(value)}`,
    apply: (d: Definition) => void ((d.traffic as Definition).timeout = value),
  })),
  fc
    .oneof(fc.string(), fc.integer(), fc.constant({}))
    .map((value) => ({ what: `faults = ${JSON.stringify(value)}`, apply: (d: Definition) => void (d.faults = value) })),
  fc
    .oneof(fc.string(), fc.integer(), fc.constant(null))
    .map((value) => ({ what: `target = ${JSON.stringify(value)}`, apply: (d: Definition) => void (d.target = value) })),
  fc.constant({ what: 'tags = [1]', apply: (d: Definition) => void (d.tags = [1]) }),
  // out of range
  fc
    .oneof(fc.double({ max: 0, noNaN: true }), fc.double({ min: 200_000.001, noNaN: true }), fc.constant(Number.NaN))
    .map((rate) => ({
      what: `traffic.rate = ${rate}`,
      apply: (d: Definition) => void ((d.traffic as Definition).rate = rate),
    })),
  fc.oneof(fc.double({ max: -1e-9, noNaN: true }), fc.double({ min: 1.000001, noNaN: true })).map((value) => ({
    what: `steadyState.successRatio = ${value}`,
    apply: (d: Definition) => void (d.steadyState = { ...(d.steadyState as Definition), successRatio: value }),
  })),
  fc.constantFrom('10m', '1h', '301s').map((text) => ({
    what: `traffic.timeout = ${text} (max 5m)`,
    apply: (d: Definition) => void ((d.traffic as Definition).timeout = text),
  })),
  fc
    .constantFrom('25h', '2d', '400d')
    .map((text) => ({ what: `duration = ${text} (max 24h)`, apply: (d: Definition) => void (d.duration = text) })),
  fc.constantFrom('0s', '0ms', '0m').map((text) => ({
    what: `steadyState.duration = ${text}`,
    apply: (d: Definition) => void (d.steadyState = { ...(d.steadyState as Definition), duration: text }),
  })),
  fc.constantFrom('999', '99', '200-600', '399-200', '2xx', '').map((text) => ({
    what: `traffic.successStatus = ${text}`,
    apply: (d: Definition) => void ((d.traffic as Definition).successStatus = text),
  })),
  // empty names
  fc
    .constantFrom('', ' ', '\t\n')
    .map((text) => ({ what: `name = ${JSON.stringify(text)}`, apply: (d: Definition) => void (d.name = text) })),
  // unknown keys, anywhere an object is strict
  fc
    .tuple(fc.constantFrom('', 'traffic', 'target', 'hypothesis', 'steadyState'), fc.stringMatching(/^[a-z]{1,8}$/))
    .map(([where, key]) => ({
      what: `unknown key ${where || '(top)'}.zz${key}`,
      apply: (d: Definition) => {
        const holder = where ? ((d[where] ??= {}) as Definition) : d;
        holder[`zz${key}`] = 1;
      },
    })),
  // bad durations
  notADuration.map((text) => ({
    what: `traffic.timeout = ${JSON.stringify(text)}`,
    apply: (d: Definition) => void ((d.traffic as Definition).timeout = text),
  })),
  notADuration.map((text) => ({
    what: `hypothesis.rto = ${JSON.stringify(text)}`,
    apply: (d: Definition) => void (d.hypothesis = { ...(d.hypothesis as Definition), rto: text }),
  })),
  notADuration.map((text) => ({
    what: `a fault's after = ${JSON.stringify(text)}`,
    apply: (d: Definition) =>
      void (d.faults as Definition[]).push({
        kind: 'exec',
        name: 'mutant',
        inject: 'true',
        rollback: 'true',
        after: text,
      }),
  })),
  // unknown kinds
  fc
    .string({ maxLength: 10 })
    .filter((kind) => !['http', 'ledger', 'function'].includes(kind))
    .map((kind) => ({
      what: `traffic.kind = ${JSON.stringify(kind)}`,
      apply: (d: Definition) => void ((d.traffic as Definition).kind = kind),
    })),
  fc
    .string({ maxLength: 10 })
    .filter((kind) => !['exec', 'regionOutage', 'latency', 'dbStop', 'healthCheckFailure'].includes(kind))
    .map((kind) => ({
      what: `fault kind ${JSON.stringify(kind)}`,
      apply: (d: Definition) => void (d.faults as Definition[]).push({ kind, name: 'mutant' }),
    })),
  fc
    .string({ maxLength: 10 })
    .filter((kind) => !['endpoints', 'lab', 'aws'].includes(kind))
    .map((kind) => ({
      what: `target.kind = ${JSON.stringify(kind)}`,
      apply: (d: Definition) => void ((d.target as Definition).kind = kind),
    })),
  // a required field gone
  fc
    .constantFrom('name', 'traffic')
    .map((field) => ({ what: `no ${field}`, apply: (d: Definition) => void delete d[field] })),
);

// ---------------------------------------------------------------- properties

function outcome(input: unknown): 'valid' | 'invalid' {
  try {
    validateExperiment(input, 'property.ts');
    return 'valid';
  } catch (error) {
    if (error instanceof ExperimentValidationError) {
      for (const issue of error.issues) assert.type(issue.message, 'string');
      return 'invalid';
    }
    throw error; // anything else is the validator crashing
  }
}

test('every valid definition is accepted', () => {
  fc.assert(
    fc.property(validExperiment, (definition) => {
      const result = outcome(definition);
      if (result !== 'valid') validateExperiment(definition, 'property.ts'); // fails with the issues
      return true;
    }),
    { numRuns: 1000 },
  );
});

test('every definition with one thing broken is rejected', () => {
  fc.assert(
    fc.property(validExperiment, mutation, (definition, change) => {
      const broken = structuredClone(definition);
      change.apply(broken);
      assert.is(outcome(broken), 'invalid', `accepted after ${change.what}: ${JSON.stringify(broken)}`);
    }),
    { numRuns: 2000 },
  );
});

test('anything at all: the validator returns or reports, never crashes', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.anything(),
        fc.object({ maxDepth: 3 }),
        validExperiment.chain((d) => fc.anything().map((junk) => ({ ...d, traffic: junk }))),
      ),
      (input) => {
        outcome(input);
      },
    ),
    { numRuns: 1000 },
  );
});

test.run();
