import type { Browser } from 'playwright-core';

interface ClientConnection {
  dispatch(message: { id?: number; guid?: string; method?: string }): void;
}

/**
 * Keeps a message that Playwright's client cannot read from ending the drill.
 *
 * Playwright's in-process client reads each message from its server in a setImmediate. One that names an object the
 * client has already disposed throws there, uncaught, and an error nothing caught stops the whole run as an error
 * (signals.ts: rolled back). CI saw it once: "Object with guid response@… was not bound in the connection", the
 * answer to a journey's `page.goto` after its page had gone (a race inside Playwright, microsoft/playwright#22210 and
 * its kin). Playwright's own remote client closes the connection on such a message; this one reports it through
 * `onDropped` and drops it, so the probe and the run go on. The call that message answered never returns: whoever
 * waits on it must be told.
 *
 * False when this Playwright keeps its client's connection elsewhere (another version): the browser is unguarded.
 */
export function guardConnection(browser: Browser, onDropped: (problem: string) => void): boolean {
  const connection = (browser as unknown as { _connection?: Partial<ClientConnection> })._connection;
  if (typeof connection?.dispatch !== 'function') return false;
  const dispatch = connection.dispatch.bind(connection);
  connection.dispatch = (message) => {
    try {
      dispatch(message);
    } catch (error) {
      const what = message.method ? `its '${message.method}' event` : `the answer to its call ${message.id}`;
      onDropped(`${error instanceof Error ? error.message : String(error)} (${what})`);
    }
  };
  return true;
}
