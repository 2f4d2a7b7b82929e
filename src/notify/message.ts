/**
 * A notification as composed, before any channel formats it: plain text only (Slack's
 * renderer escapes and lays it out as Block Kit, a webhook sends its title as `text`), so
 * what a thread says is decided once, in the narrators, and tested without Slack.
 */
export interface Message {
  /** One line: what happened. A notification's preview, a webhook's `text`. */
  title: string;
  /** A Slack emoji name, without colons: how the line looks at a glance. */
  icon: string;
  /** 'headline': a thread's first message or verdict (a header and fields); 'update': one line in the thread. */
  weight: 'headline' | 'update';
  /** Paragraphs under the title. */
  body?: string[];
  /** Labelled figures: RTO, RPO, each SLO's budget… */
  fields?: Array<{ label: string; value: string }>;
  /** Small print: run id, file, where the report is. */
  context?: string[];
  links?: Array<{ label: string; url: string }>;
  /** Who is called (Slack IDs, '@here'): when someone is needed now. */
  mention?: string[];
}

/** The message in plain lines: its title, its body, its links (a webhook's `text`). */
export function plainText(message: Message): string {
  const links = (message.links ?? []).map((link) => `${link.label}: ${link.url}`);
  return [message.title, ...(message.body ?? []), ...links].join('\n');
}

/** 'a', 'a and b', 'a, b and c'. */
export function listOf(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** A report URL as configured, with `{runId}` filled in. */
export function reportLink(template: string | undefined, runId: string): string | null {
  return template === undefined ? null : template.split('{runId}').join(encodeURIComponent(runId));
}

/** How a verdict looks at a glance: passed, failed or errored, anything else (aborted, halted) a warning. */
export function verdictIcon(status: string): string {
  if (status === 'passed') return 'white_check_mark';
  return status === 'failed' || status === 'error' ? 'x' : 'warning';
}

/** Where the report is on disk: its path, and the host it was written on once the run has said it. */
export function reportLocation(runDir: string, reportFile: string, host: string | undefined): string {
  return `${runDir}/${reportFile}${host ? ` on ${host}` : ''}`;
}
