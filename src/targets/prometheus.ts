import { z } from 'zod';
import { httpUrl } from '../core/fields';
import type { LabClient } from '../lab/client';
import type { PrometheusEndpoint } from '../prometheus/client';

/**
 * The Prometheus a target's metrics are in, as a capability of its session: the lab's own
 * (started when a run needs it, evaluating the run's rule files), or the team's server an
 * aws or endpoints target names (Prometheus, Thanos, Mimir, … — read only: gameday loads
 * nothing into it and changes nothing there).
 */

/** `prometheus: { url, headers }` on an aws or endpoints target. */
export const prometheusTargetSchema = z.strictObject({
  /** The API's base URL (`${url}/api/v1/query` answers); Mimir's with its /prometheus prefix. */
  url: httpUrl,
  /** Sent with every request: Authorization, X-Scope-OrgID, … (secret-looking values are never journaled). */
  headers: z.record(z.string(), z.string()).default({}),
});

export type PrometheusTarget = z.output<typeof prometheusTargetSchema>;

/** A rule file for the lab's Prometheus: how the experiment names it, and its text. */
export interface RuleFileText {
  name: string;
  content: string;
}

/** What opening a target's Prometheus for a run gives. */
export interface PrometheusOpened {
  endpoint: PrometheusEndpoint;
  /** 'lab': the lab's own, evaluating the run's rules; 'target': the team's server. */
  source: 'lab' | 'target';
  /** How long starting it took, when this run started it (the lab's). */
  startupMs: number | null;
  /** Epoch ms its data begins (the lab's started then); null for a server with its own history. */
  dataSince: number | null;
  scrapeIntervalMs: number | null;
  evaluationIntervalMs: number | null;
  /** The run's rule files as Prometheus reads them (the lab's): its /api/v1/rules names `path`. */
  ruleFiles: Array<{ name: string; path: string }>;
}

export interface PrometheusPort {
  source: 'lab' | 'target';
  /** Makes it ready for a run: the lab's starts unless it runs, and evaluates `rules` (replacing any). */
  open(rules: RuleFileText[], evaluationIntervalMs: number | undefined): Promise<PrometheusOpened>;
  /** After a run: the lab's stops evaluating the run's rules. */
  release(): Promise<void>;
}

/** The team's own server: opened means reached; nothing is loaded or released. */
export function targetPrometheus(config: PrometheusTarget): PrometheusPort {
  return {
    source: 'target',
    open: async () => ({
      endpoint: { url: config.url, headers: config.headers },
      source: 'target',
      startupMs: null,
      dataSince: null,
      scrapeIntervalMs: null,
      evaluationIntervalMs: null,
      ruleFiles: [],
    }),
    release: async () => undefined,
  };
}

/**
 * The lab's Prometheus through its control API, started by the first run that needs it. It then stays with the lab
 * (an ephemeral lab takes it down; `gameday lab down` a running one's): starting it costs seconds — Prometheus sends
 * its first scrape targets only on its service discovery's 5 s tick — and what it has scraped is history later runs'
 * windows read, as a real Prometheus's would.
 */
export function labPrometheus(client: LabClient): PrometheusPort {
  return {
    source: 'lab',
    async open(rules, evaluationIntervalMs) {
      const { status: running, started } = await client.startPrometheus(evaluationIntervalMs);
      const status = await client.loadPrometheusRules(rules, evaluationIntervalMs);
      return {
        endpoint: { url: status.url },
        source: 'lab',
        startupMs: started ? running.startupMs : null,
        dataSince: status.startedAt,
        scrapeIntervalMs: status.scrapeIntervalMs,
        evaluationIntervalMs: status.evaluationIntervalMs,
        ruleFiles: status.ruleFiles,
      };
    },
    release: async () => {
      await client.loadPrometheusRules([]);
    },
  };
}
