export class DnsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * Route 53 InvalidChangeBatch: the batch was rejected as a whole and nothing changed.
 * `messages` has one entry per problem, worded like Route 53's where Route 53 has a wording.
 */
export class InvalidChangeBatchError extends DnsError {
  constructor(readonly messages: readonly string[]) {
    super(`InvalidChangeBatch: ${messages.join('; ')}`);
  }
}

/** Route 53 InvalidInput for zone settings (origin, SOA, name servers). */
export class InvalidZoneConfigError extends DnsError {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`invalid zone config: ${path}: ${problem}`);
  }
}
