import { Redactor } from '../core/redact';

/**
 * Everything the CLI prints goes through the redactor: validation messages quote the
 * values they reject, `plan` prints commands and URLs, errors quote what failed. Journal
 * events are redacted already; this catches whatever reaches a terminal or a CI log by
 * any other path.
 */
export function redactProcessOutput(redactor = new Redactor()): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      write(
        typeof chunk === 'string'
          ? redactor.text(chunk)
          : Buffer.isBuffer(chunk)
            ? redactor.text(chunk.toString('utf8'))
            : chunk,
        ...rest,
      )) as typeof stream.write;
  }
}
