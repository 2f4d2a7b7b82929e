import type { ReportIssue } from '../core/fields';
import type { ProbeCheckContext } from './types';

/** A probe aims at its own `url`, or at a named endpoint of the target (plus its path): one of the two. */
export function checkUrlOrEndpoint(
  probe: { url?: string; endpoint?: string },
  context: ProbeCheckContext,
  report: ReportIssue,
): void {
  if (probe.url && probe.endpoint) {
    report([], 'give either url or endpoint, not both');
  } else if (!probe.url && !probe.endpoint) {
    report(['url'], `needs url, or endpoint (one of: ${context.endpointNames.join(', ')})`);
  } else if (probe.endpoint && !context.endpointNames.includes(probe.endpoint)) {
    report(
      ['endpoint'],
      `unknown endpoint ${JSON.stringify(probe.endpoint)}; the ${context.targetKind} target has: ` +
        `${context.endpointNames.join(', ')}`,
    );
  }
}

/** A database is a postgres:// URL, or one the target names (the lab: writer, db-<region>). */
export function checkDatabase(connection: string, context: ProbeCheckContext, report: ReportIssue): void {
  if (/^postgres(ql)?:\/\//.test(connection)) {
    if (!URL.canParse(connection) || !new URL(connection).hostname)
      report([], 'not a valid URL; expected postgres://user@host:port/database');
    return;
  }
  if (context.databaseNames.includes(connection)) return;
  const named =
    context.databaseNames.length > 0
      ? `, or a database the target names: ${context.databaseNames.join(', ')}`
      : ' (this target names no databases)';
  report(
    [],
    `unknown database ${JSON.stringify(connection)}; expected a postgres://user@host:port/database URL${named}`,
  );
}
