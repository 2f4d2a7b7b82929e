import type { Lab } from '../../../lab';
import type { ToxicInput } from '../../../proxy';

type NamedToxic = ToxicInput & { name: string };

/**
 * Toxics, each under its own name, on a set of the lab's fault proxies: what every network
 * action in the lab comes down to. Reverting removes exactly the toxics this set added,
 * and only those still there (a lab reset may have cleared them already).
 */
export class ToxicSet {
  private readonly applied: Array<{ proxy: string; toxic: string }> = [];

  constructor(
    private readonly lab: Lab,
    readonly proxies: readonly string[],
    private readonly toxics: readonly NamedToxic[],
  ) {}

  /** Adds every toxic to every proxy: all of them or, on an error, none (the added ones are removed). */
  apply(): void {
    try {
      for (const name of this.proxies) {
        const proxy = this.lab.proxies.get(name);
        if (!proxy) throw new Error(`the lab has no proxy ${name}`);
        for (const toxic of this.toxics) {
          proxy.addToxic(toxic);
          this.applied.push({ proxy: name, toxic: toxic.name });
        }
      }
    } catch (error) {
      this.remove();
      throw error;
    }
  }

  remove(): void {
    while (this.applied.length > 0) {
      const { proxy: proxyName, toxic } = this.applied.pop()!;
      const proxy = this.lab.proxies.get(proxyName);
      if (proxy?.toxics().some((existing) => existing.name === toxic)) proxy.removeToxic(toxic);
    }
  }
}

/**
 * A partition: a timeout toxic with timeout 0 (hold every byte, close nothing) in each
 * direction. Both are needed: on a link already open, holding only the requests would let
 * the server keep streaming (a primary's WAL flows server to client).
 */
export function blackholeToxics(faultName: string): NamedToxic[] {
  return (['upstream', 'downstream'] as const).map((stream) => ({
    name: `${faultName}-${stream}`,
    type: 'timeout',
    stream,
    attributes: { timeout: 0 },
  }));
}

/** Toxic names may not contain "/"; experiment ids and action names are kept readable. */
export function toxicName(experimentId: string, actionName: string): string {
  return `fis-${experimentId}-${actionName}`.replace(/[^A-Za-z0-9_.-]+/g, '-');
}

/** The loopback address a lab region lives on. */
export function addressOf(lab: Lab, region: string): string {
  const layout = lab.layout.regions.find((candidate) => candidate.name === region);
  if (!layout) throw new Error(`the lab has no region ${region}`);
  return layout.address;
}
