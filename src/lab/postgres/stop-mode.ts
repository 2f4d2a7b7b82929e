/** `fast`: SIGINT, clean shutdown (checkpoint). `immediate`: SIGQUIT, like a crash; recovery on next start. */
export type PgStopMode = 'fast' | 'immediate';

/** The signals to send, in turn, until the postmaster exits: a shutdown can hang, so both modes end in SIGKILL. */
export function stopSignals(mode: PgStopMode): NodeJS.Signals[] {
  return mode === 'fast' ? ['SIGINT', 'SIGQUIT', 'SIGKILL'] : ['SIGQUIT', 'SIGKILL'];
}
