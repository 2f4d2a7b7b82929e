/**
 * When a schedule is due, without a clock: cron in a timezone across DST changes (Europe/
 * Berlin, America/New_York, a half-hour zone), `every` from its anchor, what a scheduler
 * that was down missed; blackouts by date span, weekday and hour on the schedule's wall
 * clock; the random start inside a window, which never lands in a blackout; the next runs
 * `schedule list` shows; and the decisions a due run meets (halted, blackout, overlap).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scheduleSchema, type ParsedSchedule } from '../../src/experiment/schedule';
import { blackoutAt, freeSpans } from '../../src/schedule/blackout';
import { decideStart, planMissed } from '../../src/schedule/decide';
import { DueTimes } from '../../src/schedule/due-times';
import { formatLocal } from '../../src/schedule/local-time';
import { upcomingRuns } from '../../src/schedule/upcoming';
import { drawStart } from '../../src/schedule/window';
import { blackoutText, scheduleText } from '../../src/schedule/words';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const schedule = (config: object): ParsedSchedule => scheduleSchema.parse(config);

/** The next `count` due times after `from`, as ISO strings. */
function dues(config: object, from: string, count: number, anchor = 0): string[] {
  const times = new DueTimes(schedule(config), anchor);
  const out: string[] = [];
  for (let due = times.next(at(from)); due !== null && out.length < count; due = times.next(due)) out.push(iso(due)!);
  return out;
}

test('cron is read in its timezone, UTC when none is given', () => {
  assert.equal(dues({ cron: '0 9 * * *' }, '2026-12-03T00:00:00Z', 2), [
    '2026-12-03T09:00:00.000Z',
    '2026-12-04T09:00:00.000Z',
  ]);
  assert.equal(dues({ cron: '0 9 * * *', timezone: 'Asia/Kolkata' }, '2026-12-03T00:00:00Z', 1), [
    '2026-12-03T03:30:00.000Z',
  ]);
  assert.equal(dues({ cron: '0 10 * * TUE', timezone: 'Europe/Berlin' }, '2026-12-03T00:00:00Z', 2), [
    '2026-12-08T09:00:00.000Z',
    '2026-12-15T09:00:00.000Z',
  ]);
});

test('Europe/Berlin spring forward: a fixed time the clock skips runs when the clock has jumped', () => {
  // 2026-03-29 02:00 CET becomes 03:00 CEST: 02:30 does not exist that day.
  assert.equal(dues({ cron: '30 2 * * *', timezone: 'Europe/Berlin' }, '2026-03-27T12:00:00Z', 3), [
    '2026-03-28T01:30:00.000Z', // 02:30 CET
    '2026-03-29T01:00:00.000Z', // 03:00 CEST, the first minute after the gap
    '2026-03-30T00:30:00.000Z', // 02:30 CEST
  ]);
  // An interval job has no time in the gap, so that day has none of its runs.
  assert.equal(dues({ cron: '*/30 2 * * *', timezone: 'Europe/Berlin' }, '2026-03-28T00:00:00Z', 4), [
    '2026-03-28T01:00:00.000Z',
    '2026-03-28T01:30:00.000Z',
    '2026-03-30T00:00:00.000Z',
    '2026-03-30T00:30:00.000Z',
  ]);
});

test('Europe/Berlin fall back: a fixed time the clock shows twice runs once; an interval job runs on both', () => {
  // 2026-10-25 03:00 CEST becomes 02:00 CET: 02:00–02:59 happen twice.
  assert.equal(dues({ cron: '30 2 * * *', timezone: 'Europe/Berlin' }, '2026-10-24T12:00:00Z', 2), [
    '2026-10-25T00:30:00.000Z', // the first 02:30, CEST
    '2026-10-26T01:30:00.000Z', // 02:30 CET
  ]);
  assert.equal(dues({ cron: '*/30 2 * * *', timezone: 'Europe/Berlin' }, '2026-10-24T12:00:00Z', 4), [
    '2026-10-25T00:00:00.000Z',
    '2026-10-25T00:30:00.000Z',
    '2026-10-25T01:00:00.000Z',
    '2026-10-25T01:30:00.000Z',
  ]);
  // A weekly drill keeps its wall-clock time: one hour later in UTC after the change.
  assert.equal(dues({ cron: '0 10 * * TUE', timezone: 'Europe/Berlin' }, '2026-10-19T00:00:00Z', 2), [
    '2026-10-20T08:00:00.000Z',
    '2026-10-27T09:00:00.000Z',
  ]);
});

