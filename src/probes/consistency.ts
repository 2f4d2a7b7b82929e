import { z } from 'zod';
import type { EventOf, JournalEvent } from '../core/events';
import { errorMessage } from '../core/errors';
import { name } from '../core/fields';
import { checkConsistency } from '../measure/consistency';
import type { ConsistencySummary, ProbeAccumulator, ProbeKind } from './types';

/**
 * The consistency check of a target whose regions all take writes (the lab's
 * data-active-active): once the observation ends, what every region's database holds —
 * read after replication between them caught up with what each held then — is compared
 * (measure/consistency.ts): rows that differ or that one side lacks, the same cart
 * written on both sides while they could not see each other (and which write won on
 * each side), updates lost. A target with one writer has nothing to reconcile: the probe
 * says so and reports no figure. Rows written after the check began are left out.
 */
export const consistencyProbeSchema = z.strictObject({
  kind: z.literal('consistency'),
  name: name.default('consistency'),
});

export type ConsistencyProbe = z.output<typeof consistencyProbeSchema>;
export type ConsistencyProbeConfig = z.input<typeof consistencyProbeSchema>;

export const consistencyProbe: ProbeKind<
  typeof consistencyProbeSchema,
  { summary: null; consistency: ConsistencySummary }
> = {
  schema: consistencyProbeSchema,
  label: 'consistency probe',
  startOrder: 2,

  validate(_probe, context, report) {
    if (context.targetKind !== 'lab')
      report(['kind'], `only the lab can read every region's database; the target is ${context.targetKind}`);
  },

  plan: (probe) =>
    `start consistency ${probe.name}: when the observation ends, once replication caught up, compare what every ` +
    "region's database holds (rows, conflicting writes, lost updates)",

  async start(probe, context) {
    context.journal.append({
      type: 'probe.started',
      probe: probe.name,
      kind: probe.kind,
      url: "every region's database",
      rate: 0,
    });
    let checked: Promise<void> | null = null;
    const check = () =>
      (checked ??= (async () => {
        let report: ConsistencySummary['report'] = null;
        let note: string | null = null;
        try {
          const snapshot = await context.session.dataSnapshot();
          if (snapshot) report = checkConsistency(snapshot);
          else note = 'one writer: every region reads what the writer wrote, nothing to reconcile';
        } catch (error) {
          note = `the databases could not be read: ${errorMessage(error)}`;
        }
        context.journal.append({ type: 'consistency.checked', probe: probe.name, report, note });
        context.journal.append({ type: 'probe.stopped', probe: probe.name, requests: 1, errors: report ? 0 : 1 });
      })());
    // Interrupted before the observation ended: no check (the run is rolling back).
    let stopped = false;
    return {
      name: probe.name,
      kind: probe.kind,
      endObservation: check,
      stop: async () => {
        if (checked) return checked;
        if (stopped) return;
        stopped = true;
        context.journal.append({ type: 'probe.stopped', probe: probe.name, requests: 0, errors: 0 });
      },
    };
  },

  summarize: (started) => new ConsistencyFold(started),
};

class ConsistencyFold implements ProbeAccumulator<{ summary: null; consistency: ConsistencySummary }> {
  private checked: EventOf<'consistency.checked'> | undefined;

  constructor(private readonly started: EventOf<'probe.started'>) {}

  add(event: JournalEvent): void {
    if (event.type === 'consistency.checked' && event.probe === this.started.probe) this.checked = event;
  }

  result(): { summary: null; consistency: ConsistencySummary } {
    return {
      summary: null,
      consistency: {
        probe: this.started.probe,
        report: this.checked?.report ?? null,
        note: this.checked ? this.checked.note : 'not checked: the observation did not end (the run was interrupted)',
      },
    };
  }
}
