import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { isExecutableFile } from '../core/executable';

/**
 * Rule files checked the way Prometheus loads them: `promtool check rules`, from the same
 * install as the prometheus binary (next to PROMETHEUS_BIN, Debian's, or on PATH). A file
 * it rejects is a validation error before anything runs, with promtool's own words.
 */

/** promtool's path, or null when this machine has none. */
export function findPromtool(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = [
    ...(env.PROMETHEUS_BIN ? [path.join(path.dirname(env.PROMETHEUS_BIN), 'promtool')] : []),
    '/usr/bin/promtool',
    ...(env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'promtool')),
  ];
  return candidates.find(isExecutableFile) ?? null;
}

export interface RuleFileCheck {
  /** null: promtool accepted it. */
  problem: string | null;
  /** The rules it found, as promtool counted them. */
  rules: number | null;
}

/** `promtool check rules <file>`: what it says is wrong with the file, in its words (the file's path taken out). */
export function checkRuleFile(promtool: string, file: string): RuleFileCheck {
  const result = spawnSync(promtool, ['check', 'rules', file], { encoding: 'utf8', timeout: 30_000 });
  if (result.error) return { problem: `promtool could not run: ${result.error.message}`, rules: null };
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
  const found = /SUCCESS: (\d+) rules found/.exec(output);
  if (result.status === 0) return { problem: null, rules: found ? Number(found[1]) : null };
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^Checking /.test(line) && !/^FAILED:?$/.test(line))
    .map((line) =>
      line.startsWith(`${file}: `) ? line.slice(file.length + 2) : line.split(file).join(path.basename(file)),
    );
  const problem = lines.join('; ') || `promtool check rules exited with ${result.status}`;
  const kubernetes = /field (apiVersion|kind|spec) not found/.test(problem)
    ? ' (a Kubernetes PrometheusRule: give a file with its spec, `groups:` at the top)'
    : '';
  return { problem: `Prometheus rejects it: ${problem}${kubernetes}`, rules: null };
}
