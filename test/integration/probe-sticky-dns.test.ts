/**
 * The http probe's DNS cache on the lab: during a region outage with DNS failover, a
 * client that keeps answers for their TTL moves to the surviving region soon after the
 * record fails over; a sticky client (a JVM-like cache longer than the TTL) keeps sending
 * to the dead region until its cache lets it ask again.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EventOf, JournalEvent, SampleRow } from '../../src/core/events';
import { validateExperiment } from '../../src/experiment/validate';
import { runInline } from '../support/run';

const of = <T extends JournalEvent['type']>(events: JournalEvent[], type: T) =>
  events.filter((event): event is EventOf<T> => event.type === type);

/**
 * When a probe was last failing during the outage, and from when it was served by the surviving region without
 * failures. Only requests due before the revert began: a healed blackhole delivers every request it held at once
 * (those the clients gave up on too), and on one machine that burst slows both regions' answers past the 500 ms
 * timeout for a second or more, which is not this recovery.
 */
function recovery(
  client: string,
  rows: SampleRow[],
  t0: number,
  until: number,
): { lastFailureMs: number; firstOkAfterMs: number } {
  const sorted = rows.filter((row) => row[0] < until).sort((a, b) => a[0] - b[0]);
  const lastFailure = sorted.filter((row) => row[3] === 0).at(-1);
  const firstOkAfter = lastFailure && sorted.find((row) => row[0] > lastFailure[0] && row[3] === 1);
  assert.ok(
    lastFailure && firstOkAfter,
    `${client}: ${lastFailure ? 'never served again' : 'never failed'} before the revert began at ` +
      `+${Math.round(until - t0)} ms; what it saw, second by second:\n${seconds(sorted, t0)}`,
  );
  return { lastFailureMs: Math.round(lastFailure![0] - t0), firstOkAfterMs: Math.round(firstOkAfter![0] - t0) };
}

/** Rows per second since t0, by outcome and region: "+3 s: ok eu-west-1 ×12, TIMEOUT us-east-1 ×8". */
function seconds(rows: SampleRow[], t0: number): string {
  const bySecond = new Map<number, Map<string, number>>();
  for (const [t, , , ok, error, region] of rows) {
    const second = Math.floor((t - t0) / 1000);
    const outcomes = bySecond.get(second) ?? new Map<string, number>();
    const outcome = `${ok ? 'ok' : error || 'failed'} ${region || '(no region)'}`;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    bySecond.set(second, outcomes);
  }
  return [...bySecond]
    .map(([second, outcomes]) => `  +${second} s: ${[...outcomes].map(([what, n]) => `${what} ×${n}`).join(', ')}`)
    .join('\n');
}

test('schema: stickyFor defaults to 60s with cache sticky and is refused without it', () => {
  const base = { name: 'x', target: { kind: 'endpoints' as const, endpoints: { api: 'http://127.0.0.1:9' } } };
  const sticky = validateExperiment(
    { ...base, traffic: { kind: 'http', endpoint: 'api', dns: { cache: 'sticky' } } },
    'inline.ts',
  );
  assert.equal(sticky.traffic.dns, { cache: 'sticky', stickyFor: 60_000 });
  const plain = validateExperiment({ ...base, traffic: { kind: 'http', endpoint: 'api' } }, 'inline.ts');
  assert.equal(plain.traffic.dns, { cache: 'ttl' });
  assert.throws(
    () =>
      validateExperiment(
        { ...base, traffic: { kind: 'http', endpoint: 'api', dns: { stickyFor: '5s' } } },
        'inline.ts',
      ),
    /traffic\.dns\.stickyFor: only applies with cache: 'sticky'/,
  );
});