test('America/New_York: 09:00 moves in UTC on 8 March and 1 November 2026; 01:30 of the fall-back runs once', () => {
  assert.equal(dues({ cron: '0 9 * * *', timezone: 'America/New_York' }, '2026-03-07T00:00:00Z', 3), [
    '2026-03-07T14:00:00.000Z',
    '2026-03-08T13:00:00.000Z',
    '2026-03-09T13:00:00.000Z',
  ]);
  assert.equal(dues({ cron: '30 2 * * *', timezone: 'America/New_York' }, '2026-03-07T12:00:00Z', 2), [
    '2026-03-08T07:00:00.000Z', // 02:30 does not exist: 03:00 EDT
    '2026-03-09T06:30:00.000Z',
  ]);
  assert.equal(dues({ cron: '30 1 * * *', timezone: 'America/New_York' }, '2026-10-31T12:00:00Z', 2), [
    '2026-11-01T05:30:00.000Z', // 01:30 EDT, not again at 01:30 EST
    '2026-11-02T06:30:00.000Z',
  ]);
});

test('six fields: the first is seconds', () => {
  assert.equal(dues({ cron: '*/4 * * * * *' }, '2026-12-03T10:00:01Z', 3), [
    '2026-12-03T10:00:04.000Z',
    '2026-12-03T10:00:08.000Z',
    '2026-12-03T10:00:12.000Z',
  ]);
});

test('every counts whole periods from its anchor, whatever the wall clock does', () => {
  const anchor = at('2026-10-20T08:00:00Z');
  assert.equal(dues({ every: '7d', timezone: 'Europe/Berlin' }, '2026-10-19T00:00:00Z', 2, anchor), [
    '2026-10-27T08:00:00.000Z', // the first period after the anchor, not the anchor itself
    '2026-11-03T08:00:00.000Z',
  ]);
  const times = new DueTimes(schedule({ every: '1h' }), anchor);
  assert.is(iso(times.next(anchor + 3_600_000)), '2026-10-20T10:00:00.000Z', 'strictly after');
  assert.is(iso(times.latest(anchor + 3 * 3_600_000 + 5)), '2026-10-20T11:00:00.000Z');
  assert.is(times.latest(anchor + 10), null, 'nothing was due before the first period ended');
});

test('what a scheduler down for a while missed: counted, the first and the latest, never walked past a cap', () => {
  const cron = new DueTimes(schedule({ cron: '*/4 * * * * *' }), 0);
  assert.equal(cron.between(at('2026-12-03T10:00:00Z'), at('2026-12-03T10:00:13Z')), {
    first: at('2026-12-03T10:00:04Z'),
    latest: at('2026-12-03T10:00:12Z'),
    count: 3,
    capped: false,
  });
  assert.equal(cron.between(at('2026-12-03T10:00:00Z'), at('2026-12-03T10:00:03Z')), null, 'none due');
  // A day of a cron every second: the count stops at the cap, the latest is still exact.
  const busy = new DueTimes(schedule({ cron: '* * * * * *' }), 0);
  const day = busy.between(at('2026-12-03T00:00:00Z'), at('2026-12-04T00:00:00.500Z'), 1000)!;
  assert.equal(day, {
    first: at('2026-12-03T00:00:01Z'),
    latest: at('2026-12-04T00:00:00Z'),
    count: 1000,
    capped: true,
  });
  const every = new DueTimes(schedule({ every: '1h' }), at('2026-12-03T00:00:00Z'));
  assert.equal(every.between(at('2026-12-03T00:30:00Z'), at('2026-12-05T00:00:00Z')), {
    first: at('2026-12-03T01:00:00Z'),
    latest: at('2026-12-05T00:00:00Z'),
    count: 48,
    capped: false,
  });
});

