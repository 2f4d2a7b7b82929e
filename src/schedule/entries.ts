import fs from 'node:fs';
import path from 'node:path';
import { ExperimentValidationError, type ExperimentIssue } from '../experiment/errors';
import { displayPath } from '../experiment/loader';
import type { ParsedSchedule } from '../experiment/schedule';
import { loadDefinition, type Definition } from '../scenario/loader';
import { entryKey } from './state';

/** A scheduled file: what it defines, its schedule, and the key its state is kept under. */
export interface ScheduledEntry {
  key: string;
  /** The file as the user reads it. */
  label: string;
  file: string;
  name: string;
  definition: Definition;
  schedule: ParsedSchedule;
}

/** Where `gameday schedule` looks when no file is named: the examples' folders of a project. */
export const defaultFolders = ['experiments', 'scenarios'];

/**
 * Loads and validates the files (all of them first: nothing is scheduled unless every one
 * is valid) and keeps those with a schedule. A file named on purpose must have one; in the
 * default folders, files without one are passed over.
 */
export function loadEntries(files: string[]): ScheduledEntry[] {
  const named = files.length > 0;
  const candidates = named ? files : defaultFiles();
  const issues: ExperimentIssue[] = [];
  const entries: ScheduledEntry[] = [];
  let subject: 'experiment' | 'scenario' = 'experiment';
  for (const file of candidates) {
    let definition: Definition;
    try {
      definition = loadDefinition(file);
    } catch (error) {
      if (!(error instanceof ExperimentValidationError)) throw error;
      issues.push(...error.issues);
      if (error.subject === 'scenario') subject = 'scenario';
      continue;
    }
    const defined = definition.kind === 'scenario' ? definition.scenario : definition.experiment;
    if (!defined.schedule) {
      if (named && definition.kind === 'scenario') subject = 'scenario';
      if (named)
        issues.push({
          file: displayPath(file),
          path: 'schedule',
          message:
            "is not set, so there is nothing to schedule; add e.g. schedule: { cron: '0 10 * * TUE', timezone: " +
            "'Europe/Berlin' }",
        });
      continue;
    }
    entries.push({
      key: entryKey(file, defined.name),
      label: displayPath(file),
      file: path.resolve(file),
      name: defined.name,
      definition,
      schedule: defined.schedule,
    });
  }
  if (issues.length > 0) throw new ExperimentValidationError(issues, subject);
  if (entries.length === 0)
    throw new ExperimentValidationError([
      {
        file: defaultFolders.map((folder) => `${folder}/`).join(', '),
        path: '',
        message: 'no file with a schedule here; name the files to schedule',
      },
    ]);
  return entries;
}

function defaultFiles(): string[] {
  return defaultFolders.flatMap((folder) => {
    if (!fs.existsSync(folder)) return [];
    return fs
      .readdirSync(folder)
      .filter((name) => /\.(ts|js)$/.test(name))
      .sort()
      .map((name) => path.join(folder, name));
  });
}
