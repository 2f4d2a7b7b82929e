/**
 * RPO and lost writes from the write ledger (DESIGN.md, "What the numbers mean").
 *
 * The ledger sends sequenced writes (seq 1, 2, 3, … under one client id) and records
 * which were acknowledged (committed on the writer: HTTP 201, or the INSERT returned) and by which writer; after
 * the drill it reads back the seqs the final writer holds. Pure: writes and the read back
 * in, numbers out. Times are ms on the run's one clock.
 *
 * - Lost write: acknowledged, absent from the read back. A write that failed or whose
 *   outcome is unknown (timeout, 5xx) was never promised to anyone, so it is never lost;
 *   present anyway, it is *unconfirmed* (committed although the client saw an error).
 * - RPO = ackedAt(last lost write) − ackedAt(last surviving write acknowledged before the
 *   first lost one): the span of acknowledged history the failover threw away, counted
 *   from the last write that was kept. With a loss in the middle (non-contiguous) the span
 *   still runs from before the first lost write to the last one. When nothing acknowledged
 *   before the loss survived, it counts from the first lost write's scheduled time. 0 when
 *   nothing was lost.
 * - Split brain: two writers accepting writes at once. Seen by the client as an
 *   acknowledgement from a superseded writer — one whose first ack came before another
 *   writer's first ack — for a write *sent after* that newer writer had already
 *   acknowledged something (a write in flight across the switch may still be acked by the
 *   old writer; that is not split brain). Or as a seq present more than once in the read
 *   back. A deliberate failback within one measurement looks the same from the client.
 */

export interface AckedWrite {
  seq: number;
  /** When the write was due to be sent (open model: its scheduled time), ms. */
  t: number;
  /** When its acknowledgement arrived, ms. */
  ackedAt: number;
  /** Identity of the writer that acknowledged it (x-gameday-writer, or the SQL ledger's); '' when unknown. */
  writer: string;
}

/** A write that was sent but not acknowledged: an error, a timeout, an unexpected status. */
export interface UnackedWrite {
  seq: number;
  t: number;
}

export interface RpoInput {
  acked: readonly AckedWrite[];
  unacked: readonly UnackedWrite[];
  /** Seqs the final writer holds, as read back; duplicates kept. */
  readBack: readonly number[];
}

export interface RpoResult {
  ackedWrites: number;
  /** Acknowledged and absent from the read back. */
  lostWrites: number;
  /** The lost seqs, ascending, at most `maxLostSeqs` of them. */
  lostSeqs: number[];
  /** Seqs present more than once in the read back. */
  duplicateWrites: number;
  /** Acknowledgements from a superseded writer for writes sent after a newer writer acknowledged. */
  staleWriterAcks: number;
  splitBrain: boolean;
  /** 0 when nothing was lost. */
  rpoMs: number;
  /** Not acknowledged (failed or unknown) yet present. */
  unconfirmedWrites: number;
  /** Writers in the order of their first acknowledgement (unknown writers left out). */
  writers: string[];
}

export function computeRpo(input: RpoInput, options: { maxLostSeqs?: number } = {}): RpoResult {
  const maxLostSeqs = options.maxLostSeqs ?? 100;
  const present = new Map<number, number>();
  for (const seq of input.readBack) present.set(seq, (present.get(seq) ?? 0) + 1);

  // One acknowledgement per seq (the ledger never resends); keep the first if repeated.
  const acked = new Map<number, AckedWrite>();
  for (const write of input.acked) if (!acked.has(write.seq)) acked.set(write.seq, write);

  // lost = acked seqs with no copy in the read back
  const lost = [...acked.values()].filter((write) => !present.has(write.seq));
  // duplicates = seqs with ≥ 2 copies in the read back
  const duplicateWrites = [...present.values()].filter((count) => count > 1).length;
  // unconfirmed = never acknowledged, yet present
  const unconfirmed = new Set(
    input.unacked.filter((write) => !acked.has(write.seq) && present.has(write.seq)).map((write) => write.seq),
  );
  const { writers, staleWriterAcks } = staleAcks([...acked.values()]);

  return {
    ackedWrites: acked.size,
    lostWrites: lost.length,
    lostSeqs: lost
      .map((write) => write.seq)
      .sort((a, b) => a - b)
      .slice(0, maxLostSeqs),
    duplicateWrites,
    staleWriterAcks,
    splitBrain: staleWriterAcks > 0 || duplicateWrites > 0,
    rpoMs: rpoOf(
      lost,
      [...acked.values()].filter((write) => present.has(write.seq)),
    ),
    unconfirmedWrites: unconfirmed.size,
    writers,
  };
}

/** ackedAt(last lost) − ackedAt(last survivor acked before the first lost); see the header. */
function rpoOf(lost: readonly AckedWrite[], survivors: readonly AckedWrite[]): number {
  if (lost.length === 0) return 0;
  const firstLost = lost.reduce((a, b) => (b.ackedAt < a.ackedAt ? b : a));
  const lastLostAt = Math.max(...lost.map((write) => write.ackedAt));
  let anchor = Number.NEGATIVE_INFINITY;
  for (const write of survivors)
    if (write.ackedAt < firstLost.ackedAt && write.ackedAt > anchor) anchor = write.ackedAt;
  if (anchor === Number.NEGATIVE_INFINITY) anchor = firstLost.t;
  return Math.max(0, lastLostAt - anchor);
}

/**
 * Writers ordered by first acknowledgement. An ack of a write scheduled at t by writer w is
 * stale when a writer newer than w had acknowledged something by t:
 *   stale ⇔ firstAck(w) < max{ firstAck(v) : firstAck(v) ≤ t }.
 */
function staleAcks(acked: readonly AckedWrite[]): { writers: string[]; staleWriterAcks: number } {
  const firstAck = new Map<string, number>();
  for (const write of acked) {
    if (!write.writer) continue;
    const known = firstAck.get(write.writer);
    if (known === undefined || write.ackedAt < known) firstAck.set(write.writer, write.ackedAt);
  }
  const firsts = [...firstAck.values()].sort((a, b) => a - b);
  // The newest writer's first ack at or before t (binary search over the sorted firsts).
  const newestBy = (t: number): number => {
    let low = 0;
    let high = firsts.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (firsts[mid] <= t) low = mid + 1;
      else high = mid;
    }
    return low === 0 ? Number.NEGATIVE_INFINITY : firsts[low - 1];
  };
  let staleWriterAcks = 0;
  for (const write of acked) {
    if (!write.writer) continue;
    if (firstAck.get(write.writer)! < newestBy(write.t)) staleWriterAcks++;
  }
  const writers = [...firstAck.entries()].sort((a, b) => a[1] - b[1]).map(([writer]) => writer);
  return { writers, staleWriterAcks };
}