test('blackout weekdays are the local ones: 00:30 on Saturday in Berlin is still Friday in UTC', () => {
  const rules = schedule({ every: '1d', blackout: [{ weekdays: ['sat', 'sun'] }] }).blackout;
  assert.ok(blackoutAt(rules, 'Europe/Berlin', at('2026-12-04T23:30:00Z')), 'Sat 00:30 CET');
  assert.not.ok(blackoutAt(rules, 'UTC', at('2026-12-04T23:30:00Z')), 'Fri 23:30 UTC');
  assert.not.ok(blackoutAt(rules, 'Europe/Berlin', at('2026-12-06T23:30:00Z')), 'Mon 00:30 CET');
  assert.ok(blackoutAt(rules, 'America/New_York', at('2026-12-07T03:00:00Z')), 'Sun 22:00 EST');
});

test('blackout hours over midnight, in the local time of either side of a DST change', () => {
  const rules = schedule({ every: '1d', blackout: [{ hours: '17:00-09:00' }] }).blackout;
  const ny = 'America/New_York';
  assert.ok(blackoutAt(rules, ny, at('2026-12-03T13:59:00Z')), '08:59 EST');
  assert.not.ok(blackoutAt(rules, ny, at('2026-12-03T14:00:00Z')), '09:00 EST');
  assert.not.ok(blackoutAt(rules, ny, at('2026-12-03T21:59:00Z')), '16:59 EST');
  assert.ok(blackoutAt(rules, ny, at('2026-12-03T22:00:00Z')), '17:00 EST');
  // In July the same local hours are an hour earlier in UTC.
  assert.not.ok(blackoutAt(rules, ny, at('2026-07-01T13:00:00Z')), '09:00 EDT');
  assert.ok(blackoutAt(rules, ny, at('2026-07-01T12:59:00Z')), '08:59 EDT');
  // Berlin's spring-forward night: 02:00–03:00 does not exist, so a blackout of exactly it never holds.
  const gap = schedule({ every: '1d', blackout: [{ hours: '02:00-03:00' }] }).blackout;
  assert.not.ok(blackoutAt(gap, 'Europe/Berlin', at('2026-03-29T01:00:00Z')), '03:00 CEST');
  assert.ok(blackoutAt(gap, 'Europe/Berlin', at('2026-03-30T00:30:00Z')), '02:30 CEST the next night');
});

test('a blackout span of dates is inclusive, from local midnight to local midnight', () => {
  const rules = schedule({
    every: '1d',
    blackout: [{ from: '2026-12-18', to: '2027-01-04', reason: 'year-end freeze' }, { from: '2026-11-26' }],
  }).blackout;
  const berlin = 'Europe/Berlin';
  assert.not.ok(blackoutAt(rules, berlin, at('2026-12-17T22:59:00Z')), '17 Dec 23:59 CET');
  assert.is(blackoutAt(rules, berlin, at('2026-12-17T23:00:00Z'))?.reason, 'year-end freeze', '18 Dec 00:00 CET');
  assert.ok(blackoutAt(rules, berlin, at('2027-01-04T22:59:00Z')), '4 Jan 23:59 CET');
  assert.not.ok(blackoutAt(rules, berlin, at('2027-01-04T23:00:00Z')), '5 Jan 00:00 CET');
  assert.ok(blackoutAt(rules, berlin, at('2026-11-26T12:00:00Z')), 'a single day');
  assert.not.ok(blackoutAt(rules, berlin, at('2026-11-27T00:00:00Z')), 'the day after it');
});

test('the parts of a rule hold together: Friday afternoons, not every Friday or every afternoon', () => {
  const rules = schedule({ every: '1d', blackout: [{ weekdays: ['fri'], hours: '15:00-24:00' }] }).blackout;
  assert.ok(blackoutAt(rules, 'UTC', at('2026-12-04T15:00:00Z')), 'Fri 15:00');
  assert.not.ok(blackoutAt(rules, 'UTC', at('2026-12-04T14:59:00Z')), 'Fri 14:59');
  assert.not.ok(blackoutAt(rules, 'UTC', at('2026-12-03T16:00:00Z')), 'Thu 16:00');
  assert.not.ok(blackoutAt(rules, 'UTC', at('2026-12-05T00:00:00Z')), 'Sat 00:00');
});

