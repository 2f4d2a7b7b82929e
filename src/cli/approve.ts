import readline from 'node:readline';

/**
 * How a manual failover gets its go-ahead: `--approve` says yes up front (CI, scripts);
 * otherwise an operator at a terminal is asked; with no terminal, the answer is no —
 * a production failover never proceeds because nobody was there to say stop.
 */
export function approver(
  approveFlag: boolean,
  display: { whileAsking<T>(question: () => Promise<T>): Promise<T> },
): (question: string, signal?: AbortSignal) => Promise<boolean> {
  if (approveFlag) return async () => true;
  if (!process.stdin.isTTY || !process.stderr.isTTY) return async () => false;
  return (question, signal) => display.whileAsking(() => askAtTerminal(question, signal));
}

function askAtTerminal(question: string, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    // Line by line, as the terminal itself echoes and edits (as a checkpoint is asked): readline's own line
    // editing would write control sequences into the run's output and take Ctrl-C for itself, so the run
    // would neither stop nor roll back while the question is up.
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: false });
    const close = (approved: boolean) => {
      rl.close();
      process.stdin.pause();
      resolve(approved);
    };
    // Ctrl-C, SIGTERM or `gameday halt` while the question is up: no go-ahead, and the run goes on to its rollback.
    signal?.addEventListener('abort', () => close(false), { once: true });
    rl.question(`\n${question} [y/N] `, (answer) => close(/^y(es)?$/i.test(answer.trim())));
  });
}
