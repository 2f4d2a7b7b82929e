import os from 'node:os';
import readline from 'node:readline';
import type { CheckpointAnswerers } from '../scenario/checkpoint';

/** Who is answering from this terminal: the operating system's user. */
export function operatorName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/**
 * A checkpoint asked at the terminal, when there is one: y or n, asked again until it is
 * one of them. `gameday approve` may answer first, and then the question is withdrawn.
 */
export function terminalAsk(): CheckpointAnswerers['ask'] {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return (checkpoint, signal) =>
    new Promise((resolve, reject) => {
      // Line by line, as the terminal itself echoes and edits: readline's own line editing would write control
      // sequences (which the CLI's output shows escaped) and take Ctrl-C for itself, away from the rollback.
      const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: false });
      const close = () => {
        rl.close();
        process.stdin.pause();
      };
      signal.addEventListener(
        'abort',
        () => {
          close();
          process.stderr.write('\n');
          reject(new Error('answered elsewhere'));
        },
        { once: true },
      );
      const ask = () =>
        rl.question(`   ${checkpoint.question} [y/n] `, (text) => {
          const answer = text.trim().toLowerCase();
          if (!/^(y|yes|n|no)$/.test(answer)) return ask();
          close();
          resolve({ answer: answer.startsWith('y') ? 'yes' : 'no', by: operatorName() });
        });
      ask();
    });
}
