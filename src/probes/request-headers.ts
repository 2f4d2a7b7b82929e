/**
 * The grammar of the headers a probe sends, shared by the http probe's schema (which
 * refuses a bad header with its field path) and the encoder (which never writes one).
 */

/** Headers the connection writes itself: never taken from a caller. */
export const writtenByConnection = ['connection', 'content-length'];

/** Headers about the connection or the body's framing, which a caller may not set. */
export const managedByConnection = [...writtenByConnection, 'transfer-encoding', 'keep-alive', 'upgrade', 'expect'];

const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A header name is an HTTP token (RFC 9110): letters, digits and !#$%&'*+-.^_`|~. */
export function isHttpToken(name: string): boolean {
  return token.test(name);
}

/** A CR, LF or NUL in a value would end the header early and let the rest pass as another header or request. */
export function splitsRequest(value: string): boolean {
  return /[\r\n\0]/.test(value);
}
