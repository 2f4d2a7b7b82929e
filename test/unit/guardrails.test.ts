import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ExperimentValidationError } from '../../src/experiment/errors';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { validateExperiment } from '../../src/experiment/validate';
import { assertConsent, ConsentRequiredError } from '../../src/engine/guardrails';

const awsTarget = {
  kind: 'aws' as const,
  accountIds: ['123456789012'],
  regions: ['us-east-1', 'us-west-2'],
  fis: { roleArn: 'arn:aws:iam::123456789012:role/fis' },
  resources: { 'us-east-1': { subnets: { tags: { tier: 'app' } }, dbInstances: { tags: { db: 'app' } } } },
  endpoints: { app: 'https://app.example.com' },
};

function experiment(
  overrides: Omit<Partial<ExperimentConfig>, 'target'> & { target?: Record<string, unknown> } = {},
): ExperimentConfig {
  return {
    name: 'guarded',
    traffic: { kind: 'http', endpoint: 'app' },
    faults: [{ kind: 'regionOutage', region: 'us-east-1', duration: '5m' }],
    ...overrides,
    target: { ...awsTarget, ...(overrides.target ?? {}) },
  } as ExperimentConfig;
}

function problems(config: ExperimentConfig): string[] {
  try {
    validateExperiment(config, 'x.ts');
    return [];
  } catch (error) {
    assert.instance(error, ExperimentValidationError);
    return (error as ExperimentValidationError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
}

test('aws: every fault but dbStop needs a duration within target.maxFaultDuration (default 30m)', () => {
  assert.equal(problems(experiment()), []);
  assert.equal(problems(experiment({ faults: [{ kind: 'regionOutage', region: 'us-east-1' }] })), [
    'faults[0].duration: is required against an aws target (at most target.maxFaultDuration, 30m): a ' +
      'fault in a real account must end by itself',
  ]);
  assert.equal(problems(experiment({ faults: [{ kind: 'regionOutage', region: 'us-east-1', duration: '31m' }] })), [
    'faults[0].duration: 31m exceeds target.maxFaultDuration (30m); raise target.maxFaultDuration ' +
      '(at most 6h) or shorten the fault',
  ]);
  assert.equal(
    problems(experiment({ faults: [{ kind: 'dbStop', region: 'us-east-1' }] })),
    [],
    'a reboot is instantaneous',
  );
  assert.equal(
    problems(
      experiment({
        target: { maxFaultDuration: '2h' },
        faults: [{ kind: 'regionOutage', region: 'us-east-1', duration: '90m' }],
      }),
    ),
    [],
  );
  assert.equal(problems(experiment({ target: { maxFaultDuration: '7h' } })), [
    'target.maxFaultDuration: must be at most 6h, got "7h"',
  ]);
  assert.equal(problems(experiment({ target: { allowCI: 'yes' } })), ['target.allowCI: expected boolean, got "yes"']);
});

test('the lab needs no duration cap', () => {
  const lab = {
    name: 'lab',
    traffic: { kind: 'http', endpoint: 'app' },
    faults: [{ kind: 'regionOutage', region: 'us-east-1' }],
  } as ExperimentConfig;
  assert.equal(problems(lab), []);
});

test('consent: aws needs --yes, or CI=true with target.allowCI; other targets need nothing', () => {
  const aws = validateExperiment(experiment(), 'x.ts');
  const awsCI = validateExperiment(experiment({ target: { allowCI: true } }), 'x.ts');
  const lab = validateExperiment({ name: 'lab', traffic: { kind: 'http', endpoint: 'app' } }, 'x.ts');
  assert.throws(
    () => assertConsent(aws, { yes: false }, 'run'),
    (error: Error) => error instanceof ConsentRequiredError && /then run again with --yes/.test(error.message),
  );
  assert.throws(
    () => assertConsent(aws, { yes: false, ci: 'true' }, 'failover'),
    (error: Error) => /`gameday failover` .*target\.allowCI: true/.test(error.message),
  );
  assert.throws(() => assertConsent(awsCI, { yes: false, ci: '1' }, 'run'), /--yes/, 'only CI=true counts');
  assertConsent(aws, { yes: true }, 'run');
  assertConsent(awsCI, { yes: false, ci: 'true' }, 'run');
  assertConsent(lab, { yes: false }, 'run');
});

test.run();
