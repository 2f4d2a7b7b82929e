import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readJournal } from '../../src/core/journal';
import { runExperiment, type RunOptions, type RunResult } from '../../src/engine/run';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { validateExperiment } from '../../src/experiment/validate';

/** Runs an in-memory experiment through the real engine into a temp run dir. */
export async function runInline(
  config: ExperimentConfig,
  options: { signal?: AbortSignal; failoverOnly?: boolean; approve?: (question: string) => Promise<boolean>; reports?: RunOptions['reports'] } = {},
): Promise<RunResult & { events: ReturnType<typeof readJournal> }> {
  const experiment = validateExperiment(config, 'inline.ts');
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-run-'));
  // No PDF unless asked: launching Chromium for every engine test would only slow them.
  const result = await runExperiment(experiment, { runId: path.basename(runDir), runDir, ...options, reports: options.reports ?? { pdf: false } });
  const events = readJournal(path.join(runDir, 'journal.ndjson'));
  return { ...result, events };
}
