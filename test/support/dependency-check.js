'use strict';
// The dependency check (`depcruise src --config .dependency-cruiser.cjs --output-type err`) over several
// trees in one process, through dependency-cruiser's own API: what the CLI does for one tree, without a
// Node start and a load of dependency-cruiser and TypeScript per tree.
//
//   node test/support/dependency-check.js CONFIG DIR...   → JSON [{ dir, exitCode, output }] on stdout
//
// Each tree is cruised from its own directory (the rules name paths relative to it), with its own
// tsconfig.json, as `depcruise src` run there would.
const path = require('node:path');

async function main() {
  const { cruise } = await import('dependency-cruiser');
  const { default: extractDepcruiseOptions } = await import('dependency-cruiser/config-utl/extract-depcruise-options');
  const { default: extractTSConfig } = await import('dependency-cruiser/config-utl/extract-ts-config');
  const [config, ...dirs] = process.argv.slice(2);
  const options = await extractDepcruiseOptions(path.resolve(config));
  const results = [];
  for (const dir of dirs) {
    process.chdir(dir);
    const tsConfig = extractTSConfig(path.join(dir, options.tsConfig.fileName));
    const { output, exitCode } = await cruise(['src'], { ...options, outputType: 'err' }, {}, { tsConfig });
    results.push({ dir, exitCode, output });
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
