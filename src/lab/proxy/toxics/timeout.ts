import { hold, type ToxicKind } from './kind';

export type TimeoutAttributes = { readonly timeout: number };

/**
 * Stops all data in its direction and closes the connection after `timeout` ms;
 * with 0 the connection stays open and silent until the toxic is removed (a blackhole).
 *
 * Held bytes are kept and flow on when the toxic is removed. Toxiproxy drops them
 * instead, but a TCP stream with a hole in it is a corrupt stream (a replication
 * protocol would desynchronise), while holding is what a healed partition looks like:
 * TCP would have retransmitted. Memory stays bounded: the link stops reading its source
 * once its read-ahead is full, so the sender feels TCP backpressure as in a real stall.
 *
 * The close timer starts when the toxic begins applying to the connection (added, or the
 * connection opened) and restarts on update; traffic does not reset it (Toxiproxy's does).
 */
export const timeout: ToxicKind<TimeoutAttributes> = {
  summary: 'stop all data, close the connection after timeout (0 = never: blackhole)',
  attributes: {
    timeout: { unit: 'ms', summary: 'close the connection after this long; 0 never closes', default: 0, min: 0 },
  },
  attach({ timeout: closeAfterMs }, link) {
    if (closeAfterMs > 0) link.after(closeAfterMs, () => link.closeConnection());
    return { admit: () => hold };
  },
};
