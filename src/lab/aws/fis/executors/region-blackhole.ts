import { durationMs } from '../duration';
import { regionsOf, sleep, type Executor } from './execution';
import { addressOf, blackholeToxics, ToxicSet } from './toxics';

/**
 * aws:network:disrupt-connectivity (scope all): the subnet's region drops off the network.
 * As the regionOutage fault's blackhole does, a timeout toxic (timeout 0: hold every byte,
 * close nothing) goes on every proxy in the region (app ingress, database ingress, its
 * replication link, the link it ships archived WAL over, its object replication links
 * out) and on every proxy into it (other regions' replication links whose upstream is this
 * region's database, their object replication links to it); here in both directions (see
 * blackholeToxics).
 */
export const regionBlackhole: Executor = ({ lab, targets, parameters, faultName }) => {
  const regions = regionsOf(targets.Subnets ?? []);
  const proxies = regions.flatMap((region) => proxiesInOrInto(lab, region));
  const toxics = new ToxicSet(lab, [...new Set(proxies)], blackholeToxics(faultName));
  const ms = durationMs(parameters.duration);
  return {
    summary:
      `blackhole of ${regions.join(', ')}: timeout toxics ${faultName}-upstream/-downstream ` +
      `on ${toxics.proxies.join(', ')}`,
    inject: async () => toxics.apply(),
    settle: (signal) => sleep(ms, signal),
    revert: async () => toxics.remove(),
  };
};

function proxiesInOrInto(lab: Parameters<Executor>[0]['lab'], region: string): string[] {
  const address = addressOf(lab, region);
  return [...lab.proxies.values()]
    .filter(
      (proxy) =>
        [`app-${region}`, `db-${region}`, `replication-${region}`, `archive-${region}`].includes(proxy.name) ||
        proxy.address().host === address ||
        proxy.upstream().host === address,
    )
    .map((proxy) => proxy.name);
}