test('free spans: what no rule covers, merged, over a weekend and around an hour span', () => {
  const rules = schedule({ every: '1d', blackout: [{ weekdays: ['sat', 'sun'] }, { hours: '12:10-12:20' }] }).blackout;
  assert.equal(freeSpans(rules, 'UTC', at('2026-12-04T12:00:00Z'), at('2026-12-07T00:30:00Z')), [
    [at('2026-12-04T12:00:00Z'), at('2026-12-04T12:10:00Z')],
    [at('2026-12-04T12:20:00Z'), at('2026-12-05T00:00:00Z')],
    [at('2026-12-07T00:00:00Z'), at('2026-12-07T00:30:00Z')],
  ]);
  assert.equal(freeSpans([], 'UTC', 5, 10), [[5, 10]]);
  assert.equal(freeSpans(rules, 'UTC', at('2026-12-05T10:00:00Z'), at('2026-12-05T11:00:00Z')), []);
});

/** A repeatable sequence in [0, 1) (a linear congruential generator). */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

test('the window: a start drawn in [due, due + window), to the second', () => {
  const plain = schedule({ cron: '0 16 * * *', window: '2h' });
  const due = at('2026-12-04T16:00:00Z');
  assert.is(
    drawStart(plain, due, () => 0),
    due,
  );
  assert.is(
    drawStart(plain, due, () => 0.5),
    at('2026-12-04T17:00:00Z'),
  );
  assert.is(
    drawStart(plain, due, () => 0.999_999),
    at('2026-12-04T17:59:59Z'),
  );
  const noWindow = schedule({ cron: '0 16 * * *' });
  assert.is(
    drawStart(noWindow, due, () => 0.7),
    due,
    'no window: the due time itself',
  );
});

test('the window never lands in a blackout; a window the blackout covers whole is no start at all', () => {
  // 16:00–18:00 with 16:30–17:00 blacked out: 90 free minutes, 30 before the blackout and 60 after.
  const gapped = schedule({ cron: '0 16 * * *', window: '2h', blackout: [{ hours: '16:30-17:00' }] });
  const due = at('2026-12-04T16:00:00Z');
  assert.is(iso(drawStart(gapped, due, () => 0.5)), '2026-12-04T17:15:00.000Z', '45 free minutes in');
  const random = seeded(42);
  let before = 0;
  for (let i = 0; i < 3000; i++) {
    const start = drawStart(gapped, due, random)!;
    assert.ok(start >= due && start < due + 7_200_000, iso(start)!);
    assert.not.ok(blackoutAt(gapped.blackout, 'UTC', start), `${iso(start)} is in the blackout`);
    if (start < at('2026-12-04T16:30:00Z')) before++;
  }
  // A third of the free time lies before the blackout: about 1000 of 3000 draws (binomial sd ≈ 26).
  assert.ok(before > 880 && before < 1120, `${before} of 3000 before the blackout`);
  const covered = schedule({ cron: '0 16 * * *', window: '2h', blackout: [{ hours: '15:00-19:00' }] });
  assert.is(drawStart(covered, due, Math.random), null);
  const atDue = schedule({ cron: '0 16 * * *', blackout: [{ weekdays: ['fri'] }] });
  assert.is(drawStart(atDue, due, Math.random), null, 'no window: blacked out at the due time');
});

test('the next runs after blackout: skipped due times are named with their blackout', () => {
  const weekly = schedule({
    cron: '0 10 * * TUE',
    timezone: 'Europe/Berlin',
    blackout: [{ from: '2026-12-18', to: '2027-01-04', reason: 'year-end freeze' }],
  });
  const runs = upcomingRuns(weekly, 0, at('2026-12-03T00:00:00Z'), 5);
  assert.equal(
    runs.map((run) => [iso(run.due), run.blackout?.reason ?? null]),
    [
      ['2026-12-08T09:00:00.000Z', null],
      ['2026-12-15T09:00:00.000Z', null],
      ['2026-12-22T09:00:00.000Z', 'year-end freeze'],
      ['2026-12-29T09:00:00.000Z', 'year-end freeze'],
      ['2027-01-05T09:00:00.000Z', null],
      ['2027-01-12T09:00:00.000Z', null],
      ['2027-01-19T09:00:00.000Z', null],
    ],
  );
  // A window that still has free time after the blackout keeps its run.
  const windowed = schedule({ cron: '0 8 * * *', window: '4h', blackout: [{ hours: '08:00-10:00' }] });
  assert.equal(upcomingRuns(windowed, 0, at('2026-12-03T00:00:00Z'), 1)[0].blackout, null);
  // A blackout that never ends: the look-ahead bounds the search.
  const never = schedule({ every: '1d', blackout: [{ hours: '00:00-24:00' }] });
  assert.is(upcomingRuns(never, 0, 0, 5, 50).length, 50);
});

