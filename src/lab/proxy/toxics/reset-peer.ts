import type { ToxicKind } from './kind';

export type ResetPeerAttributes = { readonly timeout: number };

/**
 * Resets the connection (TCP RST, both sides see ECONNRESET) immediately or after
 * `timeout` ms. Data keeps flowing until the reset, so a drill can show a working
 * connection that then dies (Toxiproxy drops it meanwhile). The reset is of the whole
 * connection whichever `stream` the toxic is on; `stream` only names where it is listed.
 */
export const resetPeer: ToxicKind<ResetPeerAttributes> = {
  summary: 'reset the connection (RST) immediately or after timeout',
  attributes: {
    timeout: { unit: 'ms', summary: 'reset after this long; 0 resets at once', default: 0, min: 0 },
  },
  attach({ timeout: resetAfterMs }, link) {
    // A timer even for 0: resetting inside attach() would tear the connection down in
    // the middle of the proxy adding the toxic to every connection.
    link.after(resetAfterMs, () => link.resetConnection());
    return {};
  },
};
