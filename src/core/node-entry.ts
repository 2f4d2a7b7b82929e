import path from 'node:path';

/**
 * The argv to run one of gameday's own modules as a separate Node process.
 *
 * From a build (dist/*.js) that is plain `node file.js`; from the sources (tests run
 * under ts-node) the child needs ts-node too. Deciding by our own file extension keeps
 * both working without a build step during development.
 */
export function nodeEntry(modulePathWithoutExtension: string): {
  command: string;
  args: string[];
  /** What the child's environment needs besides (from the sources: which tsconfig ts-node compiles with). */
  env: Record<string, string>;
} {
  const fromSources = path.extname(__filename) === '.ts';
  const file = modulePathWithoutExtension + (fromSources ? '.ts' : '.js');
  if (!fromSources) return { command: process.execPath, args: [file], env: {} };
  // Both resolved here: the child may run in a folder of its own (k6 runs beside its script), where neither ts-node
  // nor gameday's tsconfig would be found.
  return {
    command: process.execPath,
    args: ['-r', require.resolve('ts-node/register/transpile-only'), file],
    env: { TS_NODE_PROJECT: path.resolve(__dirname, '..', '..', 'tsconfig.json') },
  };
}
