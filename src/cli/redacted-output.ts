import { Redactor } from '../core/redact';

/**
 * Everything the CLI prints goes through the redactor: validation messages quote the
 * values they reject, `plan` prints commands and URLs, errors quote what failed. Journal
 * events are redacted already; this catches whatever reaches a terminal or a CI log by
 * any other path. And every character that could rewrite the terminal line is shown as an
 * escape instead (see terminalSafe): names come from users' files.
 */
export function redactProcessOutput(redactor = new Redactor()): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    (stream as ControlledStream)[rawWrite] = (text: string) => write(text);
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      write(
        typeof chunk === 'string'
          ? terminalSafe(redactor.text(chunk))
          : Buffer.isBuffer(chunk)
            ? terminalSafe(redactor.text(chunk.toString('utf8')))
            : chunk,
        ...rest,
      )) as typeof stream.write;
  }
}

/**
 * Controls (C0 but tab and newline, so carriage returns too; DEL, C1, escape), bidirectional overrides and
 * isolates, zero-width characters and line separators: a name made of them can reverse
 * or hide the rest of a line (U+202E), or move the cursor. Shown as `\u202e`.
 */
const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

export function terminalSafe(text: string): string {
  return text.replace(unsafe, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const rawWrite = Symbol('raw write');
type ControlledStream = NodeJS.WriteStream & { [rawWrite]?: (text: string) => boolean };

/** Writes the CLI's own terminal control sequences (the progress line's redraw), which terminalSafe would escape. */
export function writeControl(stream: NodeJS.WriteStream, sequence: string): void {
  const raw = (stream as ControlledStream)[rawWrite];
  if (raw) raw(sequence);
  else stream.write(sequence);
}
