import type { JournalEvent, NoteKind } from '../core/events';
import { formatRatio, unmetSteadyStateFailures } from './format';

/** 'note', 'finding', or 'action for alice': how a note is introduced wherever it is shown. */
export function noteLabel(note: { kind: NoteKind; owner: string | null }): string {
  return note.kind === 'action' ? `action for ${note.owner ?? 'nobody'}` : note.kind;
}

/**
 * An event as the report's timeline says it, or null for events it leaves out (samples,
 * probe bookkeeping). Placed by when the event was written; offsets are added once the
 * start of observation is known.
 */
export function timelineText(event: JournalEvent): string | null {
  let text: string | null = null;
  switch (event.type) {
    case 'phase':
      text = `phase ${event.phase}`;
      break;
    case 'steady-state':
      text =
        `steady state ${event.when}: ${event.ok ? 'ok' : 'NOT met'} ` +
        `(${formatRatio(event.successRatio)} of ${event.samples} requests, need ${formatRatio(event.required)}` +
        `${unmetSteadyStateFailures(event)})`;
      break;
    case 'fault.injecting':
      text = `injecting ${event.fault} (${event.kind})`;
      break;
    case 'fault.injected':
      text = `${event.fault} active`;
      break;
    case 'fault.inject-failed':
      text = `${event.fault} inject FAILED: ${event.error}`;
      break;
    case 'fault.reverting':
      text = `reverting ${event.fault} (${event.reason})`;
      break;
    case 'fault.reverted':
      text = `${event.fault} reverted`;
      break;
    case 'fault.revert-failed':
      text = `${event.fault} revert FAILED: ${event.error}`;
      break;
    case 'stop-condition.breached':
      text = `stop condition ${event.condition}: ${event.detail}`;
      break;
    case 'signal':
      text = `received ${event.signal}`;
      break;
    case 'ledger.readback':
      text = event.ok
        ? `ledger read back: ${event.seqs.length} writes on ${event.writer || 'the writer'}`
        : `ledger read back FAILED after ${event.attempts} attempts: ${event.error}`;
      break;
    case 'failover.step':
      text = `failover ${event.step} ${event.status}${event.error ? `: ${event.error}` : ''}`;
      break;
    case 'failover.completed':
      text = `failover ${event.ok ? 'completed' : 'FAILED'}: ${event.reason}`;
      break;
    case 'error':
      text = `error in ${event.where}: ${event.message}`;
      break;
    case 'run.finished':
      text = `finished: ${event.status} (${event.reason})`;
      break;
    case 'halt':
      text =
        event.action === 'halt'
          ? `HALT pulled by ${event.by}: ${event.reason ?? 'no reason given'}`
          : `halt released by ${event.by}`;
      break;
    case 'note':
      text = `${noteLabel(event)} (${event.author}): ${event.text}`;
      break;
  }
  return text;
}
