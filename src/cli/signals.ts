/**
 * SIGINT/SIGTERM become an abort of the run; the engine then rolls back. A second
 * signal does not abandon the rollback — it says so and keeps waiting. Leaving a fault
 * injected because someone pressed Ctrl-C twice is the one thing we never do.
 */
export function interruptController(say: (message: string) => void): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      say(`${signal}: stopping the run and rolling back every injected fault…`);
      controller.abort({ signal });
    } else {
      say(`${signal}: rollback is still running; gameday exits when it is done (it will not leave a fault behind)`);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
