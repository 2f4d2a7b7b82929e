import { z } from 'zod';
import type { LabRequest } from '../core/events';
import { regionName } from '../core/fields';
import { injectLabRequests, labRollback, requireDirectApi, toxicNameFor } from './direct';
import { fisFault } from './fis';
import { faultTiming } from './timing';
import type { FaultImplementation, FaultKind, Named } from './types';

export const regionOutageFaultSchema = z.strictObject({
  kind: z.literal('regionOutage'),
  ...faultTiming,
  region: regionName,
  /**
   * blackhole: the region's ingress, database and replication links drop all traffic; stop: its app and database
   * processes are killed.
   */
  mode: z.enum(['blackhole', 'stop']).default('blackhole'),
  /** all: every link of the region; cross-region: only its links to the other regions (clients still reach it). */
  scope: z.enum(['all', 'cross-region']).default('all'),
});

export type RegionOutageFault = z.output<typeof regionOutageFaultSchema>;

/**
 * Through the lab's direct API: the region drops off the network (blackhole: every link
 * into or out of it holds all traffic, as a partition does) or its processes die (stop).
 */
const direct: FaultImplementation<Named<RegionOutageFault>> = {
  plan: (fault) =>
    fault.mode === 'blackhole'
      ? {
          inject:
            fault.scope === 'all'
              ? `lab: blackhole ${fault.region} (timeout toxic on its app ingress, database ingress ` +
                `and every replication link to or from it)`
              : `lab: cut ${fault.region}'s cross-region links (timeout toxic on its database ` +
                `ingress and replication links; client ingress untouched)`,
          rollback: `lab: remove toxic ${toxicNameFor(fault.name)} from those proxies`,
        }
      : {
          inject: `lab: kill ${fault.region}'s app and PostgreSQL (immediate)`,
          rollback: `lab: start ${fault.region}'s PostgreSQL and app`,
        },

  async prepare(fault, context) {
    const api = requireDirectApi(context, 'regionOutage');
    if (fault.mode === 'stop') {
      const inject: LabRequest[] = [
        { method: 'POST', path: `/lab/regions/${fault.region}/app/stop` },
        { method: 'POST', path: `/lab/regions/${fault.region}/database/stop`, body: { mode: 'immediate' } },
      ];
      const undo: LabRequest[] = [
        { method: 'POST', path: `/lab/regions/${fault.region}/database/start` },
        { method: 'POST', path: `/lab/regions/${fault.region}/app/start` },
      ];
      return {
        rollback: labRollback(api, undo, `start ${fault.region}'s PostgreSQL and app`),
        inject: async () => {
          await injectLabRequests(api.controlUrl, inject);
          return { mode: 'stop' };
        },
      };
    }

    const proxies = await api.linksOf(fault.region, fault.scope);
    const toxic = toxicNameFor(fault.name);
    // Both directions: on a connection already open (a WAL stream), the bytes that matter
    // flow downstream; holding only the client side would let replication carry on.
    const streams = ['upstream', 'downstream'] as const;
    const add: LabRequest[] = proxies.flatMap((proxy) =>
      streams.map((stream) => ({
        method: 'POST' as const,
        path: `/proxies/${proxy}/toxics`,
        body: { name: `${toxic}-${stream}`, type: 'timeout', stream, attributes: { timeout: 0 } },
      })),
    );
    const remove: LabRequest[] = proxies.flatMap((proxy) =>
      streams.map((stream) => ({ method: 'DELETE' as const, path: `/proxies/${proxy}/toxics/${toxic}-${stream}` })),
    );
    return {
      rollback: labRollback(api, remove, `remove ${toxic} from ${proxies.join(', ')}`),
      inject: async () => {
        await injectLabRequests(api.controlUrl, add);
        return { mode: 'blackhole', proxies };
      },
    };
  },
};

/**
 * `regionOutage`: a region drops off the network (FIS disrupt-connectivity), or its processes die (the lab's direct
 * API).
 */
export const regionOutageFault: FaultKind<typeof regionOutageFaultSchema> = {
  schema: regionOutageFaultSchema,
  via: { aws: fisFault, direct },
};
