import path from 'node:path';
import { readJournal } from '../../src/core/journal';
import { runExperiment, type RunResult } from '../../src/engine/run';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { validateExperiment } from '../../src/experiment/validate';
import { fileReporters, type ReportOptions } from '../../src/report/files';
import { tempDir } from './temp-dir';

/**
 * Runs an in-memory experiment through the real engine into a temp run dir, its report files attached as the CLI
 * attaches them.
 */
export async function runInline(
  config: ExperimentConfig,
  options: {
    signal?: AbortSignal;
    failoverOnly?: boolean;
    approve?: (question: string) => Promise<boolean>;
    reports?: ReportOptions;
  } = {},
): Promise<RunResult & { events: ReturnType<typeof readJournal> }> {
  const experiment = validateExperiment(config, 'inline.ts');
  const runDir = tempDir('gameday-run-');
  const { reports, ...runOptions } = options;
  // No PDF unless asked: launching Chromium for every engine test would only slow them.
  const reporters = fileReporters(runDir, reports ?? { pdf: false });
  const result = await runExperiment(experiment, { runId: path.basename(runDir), runDir, ...runOptions, reporters });
  const events = readJournal(path.join(runDir, 'journal.ndjson'));
  return { ...result, events };
}
