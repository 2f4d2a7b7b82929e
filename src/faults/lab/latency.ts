import type { LatencyFault } from '../../experiment/schema';
import type { FaultKind } from '../types';
import { injectLabRequests, labRollback, requireLab, toxicNameFor } from './requests';

type Fault = LatencyFault & { name: string };

const proxyFor = (fault: Fault) => (fault.link === 'ingress' ? `app-${fault.region}` : `replication-${fault.region}`);

/**
 * latency: added delay on a link. `ingress` delays the region's responses to clients;
 * `replication` delays the WAL stream into a standby region, which is what makes
 * cross-region replication lag (and so a non-zero RPO) real.
 */
export const latencyFault: FaultKind<Fault> = {
  plan: (fault) => ({
    inject: `lab: latency toxic ${fault.latency} ms ± ${fault.jitter} ms on ${proxyFor(fault)} (downstream)`,
    rollback: `lab: remove toxic ${toxicNameFor(fault.name)} from ${proxyFor(fault)}`,
  }),

  async prepare(fault, context) {
    const lab = requireLab(context, 'latency');
    const proxy = proxyFor(fault);
    const toxic = toxicNameFor(fault.name);
    return {
      rollback: labRollback(lab, [{ method: 'DELETE', path: `/proxies/${proxy}/toxics/${toxic}` }], `remove ${toxic} from ${proxy}`),
      inject: async () => {
        await injectLabRequests(lab.state.controlUrl, [
          { method: 'POST', path: `/proxies/${proxy}/toxics`, body: { name: toxic, type: 'latency', stream: 'downstream', attributes: { latency: fault.latency, jitter: fault.jitter } } },
        ]);
        return { proxy, latencyMs: fault.latency, jitterMs: fault.jitter };
      },
    };
  },
};
