import { formatDuration } from '../core/duration';
import type { JournalEvent } from '../core/events';

/** How the day's timeline says an event of the scenario's journal; null for what it leaves out. */
export function scenarioTimelineText(event: JournalEvent): string | null {
  switch (event.type) {
    case 'scenario.started':
      return `GameDay ${event.scenario} started`;
    case 'target.opened':
      return `target opened: ${event.target.kind}${event.target.ephemeral === true ? ' (ephemeral, for the day)' : ''}`;
    case 'preflight.check':
      return event.ok ? null : `target: ${event.detail}`;
    case 'step.started':
      return `step ${event.step} ${event.kind} started: ${event.name}`;
    case 'step.finished':
      return `step ${event.step} ${event.kind} ${event.status}: ${event.reason}`;
    case 'step.skipped':
      return `step ${event.step} ${event.kind} skipped: ${event.name}`;
    case 'checkpoint.asked':
      return `step ${event.step} asks: ${event.question}`;
    case 'checkpoint.answered':
      return (
        `step ${event.step} answered ${event.answer} by ${event.by} (${channelText[event.via]}) after ` +
        formatDuration(event.decisionMs)
      );
    case 'readiness.check':
      return event.status === 'failed' ? `step ${event.step} check ${event.check} FAILED: ${event.detail}` : null;
    case 'target.closed':
      return 'target closed';
    case 'error':
      return `error in ${event.where}: ${event.message}`;
    case 'scenario.finished':
      return `GameDay ${event.status}: ${event.reason}`;
    default:
      return null;
  }
}

export const channelText = {
  terminal: 'at the terminal',
  'yes-flag': '--yes',
  approve: 'gameday approve',
  timeout: 'timeout default',
} as const;
