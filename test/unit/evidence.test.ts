/**
 * Evidence (evidence.json) and `gameday verify`, on run directories built from real run
 * journals (test/fixtures/journals) with the real report writers (no PDF, no lab): each
 * run is sealed after its reports, chained to the one before, its page states the seal's
 * hash, and any byte changed afterwards — in a journal, a report, an evidence file — is
 * named. Hashes are recomputed here with node:crypto, not read back from the code.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ciJob } from '../../src/engine/ran-by';
import { rerenderRun } from '../../src/report/rerender';
import { verifyEvidence } from '../../src/report/verify-evidence';

const fixtures = path.join(__dirname, '..', 'fixtures', 'journals');
const runs = ['run-1', 'run-2', 'run-3'];
let reports: string;

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const evidenceOf = (run: string) => JSON.parse(fs.readFileSync(path.join(reports, run, 'evidence.json'), 'utf8'));
const canonical = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonical).join(',')}]`
    : value !== null && typeof value === 'object'
      ? `{${Object.keys(value)
          .sort()
          .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
          .join(',')}}`
      : JSON.stringify(value);

/** A run directory holding a fixture's journal, its run.started given who ran it (as today's engine writes). */
function runDirFrom(fixture: string, run: string, started: Record<string, unknown> = {}): string {
  const dir = path.join(reports, run);
  fs.mkdirSync(dir, { recursive: true });
  const lines = fs.readFileSync(path.join(fixtures, `${fixture}.ndjson`), 'utf8').split('\n');
  const first = { ...JSON.parse(lines[0]), ...started };
  fs.writeFileSync(path.join(dir, 'journal.ndjson'), [JSON.stringify(first), ...lines.slice(1)].join('\n'));
  return dir;
}

/** Three runs sealed once (rendering their pages takes a while); each test gets its own copy of them. */
let pristine: string;
test.before(async () => {
  pristine = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-evidence-pristine-'));
  reports = pristine;
  const fixture = ['failover-passed', 'rto-missed-failed', 'held-to-end-failed'];
  for (const [index, run] of runs.entries()) {
    const dir = runDirFrom(fixture[index], run, {
      user: 'ana',
      host: 'ci-runner-7',
      ci: {
        provider: 'github-actions',
        job: 'resilience / gate (run 42)',
        url: 'https://github.com/o/r/actions/runs/42',
      },
      fileSha256: 'ab'.repeat(32),
    });
    const { reports: outcome } = await rerenderRun(dir, { pdf: false });
    assert.equal(outcome.problems, [], `${run} reports`);
  }
});
test.after(() => fs.rmSync(pristine, { recursive: true, force: true }));
test.before.each(() => {
  reports = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-evidence-'));
  fs.cpSync(pristine, reports, { recursive: true });
});
test.after.each(() => fs.rmSync(reports, { recursive: true, force: true }));

test('each run is sealed after its reports, chained to the one sealed before it; the page states the seal', () => {
  const [first, second, third] = runs.map(evidenceOf);
  assert.is(first.seal.previous, null);
  assert.equal(second.seal.previous, {
    run: 'run-1',
    sha256: sha256(fs.readFileSync(path.join(reports, 'run-1', 'evidence.json'))),
  });
  assert.is(third.seal.previous.run, 'run-2');
  for (const run of runs) {
    const evidence = evidenceOf(run);
    const dir = path.join(reports, run);
    assert.is(evidence.schema, 'gameday/evidence/v1');
    assert.is(evidence.sealSha256, sha256(canonical(evidence.seal)), `${run}: the seal hashes to sealSha256`);
    assert.is(evidence.seal.journal.sha256, sha256(fs.readFileSync(path.join(dir, 'journal.ndjson'))));
    assert.equal(
      evidence.reports.map((digest: { file: string }) => digest.file),
      ['summary.json', 'report.md', 'report.html', 'junit.xml'],
    );
    for (const digest of evidence.reports)
      assert.is(digest.sha256, sha256(fs.readFileSync(path.join(dir, digest.file))), digest.file);
    assert.ok(fs.readFileSync(path.join(dir, 'report.html'), 'utf8').includes(evidence.sealSha256), 'page states it');
    assert.equal(evidence.seal.ranBy, {
      user: 'ana',
      host: 'ci-runner-7',
      ci: {
        provider: 'github-actions',
        job: 'resilience / gate (run 42)',
        url: 'https://github.com/o/r/actions/runs/42',
      },
    });
    assert.equal(evidence.seal.definition.sha256, 'ab'.repeat(32));
    assert.match(evidence.seal.definition.file, /^test\/fixtures\/journals\/.*\.experiment\.ts$/);
  }
  const verification = verifyEvidence(reports);
  assert.ok(verification.ok);
  assert.equal(
    verification.runs.map((run) => [run.run, run.status, run.files]),
    runs.map((run) => [run, 'ok', 5]),
  );
});

