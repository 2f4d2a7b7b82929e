import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readJournal } from '../../src/engine/journal';
import { runExperiment, type RunResult } from '../../src/engine/run';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { validateExperiment } from '../../src/experiment/validate';

/** Runs an in-memory experiment through the real engine into a temp run dir. */
export async function runInline(
  config: ExperimentConfig,
  options: { signal?: AbortSignal; failoverOnly?: boolean; approve?: (question: string) => Promise<boolean> } = {},
): Promise<RunResult & { events: ReturnType<typeof readJournal> }> {
  const experiment = validateExperiment(config, 'inline.ts');
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-run-'));
  const result = await runExperiment(experiment, { runId: path.basename(runDir), runDir, ...options });
  const events = readJournal(path.join(runDir, 'journal.ndjson'));
  return { ...result, events };
}
