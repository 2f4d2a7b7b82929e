import path from 'node:path';

/**
 * The argv to run one of gameday's own modules as a separate Node process.
 *
 * From a build (dist/*.js) that is plain `node file.js`; from the sources (tests run
 * under ts-node) the child needs ts-node too. Deciding by our own file extension keeps
 * both working without a build step during development.
 */
export function nodeEntry(modulePathWithoutExtension: string): { command: string; args: string[] } {
  const fromSources = path.extname(__filename) === '.ts';
  const file = modulePathWithoutExtension + (fromSources ? '.ts' : '.js');
  const args = fromSources ? ['-r', 'ts-node/register/transpile-only', file] : [file];
  return { command: process.execPath, args };
}