test('missed runs: run-once runs the latest and skips the rest; skip skips them all', () => {
  const span = { first: 1000, latest: 9000, count: 3, capped: false };
  const previous = (due: number) => due - 4000;
  assert.equal(planMissed(span, 'run-once', previous), {
    run: 9000,
    skipped: { count: 2, capped: false, first: 1000, last: 5000 },
  });
  assert.equal(planMissed({ ...span, count: 1, first: 9000 }, 'run-once', previous), { run: 9000, skipped: null });
  assert.equal(planMissed(span, 'skip', previous), {
    run: null,
    skipped: { count: 3, capped: false, first: 1000, last: 9000 },
  });
  const capped = planMissed({ ...span, count: 1000, capped: true }, 'run-once', previous).skipped!;
  assert.equal([capped.count, capped.capped], [1000, true], 'at least 1000 skipped');
});

test('a due run: the lever first, then the blackout, then a drill going (skip, or queue one)', () => {
  const busy = { entry: 'drills/a.ts', due: at('2026-12-03T10:00:00Z'), startedAt: at('2026-12-03T10:00:01Z') };
  const now = at('2026-12-03T10:02:01Z');
  const freeze = { from: '2026-12-03', reason: 'freeze' };
  const base = { halted: null, blackout: null, busy: null, overlap: 'skip' as const, queued: null, now };
  assert.equal(decideStart(base), { action: 'start' });
  const halted = decideStart({ ...base, halted: 'by ana: incident', blackout: freeze, busy });
  assert.equal(halted, { action: 'skip', cause: 'halted', reason: 'halted: by ana: incident' });
  const blackout = decideStart({ ...base, blackout: freeze, busy });
  assert.equal(blackout, { action: 'skip', cause: 'blackout', reason: 'blackout: freeze (2026-12-03)' });
  const skipped = decideStart({ ...base, busy });
  assert.equal(skipped, {
    action: 'skip',
    cause: 'overlap',
    reason: 'overlap: drills/a.ts (due 2026-12-03T10:00:00.000Z) has been running for 2m',
  });
  assert.is(decideStart({ ...base, busy, overlap: 'queue' }).action, 'queue');
  const second = decideStart({ ...base, busy, overlap: 'queue', queued: at('2026-12-03T10:01:00Z') });
  assert.is(second.action, 'skip', 'one run waits at most');
});

test('in words: cron through cronstrue, every, blackouts, local times', () => {
  assert.is(
    scheduleText(schedule({ cron: '0 10 * * TUE', timezone: 'Europe/Berlin' })),
    "At 10:00, only on Tuesday (cron '0 10 * * TUE')",
  );
  assert.is(scheduleText(schedule({ cron: '*/4 * * * * *' })), "Every 4 seconds (cron '*/4 * * * * *')");
  assert.is(scheduleText(schedule({ every: '7d' })), 'every 7d');
  const rules = schedule({
    every: '1d',
    blackout: [
      { weekdays: ['sun', 'sat'] },
      { from: '2026-12-18', to: '2027-01-04', reason: 'year-end freeze' },
      { weekdays: ['fri'], hours: '15:00-24:00' },
    ],
  }).blackout;
  assert.equal(rules.map(blackoutText), ['Sat, Sun', 'year-end freeze (2026-12-18 to 2027-01-04)', 'Fri 15:00-24:00']);
  assert.is(formatLocal(at('2026-12-08T09:00:00Z'), 'Europe/Berlin'), 'Tue 2026-12-08 10:00 GMT+1');
  assert.is(formatLocal(at('2026-07-07T13:00:04Z'), 'America/New_York'), 'Tue 2026-07-07 09:00:04 EDT');
});

test.run();
