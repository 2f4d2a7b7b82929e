import type { DbStopFault } from '../../experiment/schema';
import type { FaultKind } from '../types';
import { injectLabRequests, labRollback, requireDirectApi } from './requests';

type Fault = DbStopFault & { name: string };

/** dbStop: the region's PostgreSQL stops — `immediate` is a crash, `fast` a clean shutdown. */
export const dbStopFault: FaultKind<Fault> = {
  plan: (fault) => ({
    inject: `lab: stop ${fault.region}'s PostgreSQL (${fault.mode})`,
    rollback: `lab: start ${fault.region}'s PostgreSQL`,
  }),

  async prepare(fault, context) {
    const direct = requireDirectApi(context, 'dbStop');
    return {
      rollback: labRollback(direct, [{ method: 'POST', path: `/lab/regions/${fault.region}/database/start` }], `start ${fault.region}'s PostgreSQL`),
      inject: async () => {
        await injectLabRequests(direct.controlUrl, [{ method: 'POST', path: `/lab/regions/${fault.region}/database/stop`, body: { mode: fault.mode } }]);
        return { mode: fault.mode };
      },
    };
  },
};