test('lab: a sticky client keeps hitting the dead region about stickyFor longer than a TTL-honouring one', async () => {
  // Its cache expires 6 s after the fault is due; the TTL client moves about 2 s after the fault is in, which a loaded
  // machine put 1 s late (with 6 s the two recoveries were 953 ms apart in a full suite run).
  const stickyForMs = 8_000;
  const result = await runInline({
    name: 'sticky vs ttl DNS cache',
    target: {
      kind: 'lab',
      api: 'direct',
      healthCheck: { interval: '300ms', failureThreshold: 2 },
      ttl: { app: '1s' },
      dir: '/nonexistent/so-an-ephemeral-lab-is-used',
    },
    // The subject is after the fault, so the steady state does not gate. Beside a neighbour's lab test, a just-started
    // lab timed out 6–12 of the first ~20 new-connection requests (500 ms), with undici's client and with ours alike.
    steadyState: { duration: '1s', successRatio: 0 },
    // New connections: every request consults the client's DNS cache, so the cache alone decides where it goes. The
    // app's index page, not /health: that opens a PostgreSQL connection per request, and once the sticky client joined
    // the ttl one in eu-west-1, 40 of them a second beside a neighbour's lab queued past the 500 ms timeout for good.
    traffic: {
      kind: 'http',
      name: 'ttl-client',
      endpoint: 'app',
      path: '/',
      rate: 20,
      timeout: '500ms',
      connection: 'new',
    },
    probes: [
      {
        kind: 'http',
        name: 'sticky-client',
        endpoint: 'app',
        path: '/',
        rate: 20,
        timeout: '500ms',
        connection: 'new',
        dns: { cache: 'sticky', stickyFor: `${stickyForMs}ms` },
      },
    ],
    faults: [
      {
        kind: 'regionOutage',
        name: 'us-east-1-offline',
        region: 'us-east-1',
        mode: 'blackhole',
        after: '1s',
        duration: '9s',
      },
    ],
    duration: '11s',
  });
  assert.ok(result.status === 'passed' || result.status === 'failed', `${result.status}: ${result.summary.reason}`);
  const t0 = of(result.events, 'observe.started')[0].t0;
  const rowsOf = (probe: string) =>
    of(result.events, 'traffic.samples')
      .filter((event) => event.probe === probe)
      .flatMap((event) => event.rows);
  const ttlRows = rowsOf('ttl-client');
  const stickyRows = rowsOf('sticky-client');
  const fault = result.summary.faults[0];
  const revertBegan = of(result.events, 'fault.reverting')[0].t;
  const ttl = recovery('ttl-client', ttlRows, t0, revertBegan);
  const sticky = recovery('sticky-client', stickyRows, t0, revertBegan);
  const firstStickyMs = Math.min(...stickyRows.map((row) => row[0])) - t0;
  console.log(
    `fault at +${fault.injectedAtMs} ms; ttl client recovered at +${ttl.firstOkAfterMs} ms, sticky ` +
      `client (stickyFor ${stickyForMs} ms, first request at +${Math.round(firstStickyMs)} ms) at ` +
      `+${sticky.firstOkAfterMs} ms`,
  );

  // The TTL client follows the failover record: detection (2 × 300 ms checks) + TTL 1 s, with slack.
  assert.ok(
    ttl.firstOkAfterMs - fault.injectedAtMs! < 3_500,
    `ttl client recovered ${ttl.firstOkAfterMs - fault.injectedAtMs!} ms after the fault`,
  );
  // The sticky client asked DNS when it started and again stickyFor later; only that second answer can name eu-west-1.
  assert.ok(
    sticky.firstOkAfterMs > ttl.firstOkAfterMs + 1_000,
    `sticky +${sticky.firstOkAfterMs} ms vs ttl +${ttl.firstOkAfterMs} ms`,
  );
  const expected = firstStickyMs + stickyForMs;
  assert.ok(
    Math.abs(sticky.firstOkAfterMs - expected) < 1_000,
    `sticky client recovered at +${sticky.firstOkAfterMs} ms, its cache expired at +${Math.round(expected)} ms`,
  );
  // Between the two recoveries the sticky client was still sending to the dead region (at 20/s, some 60 requests on an
  // idle machine; a loaded one delays the ttl client's recovery and shortens the gap, so only "several" is asserted).
  const stuck = stickyRows.filter(
    (row) => row[0] - t0 > ttl.firstOkAfterMs + 500 && row[0] - t0 < sticky.lastFailureMs,
  );
  assert.ok(
    stuck.length > 5 && stuck.every((row) => row[3] === 0),
    `${stuck.length} requests stuck on us-east-1 after the ttl client had moved`,
  );
  const servedAfter = stickyRows.filter((row) => row[0] - t0 > sticky.firstOkAfterMs && row[0] < revertBegan);
  assert.ok(
    servedAfter.length > 20 && servedAfter.every((row) => row[5] === 'eu-west-1'),
    'served by eu-west-1 from when its cache expired until the revert began',
  );
});

test.run();
