import { z } from 'zod';
import { now, sleep } from '../core/clock';
import type { EventOf, JournalEvent, UsageRow } from '../core/events';
import { duration, name } from '../core/fields';
import type { Journal } from '../core/journal';
import { measureDrillCost, type UsageSnapshot } from '../measure/cost';
import type { ResourceUsage, TargetSession } from '../targets/session';
import { JournalBatcher, tenths } from './batcher';
import type { ProbeAccumulator, ProbeKind, ResourceSummary } from './types';

/**
 * What the target's processes consume over the drill, region by region (the lab reads
 * /proc): a snapshot at every interval from the start to the end of the observation.
 * Summed by side, it is the idle cost of an architecture: what the standby side burns
 * in CPU and memory, relative to the side that serves (measure/cost.ts).
 */
export const resourcesProbeSchema = z.strictObject({
  kind: z.literal('resources'),
  name: name.default('resources'),
  interval: duration({ max: '1m' }).prefault('1s'),
});

export type ResourcesProbe = z.output<typeof resourcesProbeSchema>;
export type ResourcesProbeConfig = z.input<typeof resourcesProbeSchema>;

export const resourcesProbe: ProbeKind<
  typeof resourcesProbeSchema,
  { summary: null; resources: ResourceSummary | null }
> = {
  schema: resourcesProbeSchema,
  label: 'resources probe',
  startOrder: 2,

  validate(_probe, context, report) {
    if (context.targetKind !== 'lab')
      report(['kind'], `only the lab can say what its processes consume; the target is ${context.targetKind}`);
  },

  plan: (probe) =>
    `start resources ${probe.name}: every ${probe.interval} ms, the CPU and memory of each region's processes`,

  async start(probe, context) {
    const sampler = new UsageSampler(probe, context.session, context.journal);
    await sampler.start();
    let stopped: Promise<void> | null = null;
    const stop = () => (stopped ??= sampler.stop());
    return { name: probe.name, kind: probe.kind, endObservation: stop, stop };
  },

  summarize: (started) => new ResourceFold(started),
};

class UsageSampler {
  private readonly batcher: JournalBatcher<UsageRow>;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | null = null;
  private samples = 0;
  private failures = 0;

  constructor(
    private readonly probe: ResourcesProbe,
    private readonly session: TargetSession,
    private readonly journal: Journal,
  ) {
    this.batcher = new JournalBatcher((rows) => journal.append({ type: 'usage.samples', probe: probe.name, rows }));
  }

  /** The first snapshot is taken before it resolves: a target that cannot say fails the start. */
  async start(): Promise<void> {
    const first = await this.session.resourceUsage();
    if (!first) throw new Error('the target cannot say what its processes consume');
    this.journal.append({
      type: 'probe.started',
      probe: this.probe.name,
      kind: this.probe.kind,
      url: 'lab /proc',
      rate: 1000 / this.probe.interval,
    });
    this.record(now(), first);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    // The last snapshot: the drill's end.
    await this.snapshot();
    this.batcher.close();
    this.journal.append({
      type: 'probe.stopped',
      probe: this.probe.name,
      requests: this.samples + this.failures,
      errors: this.failures,
    });
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      await sleep(this.probe.interval, this.stopping.signal).catch(() => undefined);
      if (!this.stopping.signal.aborted) await this.snapshot();
    }
  }

  private async snapshot(): Promise<void> {
    const t = now();
    const usage = await this.session.resourceUsage().catch(() => null);
    if (usage) this.record(t, usage);
    else this.failures++;
  }

  private record(t: number, usage: ResourceUsage): void {
    this.samples++;
    this.batcher.push([
      tenths(t),
      usage.regions.map((region) => [
        region.region,
        region.side,
        region.processes.map((process) => [process.pid, process.cpuMs, process.privateBytes, process.sharedBytes]),
      ]),
    ]);
  }
}

/** The drill's cost from the probe's snapshots alone. */
class ResourceFold implements ProbeAccumulator<{ summary: null; resources: ResourceSummary | null }> {
  private readonly snapshots: UsageSnapshot[] = [];
  private firstFaultAt: number | null = null;

  constructor(private readonly started: EventOf<'probe.started'>) {}

  add(event: JournalEvent): void {
    if (event.type === 'fault.injected' && this.firstFaultAt === null) this.firstFaultAt = event.at;
    if (event.type !== 'usage.samples' || event.probe !== this.started.probe) return;
    for (const [t, regions] of event.rows) {
      this.snapshots.push({
        t,
        regions: regions.map(([region, side, processes]) => ({
          region,
          side,
          processes: processes.map(([pid, cpuMs, privateBytes, sharedBytes]) => ({
            pid,
            cpuMs,
            privateBytes,
            sharedBytes,
          })),
        })),
      });
    }
  }

  result(): { summary: null; resources: ResourceSummary | null } {
    if (this.snapshots.length === 0) return { summary: null, resources: null };
    return {
      summary: null,
      resources: { probe: this.started.probe, ...measureDrillCost(this.snapshots, this.firstFaultAt) },
    };
  }
}
