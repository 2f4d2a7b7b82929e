import type { EventOf, JournalEvent } from '../core/events';
import { summarizeLatency, type LatencySummary } from '../measure/percentiles';
import { successRatioOf } from '../measure/ratio';
import { checkProbeKinds } from '../experiment/schema';

/** A run of consecutive samples with the same outcome; a new one starts where the outcome changed. */
export interface OutcomeChange {
  /** Offset of its first sample from the start of observation (negative: during steady state). */
  fromMs: number | null;
  ok: boolean;
  samples: number;
  /** dns: 'answered 127.0.0.2 ttl 5' or the rcode/error; sql and function: the first sample's value or error. */
  detail: string;
  /** dns: the regions the answered addresses belong to, when the target knows region addresses. */
  regions?: string[];
}

/** One further probe's outcome: http probes, and the periodic dns, sql and function checks (with `changes`). */
export interface ProbeSummary {
  probe: string;
  kind: string;
  url: string;
  requests: number;
  errors: number;
  successRatio: number | null;
  latencyMs: LatencySummary;
  changes?: OutcomeChange[];
  /** How many changes beyond the first and last kept ones were left out. */
  changesOmitted?: number;
}

/** Keeps the summary bounded on a long drill with a flapping dependency. */
const maxChanges = 50;

/** What a dns check records as its value (see probes/dns.ts). */
export interface DnsValue {
  rcode: string;
  ttl: number | null;
  answers: string[];
}

/**
 * The dns, sql and function probes from their `check.samples` alone. For dns a change is
 * a different answer (addresses, TTL, rcode or error); for the others, ok turning into
 * failed or back.
 */
export function summarizeCheckProbes(events: readonly JournalEvent[], offset: (t: number) => number | null, regionOf: (address: string) => string | undefined): ProbeSummary[] {
  return events
    .filter((e): e is EventOf<'probe.started'> => e.type === 'probe.started' && (checkProbeKinds as readonly string[]).includes(e.kind))
    .map((started) => {
      const rows = events
        .filter((e): e is EventOf<'check.samples'> => e.type === 'check.samples' && e.probe === started.probe)
        .flatMap((e) => e.rows)
        .sort((a, b) => a[0] - b[0]);
      const errors = rows.filter((row) => row[2] === 0).length;
      const changes: OutcomeChange[] = [];
      let lastKey: string | null = null;
      for (const [t, , ok, error, value] of rows) {
        const described = started.kind === 'dns' ? describeDns(ok === 1, error, value as DnsValue | null, regionOf) : { key: String(ok), detail: ok ? valueText(value) : error };
        if (described.key === lastKey) {
          changes[changes.length - 1].samples++;
          continue;
        }
        lastKey = described.key;
        changes.push({ fromMs: offset(t), ok: ok === 1, samples: 1, detail: described.detail, ...(described.regions ? { regions: described.regions } : {}) });
      }
      const omitted = Math.max(0, changes.length - maxChanges);
      const kept = omitted > 0 ? [...changes.slice(0, maxChanges / 2), ...changes.slice(-maxChanges / 2)] : changes;
      return {
        probe: started.probe,
        kind: started.kind,
        url: started.url,
        requests: rows.length,
        errors,
        successRatio: successRatioOf(rows.length, errors),
        latencyMs: summarizeLatency(rows.map((row) => row[1])),
        changes: kept,
        ...(omitted > 0 ? { changesOmitted: omitted } : {}),
      };
    });
}

function describeDns(ok: boolean, error: string, value: DnsValue | null, regionOf: (address: string) => string | undefined): { key: string; detail: string; regions?: string[] } {
  if (!value) return { key: `error ${error}`, detail: error };
  const answers = [...value.answers].sort();
  const detail = answers.length > 0 ? `answered ${answers.join(', ')} ttl ${value.ttl}` : `${value.rcode}, no answer`;
  const regions = [...new Set(answers.map(regionOf).filter((region): region is string => region !== undefined))];
  return { key: `${ok} ${value.rcode} ${answers.join(',')} ${value.ttl}`, detail, ...(regions.length > 0 ? { regions } : {}) };
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return 'ok';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
