import fs from 'node:fs';
import type { K6CheckRow, K6RequestRow, K6ThresholdRecord } from '../core/events';
import type { Journal } from '../core/journal';
import { errorMessage } from '../core/errors';
import { JournalBatcher } from './batcher';
import { K6SampleEncoder } from './k6-encoder';
import { FileFollower } from './file-follower';
import { K6PointParser, type K6Record } from './k6-points';
import type { K6Exit, K6Process } from './k6-process';
import { thresholdsOfSummaryExport } from './k6-summary-export';
import { describeExitCode, stoppedBySignalExitCode } from './k6-verdict';
import type { TrafficRecorder } from './recorder';

/** k6 flushes its JSON output every 200 ms (k6 internal/output/json/json.go); reading as often keeps up with it. */
const readEveryMs = 200;
const keptLogChars = 600;

type K6Sample = { request: K6RequestRow } | { check: K6CheckRow };

export interface K6Files {
  points: string;
  summaryExport: string;
  log: string;
}

/**
 * A k6 probe while k6 runs: its JSON output read as k6 writes it, each request to the
 * journal (`k6.samples`) and to the live windows guards and detection read, until k6 ends
 * — by itself, or stopped by gameday — when what is left of the file is read and what k6
 * concluded (exit code, thresholds from its summary export) is journaled as `k6.finished`.
 */
export class K6Run {
  private readonly follower: FileFollower;
  private readonly parser: K6PointParser;
  private readonly batcher: JournalBatcher<K6Sample>;
  private readonly encoder: K6SampleEncoder;
  private readonly declared = new Map<string, string[]>();
  private malformed = 0;
  private firstMalformed = '';
  private readonly timer: NodeJS.Timeout;
  private finishing: Promise<void> | null = null;
  private readError: string | null = null;
  private sawOutput = false;
  private failedAtOnce: string | null = null;

  constructor(
    private readonly probe: { name: string; regionTag: string },
    private readonly journal: Journal,
    private readonly recorder: TrafficRecorder,
    private readonly k6: K6Process,
    private readonly files: K6Files,
    /** gameday's clock less the wall clock k6 stamps its points with. */
    clockOffset: number,
  ) {
    this.follower = new FileFollower(files.points);
    this.parser = new K6PointParser({ regionTag: probe.regionTag });
    this.encoder = new K6SampleEncoder(clockOffset);
    this.batcher = new JournalBatcher((samples) => this.journalSamples(samples));
    this.timer = setInterval(() => this.readMore(), readEveryMs);
    // stop() awaits the same promise, and reports what goes wrong in it.
    void k6.exited.then(() => this.finish()).catch(() => undefined);
  }

  /**
   * Waits until k6 has written its first point, has exited, or has run for `ms`, so that a
   * script k6 refuses (a syntax error, a bad flag) ends the run before anything is injected:
   * rejects, with k6's own words, when k6 exited with an error before writing anything.
   */
  async running(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.sawOutput && this.k6.running && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    if (this.k6.running || this.sawOutput) return;
    await this.finish();
    if (this.failedAtOnce) throw new Error(this.failedAtOnce);
  }

  /** Stops k6 if it still runs (SIGINT), reads the rest of its output and journals how it ended. Idempotent. */
  finish(): Promise<void> {
    this.finishing ??= this.conclude(this.k6.running ? 'gameday' : 'k6');
    return this.finishing;
  }

  private async conclude(stoppedBy: 'gameday' | 'k6'): Promise<void> {
    const exit = await this.k6.stop();
    clearInterval(this.timer);
    this.readMore();
    this.take(this.parser.end());
    this.batcher.close();
    const notes: string[] = [];
    if (this.readError) notes.push(`its output could not be read: ${this.readError}`);
    const thresholds = this.readThresholds(notes);
    if (this.malformed > 0)
      notes.push(`${this.malformed} lines of k6's output could not be read (${this.firstMalformed})`);
    if (!endedAsExpected(exit, stoppedBy)) {
      notes.push(...this.logTail());
      const how = exit.exitCode === null ? `was killed by ${exit.signal}` : describeExitCode(exit.exitCode);
      if (!this.sawOutput) this.failedAtOnce = `k6 ${how} before its first request; ${notes.join('; ')}`;
    }
    this.journal.append({
      type: 'k6.finished',
      probe: this.probe.name,
      exitCode: exit.exitCode,
      signal: exit.signal,
      stoppedBy,
      thresholds,
      declared: [...this.declared].map(([metric, declared]) => ({ metric, thresholds: declared })),
      malformedLines: this.malformed,
      note: notes.length > 0 ? notes.join('; ') : null,
    });
  }

  private readMore(): void {
    try {
      const text = this.follower.read();
      if (text) this.sawOutput = true;
      this.take(this.parser.write(text));
    } catch (error) {
      this.readError ??= errorMessage(error);
    }
  }

  private take(records: K6Record[]): void {
    for (const record of records) {
      switch (record.kind) {
        case 'request': {
          const { row, outcome } = this.encoder.request(record);
          this.recorder.add(outcome);
          this.batcher.push({ request: row });
          break;
        }
        case 'check':
          this.batcher.push({ check: this.encoder.check(record) });
          break;
        case 'metric':
          if (record.thresholds.length > 0) this.declared.set(record.metric, record.thresholds);
          break;
        case 'malformed':
          if (this.malformed++ === 0) this.firstMalformed = `line ${record.line}: ${record.reason}`;
          break;
      }
    }
  }

  private journalSamples(samples: K6Sample[]): void {
    const requests: K6RequestRow[] = [];
    const checks: K6CheckRow[] = [];
    for (const sample of samples) {
      if ('request' in sample) requests.push(sample.request);
      else checks.push(sample.check);
    }
    const tagSets = this.encoder.takeNewTagSets();
    this.journal.append({ type: 'k6.samples', probe: this.probe.name, tagSets, requests, checks });
  }

  private readThresholds(notes: string[]): K6ThresholdRecord[] | null {
    if (!fs.existsSync(this.files.summaryExport)) return null;
    try {
      return thresholdsOfSummaryExport(JSON.parse(fs.readFileSync(this.files.summaryExport, 'utf8')));
    } catch (error) {
      notes.push(`its summary export could not be read: ${errorMessage(error)}`);
      return null;
    }
  }

  /** The end of k6's log, where it says why it failed. */
  private logTail(): string[] {
    try {
      const text = fs.readFileSync(this.files.log, 'utf8').trim();
      return text ? [`k6's log ends: ${text.slice(-keptLogChars).replace(/\s+/g, ' ')}`] : [];
    } catch {
      return [];
    }
  }
}

function endedAsExpected(exit: K6Exit, stoppedBy: 'gameday' | 'k6'): boolean {
  if (exit.exitCode === 0) return true;
  return stoppedBy === 'gameday' && exit.exitCode === stoppedBySignalExitCode;
}
