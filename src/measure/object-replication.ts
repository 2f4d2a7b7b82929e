/**
 * Replication lag of the object ledger: for each acknowledged object, from its
 * acknowledgement to the moment its replica was first seen in the destination bucket.
 * Pure: the writes and the sightings in, numbers out; times are ms on the run's clock.
 */

export interface AckedObject {
  seq: number;
  ackedAt: number;
}

export interface LagSecond {
  /** Second of the observation the objects were acknowledged in (from t0). */
  second: number;
  /** The longest lag of the objects acknowledged in it that replicated; null when none did. */
  maxLagMs: number | null;
  /** Objects acknowledged in it that were never seen in the destination. */
  unreplicated: number;
}

export interface ReplicationLag {
  p50Ms: number | null;
  maxMs: number | null;
  replicated: number;
  unreplicated: number;
  timeline: LagSecond[];
}

export function replicationLag(
  acked: readonly AckedObject[],
  seenAt: ReadonlyMap<number, number>,
  t0: number,
): ReplicationLag {
  const lags: number[] = [];
  const seconds = new Map<number, LagSecond>();
  let unreplicated = 0;
  for (const write of acked) {
    const second = Math.floor((write.ackedAt - t0) / 1000);
    const bucket = seconds.get(second) ?? { second, maxLagMs: null, unreplicated: 0 };
    seconds.set(second, bucket);
    const seen = seenAt.get(write.seq);
    if (seen === undefined) {
      bucket.unreplicated++;
      unreplicated++;
      continue;
    }
    // A sighting can only bound the replica's arrival from above; one listed before the ack raced it.
    const lag = Math.max(0, Math.round(seen - write.ackedAt));
    lags.push(lag);
    bucket.maxLagMs = Math.max(bucket.maxLagMs ?? 0, lag);
  }
  lags.sort((a, b) => a - b);
  return {
    p50Ms: lags.length ? lags[Math.floor((lags.length - 1) / 2)] : null,
    maxMs: lags.length ? lags[lags.length - 1] : null,
    replicated: lags.length,
    unreplicated,
    timeline: [...seconds.values()].sort((a, b) => a.second - b.second),
  };
}

/** The keys the database names that the bucket lacks: what a user would meet as broken downloads. */
export function danglingReferences(referenced: readonly string[], present: ReadonlySet<string>): string[] {
  return [...new Set(referenced)].filter((key) => !present.has(key)).sort();
}
