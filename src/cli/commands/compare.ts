import path from 'node:path';
import type { CompareSummary } from '../../analysis/compare';
import { runComparison } from '../../compare/run';
import { parseStrategies, StrategyListError } from '../../compare/strategies';
import { newRunId } from '../../engine/run-id';
import { compareFiles, writeComparison } from '../../report/compare/files';
import { idleText, rpoText, rtoText, staleText } from '../../report/compare/words';
import { fileReporters } from '../../report/files';
import { loadDefinition } from '../../scenario/loader';
import { UsageError } from '../output';
import { ProgressDisplay } from '../progress';
import { shownPath } from '../shown-path';
import { interruptController } from '../signals';

export interface CompareCommandOptions {
  strategies: string;
  out?: string;
  reports: string;
  json: boolean;
  pdf: boolean;
}

/**
 * `gameday compare <experiment> --strategies all|a,b`: the experiment against each strategy, one lab after another,
 * with live progress per run; writes compare.json, compare.md and compare.html; prints the table in short.
 */
export async function compareCommand(file: string, options: CompareCommandOptions): Promise<number> {
  let strategies: string[];
  try {
    strategies = parseStrategies(options.strategies);
  } catch (error) {
    if (error instanceof StrategyListError) throw new UsageError(error.message);
    throw error;
  }
  const definition = loadDefinition(file);
  if (definition.kind === 'scenario')
    throw new UsageError(`${file} is a GameDay scenario; gameday compare takes one experiment`);
  const experiment = definition.experiment;
  if (experiment.target.kind !== 'lab')
    throw new UsageError(
      `gameday compare builds each strategy as a lab; ${file} targets ${experiment.target.kind} (target.kind 'lab')`,
    );
  const runId = newRunId(`compare-${experiment.name}`);
  const runDir = path.resolve(options.out ?? path.join(options.reports, runId));
  let progress: ProgressDisplay | null = null;
  const say = (message: string) => (progress ? progress.line(message) : process.stderr.write(`${message}\n`));
  const interrupt = interruptController(say);
  say(`comparing ${strategies.length} strategies on ${experiment.name} -> ${shownPath(runDir)}`);
  try {
    const result = await runComparison(experiment, {
      runId,
      runDir,
      strategies,
      signal: interrupt.signal,
      runReporters: ({ strategy, index, total, runDir: strategyDir }) => {
        progress?.close();
        const display = new ProgressDisplay(process.stderr, `[${index}/${total}] ${strategy}`);
        progress = display;
        return [
          {
            name: 'progress',
            onEvent: (event) => {
              if (event.type === 'run.started') display.line(`running ${strategy} -> ${shownPath(strategyDir)}`);
              display.onEvent(event);
            },
            onEnd: () => display.close(),
          },
          ...fileReporters(strategyDir, { pdf: options.pdf }),
        ];
      },
      onComparison: async (summary, done) => {
        await writeComparison(runDir, summary, { withPage: done });
      },
    });
    if (options.json) process.stdout.write(JSON.stringify(result.summary, null, 2) + '\n');
    else process.stdout.write(comparisonText(result.summary, result.reason, runDir));
    return interrupt.exitCode(result.status);
  } finally {
    (progress as ProgressDisplay | null)?.close();
    interrupt.dispose();
  }
}

function comparisonText(summary: CompareSummary, reason: string, runDir: string): string {
  const lines = [`COMPARED  ${summary.experiment}: ${reason}`];
  for (const row of summary.strategies)
    lines.push(
      `  ${row.strategy.padEnd(22)} ${row.status.toUpperCase().padEnd(7)} RTO ${rtoText(row)}; RPO ${rpoText(row)}; ` +
        `stale reads ${staleText(row)}; idle ${idleText(row)}`,
    );
  for (const skipped of summary.skipped) lines.push(`  ${skipped.strategy.padEnd(22)} not run: ${skipped.reason}`);
  lines.push(
    `  report ${shownPath(path.join(runDir, compareFiles.html))} (also ${compareFiles.markdown}, ${compareFiles.json})`,
  );
  return lines.join('\n') + '\n';
}
