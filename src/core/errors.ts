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

/** What to say of anything thrown: its message, or the value itself. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
