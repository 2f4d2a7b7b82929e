import fs from 'node:fs';
import path from 'node:path';
import { canonicalJson, digestOfFile, sha256 } from '../core/digest';
import { errorMessage, GamedayError } from '../core/errors';
import type { CiJob, JournalEvent } from '../core/events';
import { forEachJournalEvent, journalFileName } from '../core/journal';
import { gamedayVersion } from '../core/version';
import { evidenceFileName, reportFiles } from './file-names';

export { evidenceFileName };

/**
 * A run directory's evidence (`evidence.json`): what an auditor needs to tell that the
 * record of a drill is the one written when it ran. In two parts, because the reports
 * state the evidence's hash and so cannot be inside what it hashes:
 *
 * - the **seal**, made once the run has ended and its journal is closed: the journal's
 *   SHA-256, the experiment file's (taken when the run started), the gameday version,
 *   who ran it (user, host, CI job), and the SHA-256 of the evidence.json of the run
 *   sealed before it in the same directory — a chain, so rewriting an old run's files and
 *   its evidence together still breaks the link the next run holds. Its own SHA-256
 *   (`sealSha256`, over its canonical JSON) is the evidence hash report.html and
 *   report.pdf state;
 * - the **reports**: each report file's SHA-256, taken after every report is final.
 */

export const evidenceSchemaId = 'gameday/evidence/v1';

export interface FileDigest {
  file: string;
  sha256: string;
  bytes: number;
}

export interface EvidenceSeal {
  /** An experiment's run, or a GameDay's directory (whose experiments' runs are directories inside it). */
  kind: 'run' | 'gameday';
  runId: string;
  journal: FileDigest;
  /** The experiment (or scenario) file as given, and its SHA-256 when the run started (null: inline, or unknown). */
  definition: { file: string; sha256: string | null };
  /** The gameday that ran it. */
  gamedayVersion: string;
  /** Who ran it: the OS user (null in journals from before it was recorded), the host, the CI job. */
  ranBy: { user: string | null; host: string; ci: CiJob | null };
  /** The evidence sealed before this one in the same directory: its run directory's name and its file's SHA-256. */
  previous: { run: string; sha256: string } | null;
  /** A GameDay's: the evidence of each of its experiments' runs, by their directories inside the day's. */
  runs: Array<{ run: string; sha256: string }>;
  sealedAt: string;
  /** The gameday that sealed it (a run killed before its reports is sealed later, by `gameday report`). */
  sealedBy: string;
}

export interface Evidence {
  schema: typeof evidenceSchemaId;
  seal: EvidenceSeal;
  /** SHA-256 of the seal's canonical JSON: the evidence hash the reports state. */
  sealSha256: string;
  /** Each report file of the run directory, digested once every report was final. */
  reports: FileDigest[];
}

export class EvidenceError extends GamedayError {}

/** The SHA-256 of a seal, as `sealSha256` records it. */
export function sealHash(seal: EvidenceSeal): string {
  return sha256(canonicalJson(seal));
}

export function digestFile(dir: string, file: string): FileDigest {
  return { file, ...digestOfFile(path.join(dir, file)) };
}

/** The report files a run directory holds, in the order they are written. */
export function reportFilesIn(dir: string): string[] {
  return Object.values(reportFiles).filter((file) => fs.existsSync(path.join(dir, file)));
}

/** A run directory's evidence; null when it has none; EvidenceError when the file is not evidence. */
export function readEvidence(runDir: string): Evidence | null {
  const file = path.join(runDir, evidenceFileName);
  if (!fs.existsSync(file)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new EvidenceError(`${evidenceFileName} is not JSON: ${errorMessage(error)}`);
  }
  const evidence = parsed as Partial<Evidence> | null;
  if (
    evidence?.schema !== evidenceSchemaId ||
    typeof evidence.sealSha256 !== 'string' ||
    !evidence.seal ||
    typeof evidence.seal.journal?.sha256 !== 'string' ||
    !Array.isArray(evidence.reports) ||
    !Array.isArray(evidence.seal.runs)
  )
    throw new EvidenceError(`${evidenceFileName} is not gameday evidence (schema ${evidenceSchemaId})`);
  return evidence as Evidence;
}

/**
 * Seals a run directory whose journal is closed: reads what the journal says of the run,
 * digests it, and links to the evidence sealed last among its siblings (the directories
 * beside it in its parent: the history directory, or a GameDay's directory).
 */
