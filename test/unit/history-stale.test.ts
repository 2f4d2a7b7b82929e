/**
 * `staleAfter` in the history: drills older than their experiment's limit (or their
 * GameDay's, which validation gives each of its experiments; 30 days without one) are
 * flagged, and an experiment whose latest drill is that old is said to have no fresh
 * evidence — on the page and in history.json. Built from a real run's journal
 * (test/fixtures/journals), copied into run directories with the start time and staleAfter
 * each case needs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collectHistory, renderHistoryHtml } from '../../src/report/history';

const fixtures = path.join(__dirname, '..', 'fixtures', 'journals');
const day = 86_400_000;
const now = new Date('2026-12-03T12:00:00Z');

/** The fixture's events as objects. */
const events = (name: string) =>
  fs
    .readFileSync(path.join(fixtures, `${name}.ndjson`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, any>);

/**
 * A copy of a real run, started `daysAgo` before now, its spec carrying the staleAfter given (ms).
 * The unreachable-error run measured nothing, so its page has no chart to render.
 */
function runDir(root: string, name: string, daysAgo: number, staleAfter?: number): void {
  const fixture = events('unreachable-error');
  const shift = now.getTime() - daysAgo * day - fixture[0].t;
  const copy = fixture.map((event) => {
    const moved: Record<string, any> = { ...event, t: event.t + shift };
    if (event.type === 'run.started') moved.spec = { ...event.spec, staleAfter };
    return moved;
  });
  fs.mkdirSync(path.join(root, name), { recursive: true });
  fs.writeFileSync(path.join(root, name, 'journal.ndjson'), copy.map((event) => JSON.stringify(event)).join('\n'));
}

test('drills older than staleAfter are stale; an experiment whose latest drill is, has no fresh evidence', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-history-'));
  try {
    runDir(root, 'a-old', 45, 30 * day);
    runDir(root, 'b-older', 40, 30 * day);
    const history = collectHistory(root, now);
    const [group] = history.experiments;
    assert.is(group.staleAfterMs, 30 * day);
    assert.equal(
      group.runs.map((run) => run.stale),
      [true, true],
    );
    assert.is(group.stale, true);
    const html = await renderHistoryHtml(history);
    assert.match(html, /<span class="badge stale">stale<\/span> the latest drill ran 40d ago, staleAfter 30d/);

    // A fresh drill: the old ones stay flagged, the experiment is fresh again.
    runDir(root, 'c-fresh', 3, 30 * day);
    const fresh = collectHistory(root, now).experiments[0];
    assert.equal(
      fresh.runs.map((run) => run.stale),
      [true, true, false],
    );
    assert.is(fresh.stale, false);
    assert.match(
      await renderHistoryHtml(collectHistory(root, now)),
      /fresh: the latest drill ran 3d ago \(staleAfter 30d\)/,
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("no staleAfter: the default, 30 days; the latest drill's limit is the one applied", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-history-'));
  try {
    runDir(root, 'a', 29);
    assert.equal(
      collectHistory(root, now).experiments.map((group) => [group.staleAfterMs, group.stale, group.runs[0].stale]),
      [[30 * day, false, false]],
    );
    // A limit set since: the older drill is judged by it too.
    runDir(root, 'b', 10, 7 * day);
    const group = collectHistory(root, now).experiments[0];
    assert.equal([group.staleAfterMs, group.stale], [7 * day, true]);
    assert.equal(
      group.runs.map((run) => run.stale),
      [true, true],
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("a GameDay's drills are read inside its directory, each with the staleAfter its run recorded", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-history-'));
  try {
    fs.mkdirSync(path.join(root, 'day'));
    fs.copyFileSync(path.join(fixtures, 'gameday-no-go.ndjson'), path.join(root, 'day', 'journal.ndjson'));
    runDir(path.join(root, 'day'), '01-drill', 20, 14 * day);
    const [group] = collectHistory(root, now).experiments;
    assert.is(group.runs[0].dir, 'day/01-drill');
    assert.equal([group.staleAfterMs, group.stale], [14 * day, true]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test.run();
