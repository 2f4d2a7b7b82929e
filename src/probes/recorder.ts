import type { Journal } from '../engine/journal';
import type { SampleRow } from '../engine/events';
import type { OutcomeSample } from '../measure/rto';
import { JournalBatcher } from './batcher';
import type { HttpOutcome } from './http';

/**
 * Keeps a probe's outcomes for live decisions (stop conditions, steady state, progress)
 * and batches them to the journal (`traffic.samples`).
 */
export class TrafficRecorder {
  readonly samples: Array<OutcomeSample & { region: string }> = [];
  readonly latencies: number[] = [];
  private readonly batcher: JournalBatcher<SampleRow>;
  requests = 0;
  errors = 0;

  constructor(journal: Journal, readonly probe: string) {
    this.batcher = new JournalBatcher((rows) => journal.append({ type: 'traffic.samples', probe, rows }));
  }

  add(outcome: HttpOutcome): void {
    this.requests++;
    if (!outcome.ok) this.errors++;
    this.samples.push({ t: outcome.t, ok: outcome.ok, region: outcome.region });
    this.latencies.push(outcome.latencyMs);
    this.batcher.push([
      Math.round(outcome.t * 10) / 10,
      Math.round(outcome.latencyMs * 10) / 10,
      outcome.status,
      outcome.ok ? 1 : 0,
      outcome.error,
      outcome.region,
    ]);
  }

  /** Success ratio of samples due in [from, to), null when none. */
  ratioBetween(from: number, to: number, region?: string): { ratio: number | null; count: number } {
    let ok = 0;
    let count = 0;
    // Samples arrive roughly in time order; walk back from the end for recent windows.
    for (let i = this.samples.length - 1; i >= 0; i--) {
      const sample = this.samples[i];
      if (sample.t >= to) continue;
      if (sample.t < from) {
        // Responses complete out of order, so allow some stragglers before stopping.
        if (sample.t < from - 60_000) break;
        continue;
      }
      // Served by `region` means answered by it; a failure has no region, so it counts against every region.
      if (region !== undefined && sample.ok && sample.region !== region) continue;
      count++;
      if (sample.ok) ok++;
    }
    return { ratio: count === 0 ? null : ok / count, count };
  }

  close(): void {
    this.batcher.close();
  }
}
