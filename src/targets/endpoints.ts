import { z } from 'zod';
import { namedUrls } from '../core/fields';
import type { TargetKind } from './kind';
import { acquireLock, endpointsLockFile } from './lock';
import { prometheusTargetSchema, targetPrometheus } from './prometheus';
import { TargetError } from './session';

/** Any service by its URLs, faults by your own `exec` commands; no regions. */
export const endpointsTargetSchema = z.strictObject({
  kind: z.literal('endpoints'),
  /** Named base URLs, e.g. { api: 'https://api.example.com' }. Probes refer to them by name. */
  endpoints: namedUrls,
  /** Your Prometheus-compatible server, read only: PromQL probes, SLIs and stop conditions, and which alerts fired. */
  prometheus: prometheusTargetSchema.optional(),
});

export type EndpointsTarget = z.output<typeof endpointsTargetSchema>;

export const endpointsTarget: TargetKind<typeof endpointsTargetSchema> = {
  schema: endpointsTargetSchema,
  regions: () => [],
  primary: () => undefined,
  endpointNames: (target) => Object.keys(target.endpoints),
  databaseNames: () => [],
  hasPrometheus: (target) => target.prometheus !== undefined,
  faultApi: () => null,
  awsModel: () => null,
  planEndpoints: (target) => target.endpoints,
  planOpen: () => [],

  async open(target, lockRequest) {
    // Any two runs against the same set of URLs exclude each other.
    const lock = acquireLock(endpointsLockFile(target.endpoints), {
      ...lockRequest,
      target: `the endpoints ${Object.values(target.endpoints).join(', ')}`,
    });
    return {
      kind: 'endpoints',
      api: null,
      strategy: null,
      endpoints: { ...target.endpoints },
      coldEndpoints: [],
      dnsServer: null,
      aws: null,
      direct: null,
      env: {},
      prometheus: target.prometheus ? targetPrometheus(target.prometheus) : null,
      lock,
      databaseUrl: () => undefined,
      regionOfAddress: () => undefined,
      awaitTrafficShift: async () => null,
      rejoinRegion: async () => undefined,
      rejoinRecord: () => null,
      resourceUsage: async () => null,
      dataSnapshot: async () => null,
      strategyStep: async (step) => {
        throw new TargetError(`${step}: only the lab carries out a strategy's steps`);
      },
      describe: () => ({
        kind: 'endpoints',
        endpoints: target.endpoints,
        ...(target.prometheus ? { prometheus: target.prometheus.url } : {}),
      }),
      close: async () => lock.release(),
    };
  },
};
