import type { LabStrategy } from './types';

/**
 * Active-active with one writer: clients are spread over every region (Route 53
 * multivalue answers, each region's set with its health check), each region reads from
 * its own database (the primary, or a hot standby) and sends its writes to the one writer
 * across the region link. Losing the writer's region needs a promotion; losing another
 * does not: its clients move to the regions left when its health check fails.
 */
export const activeActive: LabStrategy = {
  name: 'active-active',
  summary:
    'clients spread over every healthy region (Route 53 multivalue answers); each region reads from its own ' +
    'database and writes to the one writer across the region link; the runbook promotes when the writer is lost',
  database: 'streaming',
  entry: 'dns-multivalue',
  serving: 'every-region',
  steps: [],
};
