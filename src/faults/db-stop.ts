import { z } from 'zod';
import { regionName } from '../core/fields';
import { injectLabRequests, labRollback, requireDirectApi } from './direct';
import { fisFault } from './fis';
import { faultTiming } from './timing';
import type { FaultImplementation, FaultKind, Named } from './types';

export const dbStopFaultSchema = z.strictObject({
  kind: z.literal('dbStop'),
  ...faultTiming,
  region: regionName,
  /** immediate: a crash (no checkpoint); fast: a clean shutdown. (Lab direct API.) */
  mode: z.enum(['immediate', 'fast']).default('immediate'),
  /** Through AWS: reboot the DB instances, or fail the regional cluster over. */
  via: z.enum(['reboot', 'cluster-failover']).default('reboot'),
});

export type DbStopFault = z.output<typeof dbStopFaultSchema>;

/** Through the lab's direct API: the region's PostgreSQL stops, held down until the rollback starts it. */
const direct: FaultImplementation<Named<DbStopFault>> = {
  plan: (fault) => ({
    inject: `lab: stop ${fault.region}'s PostgreSQL (${fault.mode})`,
    rollback: `lab: start ${fault.region}'s PostgreSQL`,
  }),

  async prepare(fault, context) {
    const api = requireDirectApi(context, 'dbStop');
    return {
      rollback: labRollback(
        api,
        [{ method: 'POST', path: `/lab/regions/${fault.region}/database/start` }],
        `start ${fault.region}'s PostgreSQL`,
      ),
      inject: async () => {
        await injectLabRequests(api.controlUrl, [
          { method: 'POST', path: `/lab/regions/${fault.region}/database/stop`, body: { mode: fault.mode } },
        ]);
        return { mode: fault.mode };
      },
    };
  },
};

/**
 * `dbStop`: a region's database stops — a reboot or a cluster failover through FIS (over at once), or held down (the
 * lab).
 */
export const dbStopFault: FaultKind<typeof dbStopFaultSchema> = {
  schema: dbStopFaultSchema,
  instantaneous: true,
  via: { aws: fisFault, direct },
};
