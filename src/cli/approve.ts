import readline from 'node:readline';

/**
 * How a manual failover gets its go-ahead: `--approve` says yes up front (CI, scripts);
 * otherwise an operator at a terminal is asked; with no terminal, the answer is no —
 * a production failover never proceeds because nobody was there to say stop.
 */
export function approver(approveFlag: boolean): (question: string) => Promise<boolean> {
  if (approveFlag) return async () => true;
  if (!process.stdin.isTTY || !process.stderr.isTTY) return async () => false;
  return (question) =>
    new Promise((resolve) => {
      const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
      rl.question(`\n${question} [y/N] `, (answer) => {
        rl.close();
        resolve(/^y(es)?$/i.test(answer.trim()));
      });
    });
}
