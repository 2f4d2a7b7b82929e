/**
 * The base of gameday's own errors: anything thrown as a GamedayError is a condition
 * gameday understands and can say in a sentence (bad input, a refused run, an unreachable
 * target), never a bug. Only the CLI turns errors into exit codes and banners.
 */
export class GamedayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * Why a fetch() failed: undici says only "fetch failed" and keeps the reason (ECONNREFUSED, a bad port, a TLS error) in
 * its cause.
 */
export function fetchFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? errorMessage(error);
}

/** What to say of anything thrown: its message, or the value itself. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
