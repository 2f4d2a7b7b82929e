/** Errors named after the Route 53 API errors they stand for, so the control endpoint can map them 1:1. */

export class HealthCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface ConfigProblem {
  /** Field path, e.g. 'checks[2].failureThreshold' or 'failureThreshold'. */
  readonly path: string;
  readonly message: string;
}

/** Route 53 InvalidInput. Lists every problem, not only the first. */
export class InvalidHealthCheckConfigError extends HealthCheckError {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`invalid health check: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  }
}

/** Route 53 NoSuchHealthCheck. */
export class NoSuchHealthCheckError extends HealthCheckError {
  constructor(
    readonly id: string,
    readonly known: readonly string[],
  ) {
    super(`no health check '${id}'; known: ${known.length > 0 ? known.map((k) => `'${k}'`).join(', ') : 'none'}`);
  }
}

/** Route 53 HealthCheckAlreadyExists. */
export class HealthCheckAlreadyExistsError extends HealthCheckError {
  constructor(readonly id: string) {
    super(`health check '${id}' already exists; update it, or remove it first`);
  }
}

/** Route 53 HealthCheckVersionMismatch: someone else updated the check since the caller read it. */
export class HealthCheckVersionMismatchError extends HealthCheckError {
  constructor(
    readonly id: string,
    readonly currentVersion: number,
    readonly requestedVersion: number,
  ) {
    super(
      `health check '${id}' is at version ${currentVersion}, the update was for version ${requestedVersion}; ` +
        're-read the check and retry',
    );
  }
}

/** The registry was closed (the lab is shutting down); nothing can be added or updated. */
export class HealthCheckRegistryClosedError extends HealthCheckError {
  constructor() {
    super('the health check registry is closed');
  }
}
