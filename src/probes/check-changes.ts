import type { CheckRow, EventOf, JournalEvent } from '../core/events';
import { summarizeLatency } from '../measure/percentiles';
import { successRatioOf } from '../measure/ratio';
import type { OutcomeChange, ProbeAccumulator, ProbeSummary, ProbeSummaryContext } from './types';

/** Keeps the summary bounded on a long drill with a flapping dependency. */
const maxChanges = 50;

/** How one sample reads in a change list: what makes it differ from the last (`key`), and its words. */
export type DescribeSample = (
  ok: boolean,
  error: string,
  value: unknown,
) => { key: string; detail: string; regions?: string[] };

/** The default: ok turning into failed or back, with the first sample's value or error. */
export const okOrFailed: DescribeSample = (ok, error, value) => ({
  key: String(ok),
  detail: ok ? valueText(value) : error,
});

/**
 * A periodic check's part of the summary from its `check.samples` alone: counts, latency,
 * and each change of outcome with when it began.
 */
export function checkProbeSummary(
  started: EventOf<'probe.started'>,
  context: ProbeSummaryContext,
  describe: DescribeSample,
): ProbeAccumulator<{ summary: ProbeSummary }> {
  const rows: CheckRow[] = [];
  return {
    add(event: JournalEvent) {
      if (event.type === 'check.samples' && event.probe === started.probe) for (const row of event.rows) rows.push(row);
    },
    result() {
      rows.sort((a, b) => a[0] - b[0]);
      const errors = rows.filter((row) => row[2] === 0).length;
      const changes: OutcomeChange[] = [];
      let lastKey: string | null = null;
      for (const [t, , ok, error, value] of rows) {
        const described = describe(ok === 1, error, value);
        if (described.key === lastKey) {
          changes[changes.length - 1].samples++;
          continue;
        }
        lastKey = described.key;
        changes.push({
          fromMs: context.offset(t),
          ok: ok === 1,
          samples: 1,
          detail: described.detail,
          ...(described.regions ? { regions: described.regions } : {}),
        });
      }
      const omitted = Math.max(0, changes.length - maxChanges);
      const kept = omitted > 0 ? [...changes.slice(0, maxChanges / 2), ...changes.slice(-maxChanges / 2)] : changes;
      return {
        summary: {
          probe: started.probe,
          kind: started.kind,
          url: started.url,
          requests: rows.length,
          errors,
          successRatio: successRatioOf(rows.length, errors),
          latencyMs: summarizeLatency(rows.map((row) => row[1])),
          changes: kept,
          ...(omitted > 0 ? { changesOmitted: omitted } : {}),
        },
      };
    },
  };
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return 'ok';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
