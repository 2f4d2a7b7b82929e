import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DurationError, formatDuration, parseDuration, tryParseDuration } from '../../src/core/duration';

const valid: Array<[string, number]> = [
  ['500ms', 500],
  ['0s', 0],
  ['30s', 30_000],
  ['1.5s', 1_500],
  ['2m', 120_000],
  ['1h', 3_600_000],
  ['1d', 86_400_000],
  ['1m30s', 90_000],
  ['1h2m3s4ms', 3_723_004],
  [' 10s ', 10_000],
];
for (const [input, ms] of valid) {
  test(`parses ${JSON.stringify(input)} as ${ms} ms`, () => assert.is(parseDuration(input), ms));
}

const invalid: unknown[] = [
  '',
  '10',
  's',
  '-5s',
  '5 s',
  '5sec',
  '1y',
  'PT5S',
  '1m-30s',
  10,
  null,
  undefined,
  {},
  '5s5',
];
for (const input of invalid) {
  test(`rejects ${JSON.stringify(input) ?? String(input)}`, () => {
    assert.is(tryParseDuration(input), undefined);
    assert.throws(
      () => parseDuration(input as string),
      (error: unknown) => error instanceof DurationError && /'500ms', '30s'/.test((error as Error).message),
    );
  });
}

const formatted: Array<[number, string]> = [
  [0, '0ms'],
  [850, '850ms'],
  [1_000, '1s'],
  [5_011, '5.01s'],
  [12_345, '12.3s'],
  [125_000, '2m05s'],
  [3_720_000, '1h02m'],
  [86_400_000, '1d'],
  [30 * 86_400_000, '30d'],
  [90_000_000, '25h'],
  [300_000, '5m'],
  [3_600_000, '1h'],
  [-1_500, '-1.5s'],
];
for (const [ms, text] of formatted) {
  test(`formats ${ms} ms as ${text}`, () => assert.is(formatDuration(ms), text));
}

test.run();
