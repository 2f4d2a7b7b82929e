import type { LabStrategy } from './types';

/**
 * The lab as it always was: the primary region serves every client and holds the writer;
 * the other regions run a hot standby and an app that takes no traffic until DNS fails
 * clients over to it (Route 53 failover records with health checks) and the runbook
 * promotes its database.
 */
export const activePassiveDns: LabStrategy = {
  name: 'active-passive-dns',
  summary:
    'clients follow Route 53 failover records to the primary region; every other region runs a hot standby ' +
    'and an idle app, promoted by the runbook',
  database: 'streaming',
  entry: 'dns-failover',
  serving: 'primary',
  steps: [],
};
