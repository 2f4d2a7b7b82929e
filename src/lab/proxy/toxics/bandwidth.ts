import { pass, waitUntil, type ToxicKind } from './kind';

export type BandwidthAttributes = { readonly rate: number };

/** Pieces of at most this much time's worth keep the stream smooth instead of a 64 KiB burst and a long sleep. */
const pieceMs = 100;

/**
 * Limits the direction to `rate` KB/s, KB being 1000 bytes as in Toxiproxy. Each piece
 * leaves once its own transmission time has passed after the previous one, so a
 * transfer of N bytes takes about N / rate. Idle time is not banked: a quiet link gets
 * no burst allowance afterwards.
 */
export const bandwidth: ToxicKind<BandwidthAttributes> = {
  summary: 'limit throughput to rate KB/s',
  attributes: {
    rate: { unit: 'KB/s', summary: 'throughput limit (1 KB = 1000 bytes)', min: 0, aboveMin: true },
  },
  attach({ rate }) {
    const bytesPerMs = rate; // rate × 1000 bytes per 1000 ms
    let previousDepartedAt = 0;
    // The piece being waited for keeps its departure time however often admit() is asked.
    let reservedDeparture: number | undefined;
    return {
      maxPieceBytes: () => Math.max(1, Math.floor(bytesPerMs * pieceMs)),
      admit({ pieceBytes, now }) {
        reservedDeparture ??= Math.max(previousDepartedAt, now) + pieceBytes / bytesPerMs;
        return now >= reservedDeparture ? pass : waitUntil(reservedDeparture);
      },
      sent(_byteCount, now) {
        previousDepartedAt = reservedDeparture ?? now;
        reservedDeparture = undefined;
      },
    };
  },
};
