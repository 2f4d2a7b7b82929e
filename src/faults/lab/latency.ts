import type { LatencyFault } from '../../experiment/schema';
import type { FaultKind } from '../types';
import { injectLabRequests, labRollback, requireDirectApi, toxicNameFor } from './requests';

type Fault = LatencyFault & { name: string };

/**
 * latency: added delay on a link. `ingress` delays the region's responses to clients;
 * `replication` delays the WAL stream into a standby region, which is what makes
 * cross-region replication lag (and so a non-zero RPO) real.
 */
export const latencyFault: FaultKind<Fault> = {
  plan: (fault) => ({
    inject: `lab: latency toxic ${fault.latency} ms ± ${fault.jitter} ms on ${fault.region}'s ${fault.link === 'ingress' ? 'ingress' : 'replication link'} proxy (downstream)`,
    rollback: `lab: remove toxic ${toxicNameFor(fault.name)} from that proxy`,
  }),

  async prepare(fault, context) {
    const direct = requireDirectApi(context, 'latency');
    const proxy = direct.proxyOf(fault.region, fault.link);
    const toxic = toxicNameFor(fault.name);
    return {
      rollback: labRollback(direct, [{ method: 'DELETE', path: `/proxies/${proxy}/toxics/${toxic}` }], `remove ${toxic} from ${proxy}`),
      inject: async () => {
        await injectLabRequests(direct.controlUrl, [
          { method: 'POST', path: `/proxies/${proxy}/toxics`, body: { name: toxic, type: 'latency', stream: 'downstream', attributes: { latency: fault.latency, jitter: fault.jitter } } },
        ]);
        return { proxy, latencyMs: fault.latency, jitterMs: fault.jitter };
      },
    };
  },
};
