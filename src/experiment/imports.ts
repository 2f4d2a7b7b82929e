import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Circular imports among a user's own files. Loading through require does not hang on
 * a cycle: it hands one side a half-initialised module, and the file then fails somewhere
 * far from the cause ("cannot read properties of undefined") or, worse, loads with a
 * field silently undefined. Found statically, before anything runs, and said plainly.
 * Only relative imports are followed: packages are not the experiment's business.
 */
export function findImportCycle(entry: string): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];

  const visit = (file: string): string[] | null => {
    state.set(file, 'visiting');
    stack.push(file);
    for (const dependency of relativeImports(file)) {
      const seen = state.get(dependency);
      if (seen === 'visiting') return [...stack.slice(stack.indexOf(dependency)), dependency];
      if (seen === undefined) {
        const cycle = visit(dependency);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(file, 'done');
    return null;
  };
  return visit(path.resolve(entry));
}

/** The files a module imports with ./ or ../ specifiers, resolved as require would (extensions, index files). */
function relativeImports(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith('./') || specifier.startsWith('../'))
    .map((specifier) => resolveRelative(path.dirname(file), specifier))
    .filter((resolved): resolved is string => resolved !== null);
}

const extensions = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.cjs', '.mjs', '.json'];

function resolveRelative(from: string, specifier: string): string | null {
  const base = path.resolve(from, specifier);
  for (const candidate of [
    ...extensions.map((extension) => base + extension),
    ...extensions.slice(1).map((extension) => path.join(base, `index${extension}`)),
  ]) {
    try {
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}
