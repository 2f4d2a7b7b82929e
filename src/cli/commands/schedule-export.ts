import fs from 'node:fs';
import path from 'node:path';
import { loadEntries } from '../../schedule/entries';
import { ExportError, exportFormats, type ExportFormat } from '../../schedule/export';
import { UsageError } from '../output';
import { shownPath } from '../shown-path';

export interface ScheduleExportOptions {
  format: ExportFormat;
  out?: string;
  workdir?: string;
  gameday: string;
  reports: string;
  image?: string;
}

/**
 * `gameday schedule export --format F [files..]`: the configuration that hands the schedules
 * to another scheduler, each firing `gameday schedule run --once`. Printed (one file after
 * another, each under a comment with its name), or written into --out. What that scheduler
 * cannot honour is said on stderr and in the files.
 */
export function scheduleExportCommand(files: string[], options: ScheduleExportOptions): number {
  const entries = loadEntries(files);
  const workdir = path.resolve(options.workdir ?? process.cwd());
  let exported;
  try {
    exported = exportFormats[options.format](entries, {
      workdir,
      gameday: options.gameday,
      reports: options.reports,
      image: options.image,
      now: Date.now(),
    });
  } catch (error) {
    if (error instanceof ExportError) throw new UsageError(`cannot export to ${options.format}: ${error.message}`);
    throw error;
  }
  for (const note of exported.notes) process.stderr.write(`gameday: ${options.format}: ${note}\n`);
  if (options.out) {
    fs.mkdirSync(options.out, { recursive: true });
    for (const file of exported.files) {
      const written = path.join(options.out, file.name);
      fs.writeFileSync(written, file.content);
      process.stdout.write(`wrote ${shownPath(path.resolve(written))}\n`);
    }
    return 0;
  }
  const many = exported.files.length > 1;
  process.stdout.write(
    exported.files.map((file) => (many ? `# ---- ${file.name} ----\n${file.content}` : file.content)).join('\n'),
  );
  return 0;
}
