import { objectLinkName } from '../../../topology';
import { durationMs } from '../duration';
import { regionsOf, sleep, type Executor } from './execution';
import { addressOf, blackholeToxics, ToxicSet } from './toxics';

/**
 * aws:network:route-table-disrupt-cross-region-connectivity: traffic between the subnet's
 * region and `region` stops; client ingress and each region's own links stay up. The
 * links between two regions A and B are their database ingress proxies (db-A, db-B: the
 * other region's app reaches the writer through them), a replication link whose WAL
 * comes from the other region (replication-B when A is the primary, and the reverse), the
 * link archived WAL is shipped over to an archive in the other region, and the object
 * replication links both ways (objects-A-to-B, objects-B-to-A).
 *
 * The lab's proxies cannot tell clients apart, so db-<writer> is held for the writer
 * region's own app too: its writes stall as well while the action runs.
 */
export const crossRegionBlackhole: Executor = ({ lab, targets, parameters, faultName }) => {
  const other = parameters.region;
  const proxies = regionsOf(targets.Subnets ?? []).flatMap((region) => linksBetween(lab, region, other));
  const toxics = new ToxicSet(lab, [...new Set(proxies)], blackholeToxics(faultName));
  const ms = durationMs(parameters.duration);
  return {
    summary:
      `cross-region partition with ${other}: timeout toxics ${faultName}-upstream/-downstream ` +
      `on ${toxics.proxies.join(', ')}`,
    inject: async () => toxics.apply(),
    settle: (signal) => sleep(ms, signal),
    revert: async () => toxics.remove(),
  };
};

function linksBetween(lab: Parameters<Executor>[0]['lab'], a: string, b: string): string[] {
  const links = [`db-${a}`, `db-${b}`, objectLinkName(a, b), objectLinkName(b, a)].filter((name) =>
    lab.proxies.has(name),
  );
  for (const [from, to] of [
    [a, b],
    [b, a],
  ]) {
    // The WAL stream into `from`, and the archived WAL `from` ships to an archive in `to`.
    for (const name of [`replication-${from}`, `archive-${from}`]) {
      const link = lab.proxies.get(name);
      if (link && link.upstream().host === addressOf(lab, to)) links.push(link.name);
    }
  }
  return links;
}