export function sealRun(runDir: string, now: Date = new Date()): EvidenceSeal {
  const journal = digestFile(runDir, journalFileName);
  // Only the start and whether it finished are kept: a long drill's journal holds millions of rows.
  let start: Extract<JournalEvent, { type: 'run.started' | 'scenario.started' }> | undefined;
  let finished = false;
  forEachJournalEvent(
    path.join(runDir, journalFileName),
    (event) => {
      if (!start && isStart(event)) start = event;
      if (event.type === 'run.finished' || event.type === 'scenario.finished') finished = true;
    },
    { mentioning: ['"run.started"', '"scenario.started"', '"run.finished"', '"scenario.finished"'] },
  );
  if (!start) throw new EvidenceError(`${journalFileName} has no run.started or scenario.started: nothing to seal`);
  // A journal still being written (or left by a killed run) is not the record yet.
  if (!finished)
    throw new EvidenceError(
      'the run has not finished: it is still running, or was killed (gameday recover finishes its journal)',
    );
  const kind = start.type === 'scenario.started' ? 'gameday' : 'run';
  return {
    kind,
    runId: start.runId,
    journal,
    definition: { file: start.file, sha256: start.fileSha256 ?? null },
    gamedayVersion: start.gamedayVersion,
    ranBy: { user: start.user ?? null, host: start.host, ci: start.ci ?? null },
    previous: previousEvidence(runDir),
    runs: kind === 'gameday' ? innerEvidence(runDir) : [],
    sealedAt: now.toISOString(),
    sealedBy: gamedayVersion,
  };
}

function isStart(event: JournalEvent): event is Extract<JournalEvent, { type: 'run.started' | 'scenario.started' }> {
  return event.type === 'run.started' || event.type === 'scenario.started';
}

/** The sibling sealed last (by its seal's time), with its evidence file's SHA-256; null when none is sealed. */
function previousEvidence(runDir: string): EvidenceSeal['previous'] {
  const parent = path.dirname(path.resolve(runDir));
  const self = path.basename(path.resolve(runDir));
  let latest: { run: string; sha256: string; sealedAt: string } | null = null;
  for (const entry of fs.readdirSync(parent, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === self) continue;
    const file = path.join(parent, entry.name, evidenceFileName);
    if (!fs.existsSync(file)) continue;
    let evidence: Evidence | null;
    try {
      evidence = readEvidence(path.join(parent, entry.name));
    } catch {
      // A broken evidence file is verify's to name; the chain goes on from the last good one.
      continue;
    }
    const sealedAt = evidence?.seal.sealedAt ?? '';
    if (latest === null || sealedAt > latest.sealedAt)
      latest = { run: entry.name, sha256: sha256(fs.readFileSync(file)), sealedAt };
  }
  return latest && { run: latest.run, sha256: latest.sha256 };
}

/** A GameDay's experiments' evidence, by run directory name. */
function innerEvidence(dayDir: string): EvidenceSeal['runs'] {
  return fs
    .readdirSync(dayDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dayDir, entry.name, evidenceFileName)))
    .map((entry) => entry.name)
    .sort()
    .map((run) => ({ run, sha256: sha256(fs.readFileSync(path.join(dayDir, run, evidenceFileName))) }));
}

/**
 * The evidence of one run directory as its reports are written: the seal, made on first
 * ask (the page and the PDF state its hash), and evidence.json, written by the last
 * reporter once every report is final. A directory that already has its evidence (a run
 * re-rendered by `gameday report`) keeps it: its reports state the hash they were sealed
 * under, and `gameday verify` names any report whose bytes the re-render changed.
 */
export class EvidenceKeeper {
  /** evidence.json as it was before this keeper: kept as it is (parsed, when it parses). */
  private readonly existing: { evidence: Evidence | null } | null;
  private sealing: { seal: EvidenceSeal; hash: string } | { failure: string } | null = null;

  constructor(private readonly runDir: string) {
    if (!fs.existsSync(path.join(runDir, evidenceFileName))) this.existing = null;
    else {
      let evidence: Evidence | null = null;
      try {
        evidence = readEvidence(runDir);
      } catch {
        // Not evidence: left alone for `gameday verify` to name; the reports then state no hash.
      }
      this.existing = { evidence };
    }
  }

  /** The evidence hash the reports state; null when there is none to state. */
  hash(): string | null {
    if (this.existing) return this.existing.evidence?.sealSha256 ?? null;
    this.sealing ??= this.seal();
    return 'hash' in this.sealing ? this.sealing.hash : null;
  }

  /** Writes evidence.json over the report files as they are now; nothing when the directory had evidence already. */
  write(): string[] {
    if (this.existing) return [];
    this.sealing ??= this.seal();
    if ('failure' in this.sealing) throw new EvidenceError(`the run could not be sealed: ${this.sealing.failure}`);
    const evidence: Evidence = {
      schema: evidenceSchemaId,
      seal: this.sealing.seal,
      sealSha256: this.sealing.hash,
      reports: reportFilesIn(this.runDir).map((file) => digestFile(this.runDir, file)),
    };
    const file = path.join(this.runDir, evidenceFileName);
    fs.writeFileSync(file, JSON.stringify(evidence, null, 2) + '\n', { flag: 'wx' });
    return [file];
  }

  private seal(): { seal: EvidenceSeal; hash: string } | { failure: string } {
    try {
      const seal = sealRun(this.runDir);
      return { seal, hash: sealHash(seal) };
    } catch (error) {
      return { failure: errorMessage(error) };
    }
  }
}
