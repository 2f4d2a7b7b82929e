import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  HealthSettings,
  HealthState,
  initialHealthState,
  observe,
  reconfigure,
  reportedStatus,
} from '../../src/lab/healthcheck';

const plain: HealthSettings = { failureThreshold: 3, inverted: false, disabled: false };

/** Feeds 'S' (success) / 'F' (failure) outcomes at t = 1, 2, 3…; returns the reported status after each as 'H'/'U'. */
function run(
  outcomes: string,
  settings: HealthSettings,
  start: HealthState = initialHealthState(settings, 0),
): { trace: string; state: HealthState } {
  let state = start;
  let trace = '';
  [...outcomes].forEach((outcome, i) => {
    state = observe(state, { at: i + 1, ok: outcome === 'S' }, settings);
    trace += state.reported === 'Healthy' ? 'H' : 'U';
  });
  return { trace, state };
}

const table: Array<{ name: string; settings?: Partial<HealthSettings>; outcomes: string; expected: string }> = [
  { name: 'successes keep it healthy', outcomes: 'SSSS', expected: 'HHHH' },
  { name: 'fewer failures than the threshold change nothing', outcomes: 'FF', expected: 'HH' },
  { name: 'threshold consecutive failures flip to unhealthy', outcomes: 'FFF', expected: 'HHU' },
  { name: 'more failures stay unhealthy', outcomes: 'FFFFF', expected: 'HHUUU' },
  { name: 'a success resets the failure run', outcomes: 'FFSFFF', expected: 'HHHHHU' },
  { name: 'recovery needs threshold consecutive successes', outcomes: 'FFFSSS', expected: 'HHUUUH' },
  { name: 'a failure resets the success run', outcomes: 'FFFSSFSSS', expected: 'HHUUUUUUH' },
  { name: 'flapping never reaches the threshold', outcomes: 'FSFSFSFSFS', expected: 'HHHHHHHHHH' },
  {
    name: 'threshold 1 follows every outcome',
    settings: { failureThreshold: 1 },
    outcomes: 'FSFFS',
    expected: 'UHUUH',
  },
  {
    name: 'threshold 10 needs ten failures',
    settings: { failureThreshold: 10 },
    outcomes: 'FFFFFFFFFF',
    expected: 'HHHHHHHHHU',
  },
  { name: 'inverted reports the opposite', settings: { inverted: true }, outcomes: 'SSFFF', expected: 'UUUUH' },
  {
    name: 'disabled ignores outcomes and is healthy',
    settings: { disabled: true },
    outcomes: 'FFFFF',
    expected: 'HHHHH',
  },
  {
    name: 'disabled and inverted is unhealthy',
    settings: { disabled: true, inverted: true },
    outcomes: 'SSFFF',
    expected: 'UUUUU',
  },
];

for (const row of table) {
  test(`state: ${row.name}`, () => {
    const { trace } = run(row.outcomes, { ...plain, ...row.settings });
    assert.is(trace, row.expected);
  });
}

test('state: a new check starts Healthy (Unhealthy when inverted), since its creation', () => {
  const fresh = initialHealthState(plain, 1000);
  assert.equal(
    { reported: fresh.reported, since: fresh.since, lastCheckedAt: fresh.lastCheckedAt, streak: fresh.streak },
    { reported: 'Healthy', since: 1000, lastCheckedAt: null, streak: 0 },
  );
  assert.is(initialHealthState({ ...plain, inverted: true }, 0).reported, 'Unhealthy');
});

test('state: since moves only when the reported status flips; the run length is counted', () => {
  const { state } = run('FFFFS', plain);
  assert.is(state.since, 3, 'flipped on the third failure');
  assert.is(state.lastCheckedAt, 5);
  assert.is(state.streak, 1);
  assert.is(state.streakOk, true);
  assert.is(run('FFFFF', plain).state.streak, 5);
});

test('state: reportedStatus truth table (measured x disabled x inverted)', () => {
  const rows: Array<
    [HealthSettings['disabled'], HealthSettings['inverted'], 'Healthy' | 'Unhealthy', 'Healthy' | 'Unhealthy']
  > = [
    [false, false, 'Healthy', 'Healthy'],
    [false, false, 'Unhealthy', 'Unhealthy'],
    [false, true, 'Healthy', 'Unhealthy'],
    [false, true, 'Unhealthy', 'Healthy'],
    [true, false, 'Healthy', 'Healthy'],
    [true, false, 'Unhealthy', 'Healthy'],
    [true, true, 'Healthy', 'Unhealthy'],
    [true, true, 'Unhealthy', 'Unhealthy'],
  ];
  for (const [disabled, inverted, measured, expected] of rows) {
    assert.is(
      reportedStatus(measured, { failureThreshold: 3, disabled, inverted }),
      expected,
      `disabled=${disabled} inverted=${inverted} measured=${measured}`,
    );
  }
});

test('reconfigure: lowering the threshold below the current run flips at once', () => {
  const { state } = run('FF', plain);
  const lowered = { ...plain, failureThreshold: 2 };
  const next = reconfigure(state, plain, lowered, 50);
  assert.is(next.reported, 'Unhealthy');
  assert.is(next.since, 50);
});

test('reconfigure: raising the threshold does not undo a flip already made', () => {
  const { state } = run('FFF', plain);
  const next = reconfigure(state, plain, { ...plain, failureThreshold: 5 }, 50);
  assert.is(next.reported, 'Unhealthy');
  assert.is(next.since, 3);
});

test('reconfigure: toggling inverted flips the reported status immediately', () => {
  const { state } = run('SSS', plain);
  const inverted = reconfigure(state, plain, { ...plain, inverted: true }, 10);
  assert.is(inverted.reported, 'Unhealthy');
  assert.is(inverted.since, 10);
  const back = reconfigure(inverted, { ...plain, inverted: true }, plain, 20);
  assert.is(back.reported, 'Healthy');
  assert.is(back.since, 20);
});

test('reconfigure: disabling an unhealthy check reports Healthy; re-enabling restores the measured status', () => {
  const unhealthy = run('FFF', plain).state;
  const disabledSettings = { ...plain, disabled: true };
  const disabled = reconfigure(unhealthy, plain, disabledSettings, 10);
  assert.is(disabled.reported, 'Healthy');
  assert.is(disabled.streak, 0, 'the run ends when requests stop');
  const enabled = reconfigure(disabled, disabledSettings, plain, 20);
  assert.is(enabled.reported, 'Unhealthy');
  assert.is(run('SSS', plain, enabled).trace, 'UUH', 'recovery still needs a full run');
});

test('reconfigure: a run interrupted by disable/enable starts over', () => {
  const twoFailures = run('FF', plain).state;
  const disabledSettings = { ...plain, disabled: true };
  const reEnabled = reconfigure(reconfigure(twoFailures, plain, disabledSettings, 10), disabledSettings, plain, 20);
  assert.is(run('F', plain, reEnabled).trace, 'H', 'one failure after re-enabling is a run of one');
});

test('reconfigure: no change in settings keeps the state object', () => {
  const { state } = run('FS', plain);
  assert.is(reconfigure(state, plain, plain, 99), state);
});

test.run();
