import type { Journal } from '../engine/journal';
import type { TargetSession } from '../engine/target';
import type { Probe } from '../experiment/schema';
import { functionCheck } from './function';
import { PeriodicCheck } from './periodic';

/** The probes that check at an interval rather than send traffic. */
export type CheckProbe = Extract<Probe, { kind: 'function' }>;

export function isCheckProbe(probe: Probe): probe is CheckProbe {
  return probe.kind === 'function';
}

/** Builds and starts every periodic-check probe of the experiment. */
export function startCheckProbes(probes: Probe[], target: TargetSession, journal: Journal): PeriodicCheck[] {
  const checks = probes.filter(isCheckProbe).map((probe) => {
    switch (probe.kind) {
      case 'function':
        return new PeriodicCheck(probe, journal, `function:${probe.name}`, functionCheck(probe, { kind: target.kind, endpoints: { ...target.endpoints }, dnsServer: target.dnsServer }));
    }
  });
  for (const check of checks) check.start();
  return checks;
}

/** The dry-run plan's line for a periodic-check probe. */
export function planCheckProbe(probe: CheckProbe): string {
  switch (probe.kind) {
    case 'function':
      return `start function probe ${probe.name}: call run() every ${probe.every} ms, one call at a time (timeout ${probe.timeout} ms; a throw is a failed sample)`;
  }
}
