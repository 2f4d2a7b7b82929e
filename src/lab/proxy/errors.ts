/**
 * Errors of the fault proxy. Every failure the proxy or its API can report is one of
 * these classes, so the HTTP layer maps them to status codes by class and the CLI
 * decides banners and exit codes without parsing messages.
 */

/** Base class: lets callers tell the proxy's own failures from anything else thrown. */
export class ProxyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A toxic definition that is not valid; `field` is the path of the offending value. */
export class InvalidToxicError extends ProxyError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** A request to the proxy or its API (other than a toxic definition) that is not valid. */
export class InvalidRequestError extends ProxyError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export class ProxyNotFoundError extends ProxyError {
  constructor(
    readonly proxy: string,
    known: readonly string[],
  ) {
    super(`no proxy named "${proxy}"; proxies: ${listOrNone(known)}`);
  }
}

export class ToxicNotFoundError extends ProxyError {
  constructor(
    readonly proxy: string,
    readonly toxic: string,
    known: readonly string[],
  ) {
    super(`proxy "${proxy}" has no toxic named "${toxic}"; its toxics: ${listOrNone(known)}`);
  }
}

/** Toxic names are unique per proxy (as in Toxiproxy), because removal is by name. */
export class ToxicExistsError extends ProxyError {
  constructor(
    readonly proxy: string,
    readonly toxic: string,
  ) {
    super(`proxy "${proxy}" already has a toxic named "${toxic}"; remove it first or pick another name`);
  }
}

/** The listener could not be opened, typically EADDRINUSE when re-enabling after the port was taken. */
export class ProxyListenError extends ProxyError {
  constructor(
    readonly proxy: string,
    readonly address: string,
    cause: unknown,
  ) {
    super(`proxy "${proxy}" could not listen on ${address}: ${messageOf(cause)}`, { cause });
  }
}

export class ProxyClosedError extends ProxyError {
  constructor(readonly proxy: string) {
    super(`proxy "${proxy}" is closed; start a new one`);
  }
}

/** Where the failure was: a socket of a connection, the listening socket, or the proxy's own code. */
export type ConnectionSide = 'client' | 'upstream' | 'listener' | 'proxy';

/**
 * A socket error on one proxied connection. It never stops the proxy; it is emitted so
 * the lab can show why a client saw a failure (upstream refused, peer reset, ...).
 */
export class ProxyConnectionError extends ProxyError {
  /** The Node error code (ECONNREFUSED, ECONNRESET, EPIPE, ...), when there is one. */
  readonly code: string | undefined;

  constructor(
    readonly proxy: string,
    readonly connectionId: number | undefined,
    readonly side: ConnectionSide,
    cause: unknown,
  ) {
    const where = connectionId === undefined ? side : `connection ${connectionId}, ${side} side`;
    super(`proxy "${proxy}" (${where}): ${messageOf(cause)}`, { cause });
    this.code = codeOf(cause);
  }
}

function listOrNone(names: readonly string[]): string {
  return names.length === 0 ? '(none)' : names.join(', ');
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function codeOf(cause: unknown): string | undefined {
  if (typeof cause !== 'object' || cause === null || !('code' in cause)) return undefined;
  return typeof cause.code === 'string' ? cause.code : undefined;
}
