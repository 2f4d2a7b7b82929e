import { tryParseDuration } from '../core/duration';

/**
 * Thresholds in k6's short form: 'budget<5%', 'burn<=14.4', 'alerts<1', 'rto<30s',
 * 'rpo<=1s'. One parser so the error message is the same wherever a threshold is written.
 */

export const sloMetrics = ['budget', 'burn', 'alerts'] as const;
export type SloMetric = (typeof sloMetrics)[number];
export type ThresholdMetric = SloMetric | 'rto' | 'rpo';

export interface Threshold<M extends string = ThresholdMetric> {
  metric: M;
  /** 'checkout.rto<30s': the journey whose RTO it bounds (only rto is per journey). */
  journey?: string;
  op: '<' | '<=';
  /**
   * budget: percent of the window's budget; burn: times the sustainable rate; alerts: alert pairs that fire; rto/rpo:
   * ms.
   */
  value: number;
  /** As written, for reports: 'budget<5%'. */
  text: string;
}

export const thresholdHint =
  "a threshold like 'budget<5%' (error budget consumed), 'burn<14.4' (peak burn rate), 'alerts<1' " +
  "(alert pairs that fire), 'rto<30s' or 'rpo<=1s'";

/** A journey's name may itself hold dots (`load.browse`): the metric is what follows the last one. */
const pattern = /^\s*(?:(\S+)\.)?(budget|burn|alerts|rto|rpo)\s*(<=|<)\s*([^\s].*?)\s*$/;

/** Parses one short-form threshold; a string describing what is wrong when it is not one. */
export function parseThreshold(text: string): Threshold | string {
  const match = pattern.exec(text);
  if (!match) return `expected ${thresholdHint}, got ${JSON.stringify(text)}`;
  const journey = match[1];
  const metric = match[2] as ThresholdMetric;
  const op = match[3] as '<' | '<=';
  const raw = match[4];
  if (journey !== undefined && metric !== 'rto')
    return `only rto is measured per journey, like '${journey}.rto<30s', got ${JSON.stringify(text)}`;
  const made = (value: number): Threshold => ({
    metric,
    op,
    value,
    text: `${journey === undefined ? '' : `${journey}.`}${metric}${op}${raw}`,
    ...(journey === undefined ? {} : { journey }),
  });
  switch (metric) {
    case 'budget': {
      const percent = /^(\d+(?:\.\d+)?)%$/.exec(raw);
      if (!percent)
        return `budget is a percentage of the SLO window's error budget, like 'budget<5%', got ${JSON.stringify(text)}`;
      return made(Number(percent[1]));
    }
    case 'burn': {
      const factor = /^(\d+(?:\.\d+)?)x?$/.exec(raw);
      if (!factor || Number(factor[1]) <= 0)
        return `burn is a burn rate above 0, like 'burn<14.4', got ${JSON.stringify(text)}`;
      return made(Number(factor[1]));
    }
    case 'alerts': {
      if (!/^\d+$/.test(raw) || Number(raw) < 1)
        return (
          `alerts is a whole number of alert pairs of at least 1, like 'alerts<1' (none may ` +
          `fire), got ${JSON.stringify(text)}`
        );
      return made(Number(raw));
    }
    case 'rto':
    case 'rpo': {
      const ms = tryParseDuration(raw);
      if (ms === undefined)
        return `${metric} takes a duration like '30s' or '500ms', like '${metric}<30s', got ${JSON.stringify(text)}`;
      return made(ms);
    }
  }
}

export function thresholdMet(threshold: Pick<Threshold, 'op' | 'value'>, measured: number): boolean {
  return threshold.op === '<' ? measured < threshold.value : measured <= threshold.value;
}

/**
 * RTO and RPO are whole milliseconds, so a strict bound is the inclusive bound one below:
 * 'rto<30s' is the objective 29999 ms, judged as ms ≤ objective like every RTO objective.
 */
export function inclusiveMs(threshold: Threshold): number {
  return threshold.op === '<' ? threshold.value - 1 : threshold.value;
}
