import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EventOf } from '../../src/core/events';
import { runInline } from '../support/run';

/**
 * Ground truth on the real lab: a blackhole of known length on one region's ingress,
 * with traffic pinned to that region (no DNS failover to hide it) on a path that needs no
 * database. The lab's blackhole holds bytes and lets them flow when it is lifted, as TCP
 * would after a healed partition, so a request sent less than its timeout before the end
 * is answered late but in time: the clients' outage is the blackhole's length minus the
 * probe timeout. The end is known to within the revert call (reverting → reverted).
 * The SLO's bad events must be exactly the failed requests the journal holds.
 */
const rate = 20;
const probeIntervalMs = 1000 / rate;
const timeoutMs = 1_000;

test('a blackhole of known length: RTO within one interval + 50 ms, the SLO counts exactly the failures', async () => {
  const result = await runInline({
    name: 'blackhole ground truth',
    target: { kind: 'lab', api: 'direct', dir: '/nonexistent/so-an-ephemeral-lab-is-used' },
    traffic: {
      kind: 'http',
      endpoint: 'app-us-east-1',
      path: '/',
      rate,
      timeout: `${timeoutMs}ms`,
      connection: 'new',
    },
    steadyState: { duration: '1s' },
    hypothesis: { recovery: { successRatio: 0.95, window: '1s' } },
    faults: [
      {
        kind: 'regionOutage',
        name: 'blackhole',
        region: 'us-east-1',
        mode: 'blackhole',
        after: '2s',
        duration: '3s',
      },
    ],
    slos: [
      { name: 'available', sli: 'availability', objective: 99.9, window: '30d' },
      { name: 'fast', sli: 'latency', objective: 99, threshold: '250ms', window: '30d' },
    ],
    duration: '8s',
  });
  const { summary } = result;
  const fault = summary.faults[0];
  assert.ok(fault.activeMs !== null && fault.activeMs >= 2_900, `blackhole active ${fault.activeMs} ms`);
  assert.ok(summary.rto.ms !== null, summary.rto.note ?? 'no RTO');
  const reverting = result.events.find(
    (event): event is EventOf<'fault.reverting'> => event.type === 'fault.reverting',
  )!;
  const reverted = result.events.find((event): event is EventOf<'fault.reverted'> => event.type === 'fault.reverted')!;
  const endUncertaintyMs = reverted.at - reverting.t;
  const clientOutageMs = fault.activeMs! - timeoutMs;
  const error = Math.abs(summary.rto.ms! - clientOutageMs);
  assert.ok(
    error <= probeIntervalMs + 50 + endUncertaintyMs,
    `RTO ${summary.rto.ms} ms vs blackhole ${fault.activeMs} ms − timeout ${timeoutMs} ms (error ` +
      `${error} ms; the revert call took ${endUncertaintyMs} ms)`,
  );

  // The SLO's events are the traffic's requests due from the start of the observation on.
  const t0 = result.events.find((event): event is EventOf<'observe.started'> => event.type === 'observe.started')!.t0;
  const rows = result.events
    .flatMap((event) => (event.type === 'traffic.samples' && event.probe === 'traffic' ? event.rows : []))
    .filter(([t]) => t >= t0);
  const failed = rows.filter(([, , , ok]) => ok === 0).length;
  const slowOrFailed = rows.filter(([, latency, , ok]) => ok === 0 || latency > 250).length;
  assert.ok(slowOrFailed > failed, 'requests answered late after the blackhole are bad for the latency SLO only');
  const [available, fast] = summary.slos;
  assert.is(available.events, rows.length);
  assert.is(available.badEvents, failed);
  assert.is(fast.badEvents, slowOrFailed);
  assert.ok(failed >= 30, `clients saw the blackhole (${failed} failed)`);
  const observedSeconds = summary.series[0].points.filter((point) => point.offsetMs >= 0).length;
  const expectedBudget = (failed / (0.001 * (rows.length / observedSeconds) * 30 * 86_400)) * 100;
  assert.ok(
    Math.abs(available.budgetConsumedPct! - expectedBudget) < 1e-3,
    `budget ${available.budgetConsumedPct}% vs ${expectedBudget}%`,
  );
  // A 3 s outage cannot page on a 30-day window: the 1h/5m pair needs 1.44% of an hour's requests to fail.
  assert.equal(
    available.alerts.map((alert) => alert.fired),
    [false, false, false, false],
  );
});

test.run();
