/**
 * What each side of a deployment consumed over a drill, from snapshots of its processes'
 * CPU and memory (the lab reads them from /proc). Pure: samples in, numbers out.
 *
 * - CPU: per process, its CPU at its last snapshot minus at its first — or minus nothing
 *   when it was started after the first snapshot (a restored database, a scaled-up
 *   worker), since all its CPU was spent during the drill. A process that exited counts
 *   up to its last snapshot. Per region, the sum.
 * - Memory, per snapshot and region: the private pages of every process plus the largest
 *   shared segment of any one (PostgreSQL's shared buffers are mapped by every backend
 *   and would otherwise be counted once per process). Mean and peak over the snapshots.
 * - Side: each region's at the first snapshot (serving clients, or standing by): the
 *   architecture's standby, however the drill moved it.
 *
 * Measured over two windows: until the first fault (the standby idling: its idle cost)
 * and over the whole drill (the standby taking over, too).
 */

export interface UsageSnapshot {
  t: number;
  regions: Array<{
    region: string;
    side: 'active' | 'standby';
    processes: Array<{ pid: number; cpuMs: number; privateBytes: number; sharedBytes: number }>;
  }>;
}

export interface RegionCost {
  region: string;
  side: 'active' | 'standby';
  cpuSeconds: number;
  memoryMeanBytes: number;
  memoryPeakBytes: number;
}

export interface SideCost {
  regions: string[];
  cpuSeconds: number;
  memoryMeanBytes: number;
}

export interface WindowCost {
  /** From the first snapshot to the last. */
  durationMs: number;
  snapshots: number;
  regions: RegionCost[];
  active: SideCost;
  standby: SideCost;
  /** The standby side's CPU as a fraction of the active side's; null when the active side used none. */
  standbyCpuRatio: number | null;
  standbyMemoryRatio: number | null;
}

export interface DrillCost {
  /** Until the first fault became active: what standing by costs. Null without a snapshot before it. */
  idle: WindowCost | null;
  /** Every snapshot, from the start of the probe to the end of the observation. */
  drill: WindowCost | null;
}

/** Both windows; `firstFaultAt` null (no fault became active) makes the whole drill idle. */
export function measureDrillCost(snapshots: readonly UsageSnapshot[], firstFaultAt: number | null): DrillCost {
  const sides = new Map((snapshots[0]?.regions ?? []).map((region) => [region.region, region.side]));
  const idle = firstFaultAt === null ? snapshots : snapshots.filter((snapshot) => snapshot.t <= firstFaultAt);
  // One snapshot spans no time: no CPU to tell.
  return { idle: idle.length < 2 ? null : measureCost(idle, sides), drill: measureCost(snapshots, sides) };
}

export function measureCost(
  snapshots: readonly UsageSnapshot[],
  sides: ReadonlyMap<string, 'active' | 'standby'> = new Map(
    (snapshots[0]?.regions ?? []).map((region) => [region.region, region.side]),
  ),
): WindowCost | null {
  if (snapshots.length === 0) return null;
  const first = snapshots[0];
  const startCpu = new Map<number, number>();
  for (const region of first.regions) for (const process of region.processes) startCpu.set(process.pid, process.cpuMs);

  const lastCpu = new Map<string, Map<number, number>>();
  const memory = new Map<string, number[]>();
  for (const snapshot of snapshots) {
    for (const region of snapshot.regions) {
      const cpu = lastCpu.get(region.region) ?? new Map<number, number>();
      lastCpu.set(region.region, cpu);
      for (const process of region.processes) cpu.set(process.pid, process.cpuMs);
      const privateBytes = region.processes.reduce((sum, process) => sum + process.privateBytes, 0);
      const sharedBytes = Math.max(0, ...region.processes.map((process) => process.sharedBytes));
      const series = memory.get(region.region) ?? [];
      memory.set(region.region, series);
      series.push(privateBytes + sharedBytes);
    }
  }

  const regions: RegionCost[] = [...lastCpu.keys()].map((region) => {
    let cpuMs = 0;
    for (const [pid, last] of lastCpu.get(region)!) cpuMs += Math.max(0, last - (startCpu.get(pid) ?? 0));
    // A region absent from a snapshot (all its processes down) used no memory then.
    const series = memory.get(region) ?? [];
    const mean = series.reduce((sum, bytes) => sum + bytes, 0) / snapshots.length;
    return {
      region,
      side: sides.get(region) ?? 'standby',
      cpuSeconds: Math.round(cpuMs) / 1000,
      memoryMeanBytes: Math.round(mean),
      memoryPeakBytes: Math.max(0, ...series),
    };
  });
  const side = (name: 'active' | 'standby'): SideCost => {
    const members = regions.filter((region) => region.side === name);
    return {
      regions: members.map((region) => region.region),
      cpuSeconds: Math.round(members.reduce((sum, region) => sum + region.cpuSeconds, 0) * 1000) / 1000,
      memoryMeanBytes: members.reduce((sum, region) => sum + region.memoryMeanBytes, 0),
    };
  };
  const active = side('active');
  const standby = side('standby');
  const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 1000 : null);
  return {
    durationMs: Math.round(snapshots[snapshots.length - 1].t - first.t),
    snapshots: snapshots.length,
    regions,
    active,
    standby,
    standbyCpuRatio: ratio(standby.cpuSeconds, active.cpuSeconds),
    standbyMemoryRatio: ratio(standby.memoryMeanBytes, active.memoryMeanBytes),
  };
}
