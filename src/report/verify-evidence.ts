import fs from 'node:fs';
import path from 'node:path';
import { digestOfFile, sha256 } from '../core/digest';
import { errorMessage, GamedayError } from '../core/errors';
import { journaledDirs, journalFileName } from '../core/journal';
import { evidenceFileName, readEvidence, reportFilesIn, sealHash, type Evidence } from './evidence';
import { reportFiles } from './file-names';

/** What `gameday verify` found for one run directory. */
export interface RunVerification {
  /** The run directory, relative to the directory verified (a GameDay's experiments as day/run). */
  run: string;
  /**
   * ok: every file is as sealed and its links hold; changed: something is not (`problems` names it);
   * unsealed: no evidence.json (a run killed before its reports: `gameday report` seals it).
   */
  status: 'ok' | 'changed' | 'unsealed';
  problems: string[];
  /** The evidence hash its reports state; null when unsealed or unreadable. */
  sealSha256: string | null;
  /** Files checked against their digests (the journal and every report). */
  files: number;
  /** The run it chains to, as the seal names it. */
  previous: string | null;
  sealedAt: string | null;
}

export interface Verification {
  dir: string;
  runs: RunVerification[];
  /** No run changed (unsealed ones are listed, not failed: they vouch for nothing either way). */
  ok: boolean;
}

export class VerifyError extends GamedayError {}

/**
 * `gameday verify <runDir | history dir>`: every sealed run directory's journal and reports
 * against the digests in its evidence.json, its seal against its hash, the hash its
 * report.html states, and its links — to the evidence of the run sealed before it in the
 * same directory, and for a GameDay to each of its experiments' — so an edited byte is
 * named by its file, and an old run rewritten whole (files and evidence) by the link the
 * next run holds to it.
 */
export function verifyEvidence(dir: string): Verification {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new VerifyError(`${dir} is not a directory (expected a run directory or a directory of runs, e.g. reports/)`);
  const runs: RunVerification[] = [];
  if (fs.existsSync(path.join(dir, journalFileName))) runs.push(...verifyTree(dir, path.basename(path.resolve(dir))));
  else {
    const names = journaledDirs(dir);
    if (names.length === 0)
      throw new VerifyError(`${dir} holds no run directory (no ${journalFileName} in it or one level down)`);
    for (const name of names) runs.push(...verifyTree(path.join(dir, name), name));
  }
  return { dir, runs, ok: runs.every((run) => run.status !== 'changed') };
}

/** A run directory, and for a GameDay each of its experiments' runs after it. */
function verifyTree(runDir: string, label: string): RunVerification[] {
  const own = verifyRun(runDir, label);
  const inner = journaledDirs(runDir).map((name) => verifyRun(path.join(runDir, name), path.posix.join(label, name)));
  return [own, ...inner];
}

function verifyRun(runDir: string, run: string): RunVerification {
  const result: RunVerification = {
    run,
    status: 'ok',
    problems: [],
    sealSha256: null,
    files: 0,
    previous: null,
    sealedAt: null,
  };
  let evidence: Evidence | null;
  try {
    evidence = readEvidence(runDir);
  } catch (error) {
    return { ...result, status: 'changed', problems: [errorMessage(error)] };
  }
  if (!evidence) return { ...result, status: 'unsealed' };
  result.sealSha256 = evidence.sealSha256;
  result.previous = evidence.seal.previous?.run ?? null;
  result.sealedAt = evidence.seal.sealedAt;
  const problem = (text: string) => result.problems.push(text);

  if (sealHash(evidence.seal) !== evidence.sealSha256)
    problem(`${evidenceFileName} changed: its seal no longer hashes to the sealSha256 it records`);
  for (const digest of [evidence.seal.journal, ...evidence.reports]) {
    result.files++;
    const changed = fileChange(runDir, digest);
    if (changed) problem(changed);
  }
  const listed = new Set(evidence.reports.map((digest) => digest.file));
  for (const file of reportFilesIn(runDir))
    if (!listed.has(file)) problem(`${file} was added after the run was sealed (its evidence lists no such report)`);
  if (listed.has(reportFiles.html)) {
    const html = fs.readFileSync(path.join(runDir, reportFiles.html), 'utf8');
    if (!html.includes(evidence.sealSha256))
      problem(`${reportFiles.html} does not state the evidence hash ${short(evidence.sealSha256)}…`);
  }
  const previous = evidence.seal.previous;
  if (previous) {
    const linked = linkChange(path.join(path.dirname(path.resolve(runDir)), previous.run), previous.sha256);
    if (linked) problem(`the run it chains to, ${previous.run}: ${linked}`);
  }
  for (const inner of evidence.seal.runs) {
    const linked = linkChange(path.join(runDir, inner.run), inner.sha256);
    if (linked) problem(`its experiment run ${inner.run}: ${linked}`);
  }
  if (result.problems.length > 0) result.status = 'changed';
  return result;
}

/** How a file differs from its digest, naming it; null when it is as sealed. */
function fileChange(runDir: string, digest: { file: string; sha256: string; bytes: number }): string | null {
  const file = path.join(runDir, digest.file);
  if (!fs.existsSync(file)) return `${digest.file} is missing (it was sealed with ${digest.bytes} bytes)`;
  const { sha256: now, bytes } = digestOfFile(file);
  if (now === digest.sha256) return null;
  return (
    `${digest.file} changed since the run was sealed (sha256 ${short(digest.sha256)}… sealed, ${short(now)}… now; ` +
    `${digest.bytes} bytes sealed, ${bytes} now)`
  );
}

/** How the evidence a link points to differs from the hash the link holds; null when it holds. */
function linkChange(runDir: string, expected: string): string | null {
  const file = path.join(runDir, evidenceFileName);
  if (!fs.existsSync(runDir)) return 'its run directory is missing';
  if (!fs.existsSync(file)) return `its ${evidenceFileName} is missing`;
  const now = sha256(fs.readFileSync(file));
  return now === expected
    ? null
    : `its ${evidenceFileName} changed since this run chained to it (sha256 ${short(expected)}… then, ` +
        `${short(now)}… now)`;
}

function short(hash: string): string {
  return hash.slice(0, 12);
}
