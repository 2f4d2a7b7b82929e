import fs from 'node:fs';
import path from 'node:path';
import { checkRuleFile, findPromtool } from '../prometheus/promtool';
import type { ExperimentIssue } from './errors';

/**
 * The rule files an experiment names, resolved against its own file's directory and
 * checked as Prometheus would load them (`promtool check rules`, when this machine has
 * promtool; else the lab's Prometheus is the judge when the run loads them). A file that
 * is missing, unreadable or rejected is an issue at `alerts.rules[i]`: nothing runs.
 */
export function resolveRuleFiles(
  rules: readonly string[],
  experimentFile: string,
): { files: string[]; issues: ExperimentIssue[] } {
  const base = path.dirname(path.resolve(experimentFile));
  const issues: ExperimentIssue[] = [];
  const promtool = rules.length > 0 ? findPromtool() : null;
  const files = rules.map((rule, index) => {
    const file = path.resolve(base, rule);
    const problem = (message: string) =>
      issues.push({ file: experimentFile, path: `alerts.rules[${index}]`, message: `${rule}: ${message}` });
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      problem(`no such file (looked for ${file})`);
      return file;
    }
    if (!stat.isFile()) {
      problem('is not a file');
      return file;
    }
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch {
      problem('cannot be read');
      return file;
    }
    if (promtool) {
      const checked = checkRuleFile(promtool, file);
      if (checked.problem) problem(checked.problem);
    }
    return file;
  });
  return { files, issues };
}
