'use strict';
// ts-node's transpiler for this repository (tsconfig.json, "ts-node".transpiler): TypeScript's
// own transpileModule, its output kept on disk per source file until the source changes.
//
// Every test file runs in a Node process of its own, and so does every lab daemon and app a
// test starts from the sources: each would transpile the same ~150 modules again, about
// 3.5 s of CPU per process on the 2-core development machine, where the whole suite is
// CPU-bound. From the cache a process loads them in well under a second.
//
// One entry per source file, named by a hash of what shapes the output (this cache's format,
// the TypeScript version, the compiler options, the module kind, the file's path) and holding
// a hash of the source it was made from: an edited file misses and overwrites its entry, so
// the cache never serves stale output and does not grow with edits. Only this checkout's own
// files are cached (not node_modules, not the temporary experiment files tests write), so it
// holds at most one entry per file here. Output with a diagnostic is never cached: ts-node
// reports it every time. Entries are written to a temporary name and renamed, so processes
// transpiling the same file at once never read a torn entry. Where the cache cannot be
// written, files are transpiled as without it.
//
// The cache is in $XDG_CACHE_HOME/gameday/ts-node (default ~/.cache/gameday/ts-node), beside
// the lab's PostgreSQL templates; deleting the directory is always safe.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const format = 1;
const checkout = path.resolve(__dirname, '..');
const ownFile = (fileName) =>
  fileName.startsWith(checkout + path.sep) && !fileName.includes(`${path.sep}node_modules${path.sep}`);

function cacheDir() {
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'gameday', 'ts-node');
}

const sha256 = (...parts) => {
  const hash = crypto.createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
};

/** Called by ts-node once per module kind it may emit; see ts-node's TranspilerModule. */
exports.create = function create({ service, nodeModuleEmitKind }) {
  const ts = require(service.projectLocalResolveHelper('typescript', true));
  const compilerOptions = service.config.options;
  const dir = cacheDir();
  const salt = [String(format), ts.version, JSON.stringify(compilerOptions), nodeModuleEmitKind ?? ''];

  const transpile = (input, fileName) => {
    // node16/nodenext emit depends on the package's module type, which transpileModule cannot see.
    if (nodeModuleEmitKind)
      throw new Error(`${fileName}: scripts/cached-transpiler.js transpiles to CommonJS only (tsconfig.json module)`);
    const { outputText, sourceMapText, diagnostics } = ts.transpileModule(input, {
      fileName,
      compilerOptions,
      reportDiagnostics: true,
    });
    return { outputText, sourceMapText, diagnostics };
  };

  return {
    transpile(input, { fileName }) {
      if (!ownFile(fileName)) return transpile(input, fileName);
      const entry = path.join(dir, `${sha256(...salt, fileName)}.json`);
      const source = sha256(input);
      try {
        const cached = JSON.parse(fs.readFileSync(entry, 'utf8'));
        if (cached.source === source) return { outputText: cached.outputText, sourceMapText: cached.sourceMapText };
      } catch {
        // no entry yet, or unreadable: transpile
      }
      const result = transpile(input, fileName);
      if (result.diagnostics && result.diagnostics.length > 0) return result;
      const temporary = `${entry}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        fs.writeFileSync(
          temporary,
          JSON.stringify({ source, outputText: result.outputText, sourceMapText: result.sourceMapText }),
        );
        fs.renameSync(temporary, entry);
      } catch {
        // a read-only or full disk: this process goes on without the cache
        fs.rmSync(temporary, { force: true });
      }
      return result;
    },
  };
};
