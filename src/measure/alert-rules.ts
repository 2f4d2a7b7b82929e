import { trailingErrorRatio, type SloBucket } from './slo';

/**
 * gameday's own evaluation of an alerting rule's burn conditions, on the drill's requests:
 * at the end of every bucket, each condition's error ratio over its window (before and
 * after the drill, traffic at the drill's rate, all good: the SLO's assumption), the rule
 * holding when every condition of one of its alternatives does, then going pending at the
 * first moment it holds and firing once it has held for `for`, as Prometheus does at each
 * evaluation. After the drill the ratios only fall, so the evaluation follows the rule
 * past the drill until it stops holding: a `for` longer than the drill still gets an
 * answer.
 */

export interface BurnConditionInput {
  windowMs: number;
  /** The error ratio it must exceed (or reach, when inclusive). */
  threshold: number;
  inclusive: boolean;
}

export interface RuleEvaluationInput {
  buckets: readonly SloBucket[];
  bucketMs: number;
  /** t_fault's offset from the first bucket's start; times are reported from it (from the first bucket without one). */
  faultOffsetMs: number | null;
  /** The rule holds when every condition of one alternative does. */
  alternatives: readonly (readonly BurnConditionInput[])[];
  forMs: number;
}

export interface ConditionPeak {
  windowMs: number;
  threshold: number;
  /** The highest error ratio over its window at any bucket end of the drill. */
  peakRatio: number;
  /** When it first held, from t_fault; null when it never did. */
  crossedAtMs: number | null;
}

export interface RuleEvaluation {
  /** From t_fault: when the rule first held, when it fired (held for `for`), when it stopped holding. */
  pendingAtMs: number | null;
  firingAtMs: number | null;
  resolvedAtMs: number | null;
  /** How long its first activation held (to its resolution, or to the end of the evaluation). */
  heldMs: number;
  /** The firing falls after the drill's last bucket: it follows from the assumption of good traffic after it. */
  firingAfterDrill: boolean;
  /** Each alternative's conditions, with their peaks over the drill. */
  conditions: ConditionPeak[][];
}

export function evaluateRule(input: RuleEvaluationInput): RuleEvaluation {
  const { buckets, bucketMs } = input;
  const ratio = trailingErrorRatio(buckets, bucketMs);
  const fault = input.faultOffsetMs ?? 0;
  const at = (end: number) => end * bucketMs - fault;
  const holds = (condition: BurnConditionInput, end: number) => {
    const value = ratio(end, condition.windowMs);
    return condition.inclusive ? value >= condition.threshold : value > condition.threshold;
  };
  const conditions = input.alternatives.map((alternative) =>
    alternative.map((condition): ConditionPeak => {
      let peakRatio = 0;
      let crossedAtMs: number | null = null;
      for (let end = 1; end <= buckets.length; end++) {
        peakRatio = Math.max(peakRatio, ratio(end, condition.windowMs));
        if (crossedAtMs === null && holds(condition, end)) crossedAtMs = at(end);
      }
      return { windowMs: condition.windowMs, threshold: condition.threshold, peakRatio, crossedAtMs };
    }),
  );

  // Past the longest window after the drill every ratio is zero: nothing can hold from there on.
  const longest = Math.max(0, ...input.alternatives.flat().map((condition) => condition.windowMs));
  const lastEnd = buckets.length + Math.ceil(longest / bucketMs) + 1;
  /** Each run of bucket ends the rule held at: [first, last] end. */
  const activations: Array<[number, number]> = [];
  let open: [number, number] | null = null;
  for (let end = 1; end <= lastEnd; end++) {
    const held = input.alternatives.some((alternative) => alternative.every((condition) => holds(condition, end)));
    if (held) {
      if (open) open[1] = end;
      else activations.push((open = [end, end]));
    } else {
      open = null;
      // After the drill the ratios only fall: once the rule lets go there, it stays let go.
      if (end > buckets.length) break;
    }
  }
  // Prometheus fires at the first evaluation `for` after the activation began, if it still holds then.
  const forBuckets = Math.ceil(input.forMs / bucketMs);
  const fired = activations.find(([first, last]) => last - first >= forBuckets);
  const firingEnd = fired ? fired[0] + forBuckets : null;
  const resolving = fired ?? activations[0];
  return {
    pendingAtMs: activations.length > 0 ? at(activations[0][0]) : null,
    firingAtMs: firingEnd === null ? null : at(firingEnd),
    resolvedAtMs: resolving ? at(resolving[1] + 1) : null,
    heldMs: Math.max(0, ...activations.map(([first, last]) => (last + 1 - first) * bucketMs)),
    firingAfterDrill: firingEnd !== null && firingEnd > buckets.length,
    conditions,
  };
}
