import { pass, waitUntil, type Chunk, type ToxicKind } from './kind';

export type LatencyAttributes = { readonly latency: number; readonly jitter: number };

/**
 * Delays each chunk by `latency` ± `jitter` ms (uniform), counted from when the proxy
 * read it, so a steady stream keeps its throughput and only gains delay: a long path,
 * not a slow one. Chunks never overtake each other because a link sends in order; a
 * chunk that drew a short delay waits behind one that drew a long one, as on TCP.
 */
export const latency: ToxicKind<LatencyAttributes> = {
  summary: 'delay each chunk by latency ± jitter',
  attributes: {
    latency: { unit: 'ms', summary: 'added delay', default: 0, min: 0 },
    jitter: { unit: 'ms', summary: 'random spread around the delay', default: 0, min: 0 },
  },
  attach({ latency: delayMs, jitter }) {
    // admit() is asked again whenever anything changes; redrawing would let a chunk
    // escape early (or later) than its first draw, so each chunk keeps one draw.
    const delayByChunk = new WeakMap<Chunk, number>();
    return {
      admit({ chunk, now }) {
        let delay = delayByChunk.get(chunk);
        if (delay === undefined) {
          delay = Math.max(0, delayMs + (Math.random() * 2 - 1) * jitter);
          delayByChunk.set(chunk, delay);
        }
        const due = chunk.arrivedAt + delay;
        return now >= due ? pass : waitUntil(due);
      },
    };
  },
};
