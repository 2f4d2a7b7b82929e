import type { DbStopFault } from '../../experiment/schema';
import type { FaultKind } from '../types';
import { injectLabRequests, labRollback, requireLab } from './requests';

type Fault = DbStopFault & { name: string };

/** dbStop: the region's PostgreSQL stops — `immediate` is a crash, `fast` a clean shutdown. */
export const dbStopFault: FaultKind<Fault> = {
  plan: (fault) => ({
    inject: `lab: stop ${fault.region}'s PostgreSQL (${fault.mode})`,
    rollback: `lab: start ${fault.region}'s PostgreSQL`,
  }),

  async prepare(fault, context) {
    const lab = requireLab(context, 'dbStop');
    return {
      rollback: labRollback(lab, [{ method: 'POST', path: `/lab/regions/${fault.region}/database/start` }], `start ${fault.region}'s PostgreSQL`),
      inject: async () => {
        await injectLabRequests(lab.state.controlUrl, [{ method: 'POST', path: `/lab/regions/${fault.region}/database/stop`, body: { mode: fault.mode } }]);
        return { mode: fault.mode };
      },
    };
  },
};
