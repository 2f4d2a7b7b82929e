/**
 * A warm standby's capacity model, without processes: each worker's token bucket (its
 * rate, a second's burst, refilled over time) and the app's capacity configuration,
 * refused field by field when it makes no sense.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CapacityLimit } from '../../src/lab/app/capacity';
import { AppConfigError, parseAppConfig } from '../../src/lab/app/config';

test('a worker serves its rate: a quarter second’s burst, then as the bucket refills', () => {
  let clock = 0;
  const limit = new CapacityLimit(20, () => clock);
  const served = Array.from({ length: 15 }, () => limit.take()).filter(Boolean).length;
  assert.is(served, 5, 'a full bucket: a quarter second of requests at once');
  clock += 100;
  assert.equal(
    Array.from({ length: 4 }, () => limit.take()),
    [true, true, false, false],
    'a tenth of a second refills a tenth of the rate',
  );
  clock += 60_000;
  assert.is(Array.from({ length: 20 }, () => limit.take()).filter(Boolean).length, 5, 'idle time banks no more');
  // A steady stream at the rate is served whole; at twice the rate, half of it.
  let served1 = 0;
  let served2 = 0;
  const steady = new CapacityLimit(20, () => clock);
  for (let i = 0; i < 200; i++) {
    clock += 50;
    if (steady.take()) served1++;
  }
  for (let i = 0; i < 400; i++) {
    clock += 25;
    if (steady.take()) served2++;
  }
  assert.is(served1, 200);
  assert.ok(Math.abs(served2 - 200) <= 5, `${served2} of 400 at twice the rate`);
  assert.is(new CapacityLimit(2, () => clock).take(), true, 'a slow worker still holds one token');
});

const config = (capacity: unknown) => ({
  region: 'eu-west-1',
  host: '127.0.0.3',
  port: 0,
  localDb: { host: '127.0.0.3', port: 5432, user: 'postgres', database: 'postgres' },
  writer: { host: '127.0.0.2', port: 5433 },
  capacity,
});

test('capacity: workers within min..max workers, each field a whole number in range', () => {
  const parsed = parseAppConfig(config({ workers: 1, minWorkers: 1, maxWorkers: 4, rpsPerWorker: 15 }), 'test');
  assert.equal(parsed.capacity, { workers: 1, minWorkers: 1, maxWorkers: 4, rpsPerWorker: 15 });
  assert.is(parseAppConfig({ ...config(undefined), capacity: undefined }, 'test').capacity, undefined);
  for (const [capacity, message] of [
    [{ workers: 0, minWorkers: 1, maxWorkers: 4, rpsPerWorker: 15 }, 'capacity.workers must be an integer 1..16'],
    [{ workers: 1, minWorkers: 1, maxWorkers: 4 }, 'capacity.rpsPerWorker must be an integer 1..10000'],
    [{ workers: 5, minWorkers: 1, maxWorkers: 4, rpsPerWorker: 15 }, 'capacity.workers must be within'],
    [{ workers: 2, minWorkers: 3, maxWorkers: 2, rpsPerWorker: 15 }, 'capacity.minWorkers must be at most'],
    ['four', 'capacity must be an object'],
  ] as const) {
    try {
      parseAppConfig(config(capacity), 'test');
      assert.unreachable(JSON.stringify(capacity));
    } catch (error) {
      assert.instance(error, AppConfigError);
      assert.match((error as Error).message, message);
    }
  }
});

test.run();
