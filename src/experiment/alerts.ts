import { z } from 'zod';
import { duration } from '../core/fields';

/**
 * The team's own alert rules, judged during the drill. On the lab, `rules` (standard
 * Prometheus rule files, as Sloth or Pyrra write them) are loaded into the lab's
 * Prometheus, evaluated every `evaluationInterval`; on an aws or endpoints target the
 * server in target.prometheus is asked which alerts it raised, with the rules it has.
 * `slo` names the SLO whose requests gameday evaluates the rules' own windows on.
 */
export const alertsSchema = z.strictObject({
  /** Rule files, relative to the experiment's file. */
  rules: z
    .array(z.string({ error: 'expected the path of a rule file' }).min(1, { error: 'must not be empty' }))
    .default([]),
  /** How often the lab's Prometheus evaluates them (a group's own `interval:` is kept); default 1s. */
  evaluationInterval: duration({ max: '5m' }).optional(),
  /** Default: the experiment's SLO when it has one. */
  slo: z.string({ error: 'expected the name of an SLO in slos' }).optional(),
});

export type AlertsConfig = z.input<typeof alertsSchema>;
export type Alerts = z.output<typeof alertsSchema>;

export const minEvaluationIntervalMs = 1_000;