test('one byte of an old journal changed: verify fails and names the file; the runs after it still verify', () => {
  const journal = path.join(reports, 'run-1', 'journal.ndjson');
  const bytes = fs.readFileSync(journal);
  const at = bytes.indexOf('"passed"');
  bytes[at + 1] = 'P'.charCodeAt(0);
  fs.writeFileSync(journal, bytes);
  const verification = verifyEvidence(reports);
  assert.not.ok(verification.ok);
  const [first, ...rest] = verification.runs;
  assert.is(first.status, 'changed');
  assert.match(first.problems.join('\n'), /^journal\.ndjson changed since the run was sealed \(sha256 [0-9a-f]{12}…/);
  assert.ok(rest.every((run) => run.status === 'ok'));
  // Verifying the one run directory alone says the same.
  assert.match(verifyEvidence(path.join(reports, 'run-1')).runs[0].problems[0], /^journal\.ndjson changed/);
});

test('an old run rewritten whole, its evidence recomputed to match, is caught by the link the next run holds', () => {
  const dir = path.join(reports, 'run-1');
  const journal = path.join(dir, 'journal.ndjson');
  fs.appendFileSync(journal, '{"seq":99999,"t":0,"type":"note","text":"nothing happened"}\n');
  const evidence = evidenceOf('run-1');
  const bytes = fs.readFileSync(journal);
  evidence.seal.journal = { file: 'journal.ndjson', sha256: sha256(bytes), bytes: bytes.length };
  evidence.sealSha256 = sha256(canonical(evidence.seal));
  fs.writeFileSync(path.join(dir, 'evidence.json'), JSON.stringify(evidence, null, 2) + '\n');
  const verification = verifyEvidence(reports);
  const [first, second] = verification.runs;
  // The forged run is consistent with itself but for the hash its page states.
  assert.equal(first.problems, [`report.html does not state the evidence hash ${evidence.sealSha256.slice(0, 12)}…`]);
  assert.is(second.status, 'changed');
  assert.match(second.problems[0], /^the run it chains to, run-1: its evidence\.json changed since this run chained/);
});

test('a report edited, a report added, an evidence file broken or deleted: each named', () => {
  fs.appendFileSync(path.join(reports, 'run-2', 'report.md'), '\nAll good.\n');
  fs.writeFileSync(path.join(reports, 'run-3', 'report.pdf'), '%PDF-1.4 forged');
  let verification = verifyEvidence(reports);
  assert.match(verification.runs[1].problems[0], /^report\.md changed since the run was sealed/);
  assert.equal(verification.runs[2].problems, [
    'report.pdf was added after the run was sealed (its evidence lists no such report)',
  ]);

  fs.writeFileSync(path.join(reports, 'run-3', 'evidence.json'), '{"schema":');
  fs.rmSync(path.join(reports, 'run-1', 'evidence.json'));
  verification = verifyEvidence(reports);
  assert.is(verification.runs[0].status, 'unsealed');
  assert.match(verification.runs[1].problems.join('\n'), /the run it chains to, run-1: its evidence\.json is missing/);
  assert.match(verification.runs[2].problems[0], /^evidence\.json is not JSON/);
});

test('a run killed before its reports is unsealed until gameday report seals it, chained to the last', async () => {
  const dir = runDirFrom('unfinished', 'run-4');
  let verification = verifyEvidence(reports);
  assert.ok(verification.ok, 'unsealed is not a change');
  assert.is(verification.runs[3].status, 'unsealed');
  // Until its journal is finished (gameday recover does it), it is not sealed: it may still be running.
  const early = await rerenderRun(dir, { pdf: false });
  assert.equal(early.reports.problems, [
    'evidence.json not written: the run could not be sealed: the run has not finished: it is still running, or was ' +
      'killed (gameday recover finishes its journal)',
  ]);
  assert.not.ok(fs.existsSync(path.join(dir, 'evidence.json')));
  // As gameday recover finishes it (the fixture's last line is torn, as a killed writer leaves it).
  const finished = { seq: 100000, t: Date.now(), type: 'run.finished', status: 'aborted', reason: 'recovered' };
  fs.appendFileSync(path.join(dir, 'journal.ndjson'), `\n${JSON.stringify(finished)}\n`);
  await rerenderRun(dir, { pdf: false });
  assert.is(evidenceOf('run-4').seal.previous.run, 'run-3');
  // Journals from before who ran it was recorded: the user is unknown, the host is the journal's.
  assert.is(evidenceOf('run-4').seal.ranBy.user, null);
  verification = verifyEvidence(reports);
  assert.ok(verification.ok);
  assert.is(verification.runs[3].status, 'ok');
});

test('re-rendering a sealed run keeps its evidence; the reports whose bytes changed are named', async () => {
  const before = fs.readFileSync(path.join(reports, 'run-2', 'evidence.json'));
  fs.rmSync(path.join(reports, 'run-2', 'junit.xml'));
  await rerenderRun(path.join(reports, 'run-2'), { pdf: false });
  assert.ok(fs.readFileSync(path.join(reports, 'run-2', 'evidence.json')).equals(before), 'kept');
  // The renderers are deterministic: the same journal gives the same bytes, so nothing is flagged.
  assert.ok(verifyEvidence(reports).ok);
});

test('the CI job is read from the provider the environment names', () => {
  assert.equal(
    ciJob({
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKFLOW: 'resilience',
      GITHUB_JOB: 'gate',
      GITHUB_RUN_ID: '42',
      GITHUB_RUN_ATTEMPT: '2',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/shop',
    }),
    {
      provider: 'github-actions',
      job: 'resilience / gate (run 42 attempt 2)',
      url: 'https://github.com/acme/shop/actions/runs/42',
    },
  );
  assert.equal(ciJob({ GITLAB_CI: 'true', CI_JOB_NAME: 'gate', CI_JOB_ID: '7', CI_JOB_URL: 'https://gl/j/7' }), {
    provider: 'gitlab',
    job: 'gate (job 7)',
    url: 'https://gl/j/7',
  });
  assert.equal(ciJob({ CI: 'true' }), { provider: 'ci', job: null, url: null });
  assert.is(ciJob({}), null);
});

test.run();
