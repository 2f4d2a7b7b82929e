/** How a steady-state check that was not met says what the clients got, in the abort reason and the timeline. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EventOf } from '../../src/core/events';
import { describeFailures } from '../../src/analysis/format';
import { timelineText } from '../../src/analysis/timeline';

test('failures are counted against the window, most frequent first', () => {
  assert.is(describeFailures(19, { TIMEOUT: 1 }), '1 of 19 requests failed: TIMEOUT ×1');
  assert.is(
    describeFailures(40, { ECONNREFUSED: 2, 'HTTP 503': 5 }),
    '7 of 40 requests failed: HTTP 503 ×5, ECONNREFUSED ×2',
  );
  assert.is(describeFailures(20, {}), 'none of 20 requests failed');
  assert.is(describeFailures(0, {}), 'no requests in the window');
});

const steady = (ok: boolean, failures?: Record<string, number>): EventOf<'steady-state'> => ({
  seq: 3,
  t: 1_000,
  type: 'steady-state',
  when: 'before',
  ok,
  successRatio: ok ? 1 : 18 / 19,
  required: 0.99,
  samples: ok ? 20 : 19,
  ...(failures ? { failures } : {}),
});

test('the timeline names the failures of a window that was not met, and only then', () => {
  assert.is(
    timelineText(steady(false, { TIMEOUT: 1 })),
    'steady state before: NOT met (94.7% of 19 requests, need 99.0%; 1 of 19 requests failed: TIMEOUT ×1)',
  );
  assert.is(timelineText(steady(true, {})), 'steady state before: ok (100.0% of 20 requests, need 99.0%)');
  // Journals written before the failures were kept.
  assert.is(timelineText(steady(false)), 'steady state before: NOT met (94.7% of 19 requests, need 99.0%)');
});

test.run();
