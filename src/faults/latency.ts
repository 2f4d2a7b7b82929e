import { z } from 'zod';
import { duration, regionName } from '../core/fields';
import { injectLabRequests, labRollback, requireDirectApi, toxicNameFor } from './direct';
import { fisFault } from './fis';
import { faultTiming } from './timing';
import type { FaultImplementation, FaultKind, Named } from './types';

export const latencyFaultSchema = z.strictObject({
  kind: z.literal('latency'),
  ...faultTiming,
  region: regionName,
  /** ingress: client traffic into the region's app; replication: the WAL stream into a standby region. */
  link: z.enum(['ingress', 'replication']).default('ingress'),
  latency: duration({ max: '5m' }),
  jitter: duration({ allowZero: true, max: '5m' }).prefault('0ms'),
});

export type LatencyFault = z.output<typeof latencyFaultSchema>;

/**
 * Through the lab's direct API: a latency toxic on a link. `ingress` delays the region's
 * responses to clients; `replication` delays the WAL stream into a standby region, which
 * is what makes cross-region replication lag (and so a non-zero RPO) real.
 */
const direct: FaultImplementation<Named<LatencyFault>> = {
  plan: (fault) => ({
    inject:
      `lab: latency toxic ${fault.latency} ms ± ${fault.jitter} ms on ${fault.region}'s ` +
      `${fault.link === 'ingress' ? 'ingress' : 'replication link'} proxy (downstream)`,
    rollback: `lab: remove toxic ${toxicNameFor(fault.name)} from that proxy`,
  }),

  async prepare(fault, context) {
    const api = requireDirectApi(context, 'latency');
    const proxy = api.proxyOf(fault.region, fault.link);
    const toxic = toxicNameFor(fault.name);
    return {
      rollback: labRollback(
        api,
        [{ method: 'DELETE', path: `/proxies/${proxy}/toxics/${toxic}` }],
        `remove ${toxic} from ${proxy}`,
      ),
      inject: async () => {
        await injectLabRequests(api.controlUrl, [
          {
            method: 'POST',
            path: `/proxies/${proxy}/toxics`,
            body: {
              name: toxic,
              type: 'latency',
              stream: 'downstream',
              attributes: { latency: fault.latency, jitter: fault.jitter },
            },
          },
        ]);
        return { proxy, latencyMs: fault.latency, jitterMs: fault.jitter };
      },
    };
  },
};

/**
 * `latency`: added delay on a region's ingress (FIS network latency on its compute) or on the replication link into it
 * (the lab).
 */
export const latencyFault: FaultKind<typeof latencyFaultSchema> = {
  schema: latencyFaultSchema,
  via: { aws: fisFault, direct },
};
