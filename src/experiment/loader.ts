import fs from 'node:fs';
import ts from 'typescript';
import path from 'node:path';
import { ExperimentValidationError } from './errors';
import { Experiment, validateExperiment } from './validate';
import { findImportCycle } from './imports';
import { isScenarioDefinition } from './detect';

let typescriptRegistered = false;

/**
 * Lets `require` load users' .ts experiment files. Transpile-only: type errors are the
 * editor's job, and loading must stay fast. The user's own tsconfig is ignored on
 * purpose: its module settings (often ESM) would break loading through require.
 */
function registerTypeScript(): void {
  if (typescriptRegistered) return;
  // A process already running under ts-node (our tests) has a compiler hooked in.
  const alreadyHooked = (process as unknown as Record<symbol, unknown>)[Symbol.for('ts-node.register.instance')];
  if (!alreadyHooked) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('ts-node').register({
      transpileOnly: true,
      skipProject: true,
      ignore: notTranspiled(process.cwd(), path.resolve(__dirname, '..')),
      compiler: require.resolve('typescript'),
      compilerOptions: { module: 'commonjs', target: 'es2022', esModuleInterop: true, allowJs: true },
      // Experiment files load through require even in a "type": "module" project.
      moduleTypes: { '**/*.ts': 'cjs', '**/*.mts': 'cjs', '**/*.cts': 'cjs' },
    });
  }
  typescriptRegistered = true;
}

/**
 * What the hook leaves to plain `require`, as ts-node's `ignore` (patterns over paths relative to `cwd`):
 * node_modules, as by default, and gameday's own compiled code (`builtDir`). `allowJs` (for experiments written
 * as ESM .js) would otherwise run every module an experiment's `import 'gameday'` loads through the TypeScript
 * compiler again — the package's own directory is no node_modules when it is the working copy or linked — some
 * 300 files, 3 s of CPU on each `validate`, `plan` or `run`.
 */
export function notTranspiled(cwd: string, builtDir: string): string[] {
  const byDefault = '(?:^|/)node_modules/';
  const fromBuilt = path.relative(builtDir, cwd);
  // Working in the built code itself, no relative path tells its files from the user's: none is left out.
  if (!fromBuilt.startsWith('..') && !path.isAbsolute(fromBuilt)) return [byDefault];
  const built = path.relative(cwd, builtDir).split(path.sep).join('/');
  return [byDefault, `^${built.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`];
}

/** Loads and validates one experiment file. Throws ExperimentValidationError for anything wrong with it. */
export function loadExperiment(file: string): Experiment {
  const exported = loadDefaultExport(file);
  if (isScenarioDefinition(exported))
    throw new ExperimentValidationError([
      {
        file: displayPath(file),
        path: '',
        message:
          'is a GameDay scenario, and this command takes one experiment; run the day with `gameday run`, ' +
          'plan it with `gameday plan`',
      },
    ]);
  return validateExperiment(exported, displayPath(file));
}

/** The path as the user should read it in messages: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), path.resolve(file));
  return relative && !relative.startsWith('..') ? relative : path.resolve(file);
}

export function loadDefaultExport(file: string): unknown {
  const shown = displayPath(file);
  const absolute = path.resolve(file);
  const fail = (message: string): never => {
    throw new ExperimentValidationError([{ file: shown, path: '', message }]);
  };
  if (!fs.existsSync(absolute)) fail('no such file');
  if (fs.statSync(absolute).isDirectory()) fail('is a directory; give an experiment file (experiments/*.ts)');
  if (!/\.(ts|mts|cts|js|cjs|mjs)$/.test(absolute)) fail('expected a .ts or .js experiment file');

  const cycle = findImportCycle(absolute);
  if (cycle) {
    fail(
      `circular import: ${cycle.map((file) => displayPath(file)).join(' → ')}; require would hand ` +
        `one of them a half-loaded module, so break the cycle (move what both need into a third file)`,
    );
  }

  registerTypeScript();
  let loaded: unknown;
  try {
    loaded = require(absolute);
  } catch (error) {
    return fail(describeLoadFailure(error, absolute));
  }
  const moduleExports = loaded as { default?: unknown; experiment?: unknown } | undefined;
  const candidate = moduleExports?.default ?? moduleExports?.experiment;
  if (candidate === undefined) {
    const hasOtherExports = moduleExports && typeof moduleExports === 'object' && Object.keys(moduleExports).length > 0;
    if (hasOtherExports && !('default' in moduleExports) && !('experiment' in moduleExports)) {
      return fail(
        `exports no experiment (found: ${Object.keys(moduleExports).join(', ')}); add \`export ` +
          `default defineExperiment({...})\``,
      );
    }
    return fail('exports no experiment; add `export default defineExperiment({...})`');
  }
  return candidate;
}

/** A short reason with the line in the user's file, never a stack trace. */
function describeLoadFailure(error: unknown, absolute: string): string {
  const err = error as { message?: string; stack?: string; diagnosticText?: string; code?: string };
  if (err?.diagnosticText) {
    // "file.ts(4,1): error TS1005: '}' expected." -> "(line 4) '}' expected."
    const first = err.diagnosticText.trim().split('\n')[0];
    const match = first.match(/\((\d+),\d+\): error TS\d+: (.*)$/);
    return match ? `does not compile (line ${match[1]}): ${match[2]}` : `does not compile: ${first}`;
  }
  const message = String(err?.message ?? error).split('\n')[0];
  if (err?.code === 'MODULE_NOT_FOUND') return `could not load: ${message}`;
  if (err?.code === 'ERR_REQUIRE_ASYNC_MODULE') {
    const line = topLevelAwaitLine(absolute);
    const where = line === null ? 'a file it imports uses' : `uses (line ${line})`;
    return (
      `${where} top-level await, which experiment files cannot: gameday loads them synchronously, before anything ` +
      "runs. Move the awaited work into a function gameday calls (a probe's run, a failover hook), or compute the " +
      'value before the run (an environment variable)'
    );
  }
  const where = locationIn(err?.stack, absolute);
  return `threw while loading${where ? ` (${where})` : ''}: ${message}`;
}

function locationIn(stack: string | undefined, absolute: string): string | undefined {
  if (!stack) return undefined;
  for (const line of stack.split('\n')) {
    const index = line.indexOf(absolute + ':');
    if (index >= 0) {
      const match = line.slice(index + absolute.length + 1).match(/^(\d+):(\d+)/);
      if (match) return `line ${match[1]}`;
    }
  }
  return undefined;
}

/** The line of the first `await` outside any function in a file, if there is one. */
function topLevelAwaitLine(file: string): number | null {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  let found: ts.Node | null = null;
  const visit = (node: ts.Node): void => {
    if (found || ts.isFunctionLike(node)) return;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found === null ? null : source.getLineAndCharacterOfPosition((found as ts.Node).getStart()).line + 1;
}
